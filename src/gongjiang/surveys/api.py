"""Survey endpoints at /api/v1/surveys/: questionnaires, sending, answering, results.
Thin: parse, call a service or selector, answer. Figures come only through selectors.breakdown."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.auth import FastCookieSessionAuth, TokenAuth, session_pins
from gongjiang.core.jobs import own_job_get
from gongjiang.core.models import Organization
from gongjiang.core.schemas import (
    CountersFreshnessOut,
    JobProgressOut,
    StrictSchema,
    page_query,
    page_size_query,
    paginate,
)

from . import reissue, rollups, selectors, sending, services
from .models import Survey

router = Router(tags=["surveys"])

Key = Annotated[str, Field(min_length=1, max_length=20)]
OptionText = Annotated[str, Field(min_length=1, max_length=200)]
Dimension = Literal["all", "region", "industry", "age_band", "skill_level", "org"]


def _org(actor: Any, code: str, perm: str) -> Organization:
    return access.get_visible_or_404(Organization.objects, actor, perm, code=code)


# ------------------------------------------------------------------------------ schemas
class SurveyOptionIn(StrictSchema):
    key: Key
    text: OptionText


class SurveyShowIfIn(StrictSchema):
    question: Key
    values: list[Key] = Field(..., alias="in", min_length=1, max_length=30)


class SurveyQuestionIn(StrictSchema):
    key: Key
    type: Literal["single", "multiple", "scale", "matrix", "ranking", "open"]
    text: str = Field(..., min_length=1, max_length=500)
    section: str = Field("", max_length=100)
    required: bool = False
    options: list[SurveyOptionIn] = Field([], max_length=30)
    rows: list[SurveyOptionIn] = Field([], max_length=30)
    low: str = Field("", max_length=40)
    high: str = Field("", max_length=40)
    show_if: SurveyShowIfIn | None = None


def _questions(items: list[SurveyQuestionIn]) -> list[dict[str, Any]]:
    return [q.model_dump(by_alias=True, exclude_none=True) for q in items]


class SurveyIn(StrictSchema):
    organization: Key
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    threshold: int | None = Field(None, ge=5, le=1000)
    previous: Key | None = None
    weight_by: Literal["region", "industry", "age_band", "skill_level"] = "age_band"
    questions: list[SurveyQuestionIn] = Field([], max_length=200)


class SurveyQuestionsIn(StrictSchema):
    questions: list[SurveyQuestionIn] = Field(..., max_length=200)


class SurveyDistributeIn(StrictSchema):
    audience: Key
    mode: Literal["subtree", "sample"] = "subtree"
    strata: list[Literal["region", "industry", "age_band", "skill_level"]] = Field([], max_length=4)
    margin_of_error: Decimal | None = Field(None, gt=0, lt=1, max_digits=4, decimal_places=3)
    response_rate: Decimal = Field(Decimal("1"), gt=0, le=1, max_digits=4, decimal_places=3)


class SurveySendJobOut(JobProgressOut):
    """A sending job: its progress, then how many were invited and how many anonymous links wait
    to be downloaded (once, on the survey's page)."""

    message: str
    invited: int | None = None
    links: int | None = None
    error: str | None = None

    @staticmethod
    def resolve_invited(obj: Any) -> int | None:
        return obj.result.get("invited")

    @staticmethod
    def resolve_links(obj: Any) -> int | None:
        return obj.result.get("links")

    @staticmethod
    def resolve_error(obj: Any) -> str | None:
        return obj.result.get("error")


AnswerText = Annotated[str, Field(max_length=2000)]
AnswerList = Annotated[list[Key], Field(max_length=30)]
AnswerRows = Annotated[dict[Key, Annotated[str, Field(max_length=1)]], Field(max_length=30)]


class SurveySampleQuery(Schema):
    organization: Key
    margin: Decimal = Field(..., gt=0, lt=1, max_digits=4, decimal_places=3)
    response_rate: Decimal = Field(Decimal("1"), gt=0, le=1, max_digits=4, decimal_places=3)


class SurveyAnswersIn(StrictSchema):
    answers: Annotated[dict[Key, AnswerText | AnswerList | AnswerRows], Field(max_length=200)]


class SurveyOut(Schema):
    code: str
    title: str
    description: str
    organization: str
    status: str
    threshold: int
    version: int | None
    published: bool
    mode: str
    invited: int
    population: int
    sample_size: int
    previous: str | None


def _out(s: Survey) -> dict[str, Any]:
    v = s.current_version()
    return {
        "code": s.code,
        "title": s.title,
        "description": s.description,
        "organization": s.organization.code,
        "status": s.status,
        "threshold": s.threshold,
        "version": v.number if v else None,
        "published": bool(v and v.published_at),
        "mode": s.mode,
        "invited": s.invited,
        "population": s.population,
        "sample_size": s.sample_size,
        "previous": s.previous.code if s.previous_id else None,
    }


class SurveyDetailOut(SurveyOut):
    questions: list[dict[str, Any]]


class SurveyPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[SurveyOut]


class SurveySampleOut(Schema):
    population: int
    sample_size: int


class SurveyDistributedOut(Schema):
    invited: int
    links: dict[str, str]


class SurveyLinkReissueIn(StrictSchema):
    worker: Key  # registry code


class SurveyLinksReissueIn(StrictSchema):
    """Registry codes of workers who lost their links (all re-issued, or none)."""

    workers: list[Key] = Field(min_length=1, max_length=reissue.MAX_WORKERS)


class SurveyLinkOut(Schema):
    worker: str
    link: str


class SurveyLinksReissueOut(Schema):
    links: list[SurveyLinkOut]


class SurveyReissueJobOut(JobProgressOut):
    """A bulk re-issue job: its progress, then how many new links wait to be downloaded (once,
    by its starter)."""

    message: str
    links: int | None = None
    error: str | None = None

    @staticmethod
    def resolve_links(obj: Any) -> int | None:
        return obj.result.get("links")

    @staticmethod
    def resolve_error(obj: Any) -> str | None:
        return obj.result.get("error")


class SurveyLinkReissueOut(Schema):
    worker: str
    link: str


class SurveyGroupOut(Schema):
    value: str
    label: str
    n: int | None
    suppressed: bool


class SurveyQuestionResultOut(Schema):
    key: str
    type: str
    text: str
    option_labels: list[tuple[str, str]]
    counts: dict[str, dict[str, int] | None]


class SurveyResultsOut(Schema):
    survey: str
    dimension: str
    threshold: int
    respondents: int | None
    suppressed: bool
    groups: list[SurveyGroupOut]
    questions: list[SurveyQuestionResultOut]
    weighted: dict[str, dict[str, float]]
    previous_round: dict[str, dict[str, float]]
    freshness: CountersFreshnessOut


class SurveyTextsOut(Schema):
    count: int | None
    suppressed: bool
    texts: list[str]


class SurveyToAnswerOut(Schema):
    code: str
    title: str
    organization: str


class SurveyAnswerOut(Schema):
    saved: bool


class SurveyVerifyOut(Schema):
    equal: bool
    responses: int
    counters: int
    pending: int


# ------------------------------------------------------------------------------ managing
@router.get("/surveys", response=SurveyPageOut, summary="Surveys of my subtree")
def survey_list(
    request: HttpRequest, page: int = page_query(), page_size: int = page_size_query()
) -> dict[str, Any]:
    data = paginate(selectors.survey_list(actor=request.user), page, page_size)
    data["items"] = [_out(s) for s in data["items"]]
    return data


@router.post("/surveys", response={201: SurveyDetailOut}, summary="Create a survey (a draft)")
def survey_create(request: HttpRequest, payload: SurveyIn) -> tuple[int, dict[str, Any]]:
    org = _org(request.user, payload.organization, services.MANAGE)
    previous = (
        selectors.survey_get(actor=request.user, code=payload.previous)
        if payload.previous
        else None
    )
    s = services.survey_create(
        actor=request.user,
        organization=org,
        title=payload.title,
        description=payload.description,
        threshold=payload.threshold,
        previous=previous,
        weight_by=payload.weight_by,
        questions=_questions(payload.questions),
    )
    return 201, {**_out(s), "questions": s.current_version().questions}


@router.get("/surveys/{code}", response=SurveyDetailOut, summary="A survey and its questionnaire")
def survey_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code)
    v = s.current_version()
    return {**_out(s), "questions": v.questions if v else []}


@router.put(
    "/surveys/{code}/questions", response=SurveyDetailOut, summary="Edit the draft questionnaire"
)
def survey_questions(request: HttpRequest, code: str, payload: SurveyQuestionsIn) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    v = services.survey_questions_save(
        actor=request.user, survey=s, questions=_questions(payload.questions)
    )
    return {**_out(s), "questions": v.questions}


@router.post(
    "/surveys/{code}/publish", response=SurveyOut, summary="Publish the draft (not one's own edit)"
)
def survey_publish(request: HttpRequest, code: str) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    services.survey_publish(actor=request.user, survey=s)
    return _out(s)


@router.get(
    "/sample-size",
    response=SurveySampleOut,
    summary="Population and sample size for a margin of error",
)
def survey_sample_size(request: HttpRequest, query: Query[SurveySampleQuery]) -> dict[str, int]:
    org = _org(request.user, query.organization, services.MANAGE)
    return services.sample_plan(
        actor=request.user,
        audience=org,
        margin=query.margin,
        response_rate=query.response_rate,
    )


@router.post(
    "/surveys/{code}/distribute", response=SurveyDistributedOut, summary="Send a published survey"
)
def survey_distribute(
    request: HttpRequest, code: str, payload: SurveyDistributeIn
) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    audience = _org(request.user, payload.audience, services.MANAGE)
    sending.in_request_check(audience)  # a large audience: POST .../send-jobs
    sent = services.survey_distribute(
        actor=request.user,
        survey=s,
        audience=audience,
        mode=payload.mode,
        strata=list(payload.strata),
        margin=payload.margin_of_error,
        response_rate=payload.response_rate,
    )
    return {
        "invited": sent["invited"],
        "links": {w: f"/surveys/a/{t}/" for w, t in sent["tokens"].items()},
    }


@router.post(
    "/surveys/{code}/links",
    response={201: SurveyLinkReissueOut},
    summary="Re-issue a lost anonymous link (the old one stops working; shown once)",
)
def survey_link_reissue(
    request: HttpRequest, code: str, payload: SurveyLinkReissueIn
) -> tuple[int, dict[str, str]]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    token = services.link_reissue(actor=request.user, survey=s, worker_code=payload.worker)
    return 201, {"worker": payload.worker, "link": f"/surveys/a/{token}/"}


@router.post(
    "/surveys/{code}/links/bulk",
    response={201: SurveyLinksReissueOut, 202: SurveyReissueJobOut},
    summary=(
        "Re-issue lost anonymous links for a list of workers, all or none (422 names every bad "
        "entry: row, column, value); a long list runs as a job (202)"
    ),
)
def survey_links_reissue(
    request: HttpRequest, code: str, payload: SurveyLinksReissueIn
) -> tuple[int, Any]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    entries = reissue.entries_from_codes(list(payload.workers))
    if len(entries) > reissue.IN_REQUEST_MAX:
        job = reissue.reissue_start(actor=request.user, survey=s, entries=entries)
        job.refresh_from_db()
        return 202, job
    issued = reissue.link_reissue_bulk(actor=request.user, survey=s, entries=entries)
    return 201, {"links": [{"worker": i.worker, "link": f"/surveys/a/{i.token}/"} for i in issued]}


def _own_reissue_job(request: HttpRequest, code: str, job: str) -> Any:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    found = own_job_get(actor=request.user, code=job, kind=reissue.KIND)
    if found.params.get("survey") != s.code:
        from django.http import Http404

        raise Http404("job")
    return s, found


@router.get(
    "/surveys/{code}/relink-jobs/{job}",
    response=SurveyReissueJobOut,
    summary="Progress of a bulk re-issue job (its starter only)",
)
def survey_reissue_job(request: HttpRequest, code: str, job: str) -> Any:
    return _own_reissue_job(request, code, job)[1]


@router.get(
    "/surveys/{code}/relink-jobs/{job}/links",
    response={200: None},
    summary="The new links of a finished bulk re-issue job (.xlsx), once, for its starter",
)
def survey_reissue_job_links(request: HttpRequest, code: str, job: str) -> Any:
    from gongjiang.core.exports import xlsx_response

    s, found = _own_reissue_job(request, code, job)
    data = reissue.reissue_links_take(actor=request.user, survey=s, job_code=found.code)
    response = xlsx_response(data, f"{s.title}-new-links.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/surveys/{code}/send-jobs",
    response={202: SurveySendJobOut},
    summary="Send a published survey in a background job (any audience; required for large ones)",
)
def survey_send_job_start(
    request: HttpRequest, code: str, payload: SurveyDistributeIn
) -> tuple[int, Any]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    audience = _org(request.user, payload.audience, services.MANAGE)
    job = sending.survey_send_start(
        actor=request.user,
        survey=s,
        audience=audience,
        mode=payload.mode,
        strata=list(payload.strata),
        margin=payload.margin_of_error,
        response_rate=payload.response_rate,
    )
    job.refresh_from_db()
    return 202, job


@router.get(
    "/surveys/{code}/send-jobs/{job}",
    response=SurveySendJobOut,
    summary="Progress of a sending job (its starter only)",
)
def survey_send_job(request: HttpRequest, code: str, job: str) -> Any:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    found = own_job_get(actor=request.user, code=job[:20], kind=sending.KIND)
    if found.params.get("survey") != s.code:
        from django.http import Http404

        raise Http404("job")
    return found


@router.post("/surveys/{code}/close", response=SurveyOut, summary="Close an open survey")
def survey_close(request: HttpRequest, code: str) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    return _out(services.survey_close(actor=request.user, survey=s))


@router.get(
    "/surveys/{code}/results",
    response=SurveyResultsOut,
    summary="Results (groups under the threshold withheld; answers still queued in freshness)",
)
def survey_results(
    request: HttpRequest,
    code: str,
    dimension: Dimension = "all",
    within: str | None = Query(None, max_length=20),
) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code)
    org = _org(request.user, within, selectors.VIEW) if within else None
    result = selectors.breakdown(actor=request.user, survey=s, dim=dimension, within=org)
    return {
        **result,
        "weighted": selectors.weighted(actor=request.user, survey=s) if org is None else {},
        "previous_round": selectors.comparison(actor=request.user, survey=s) if org is None else {},
        "freshness": rollups.freshness(s).as_dict(),
    }


@router.get(
    "/surveys/{code}/texts/{key}",
    response=SurveyTextsOut,
    summary="Answers to an open question, as a whole",
)
def survey_texts(request: HttpRequest, code: str, key: str) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code)
    return selectors.open_texts(actor=request.user, survey=s, key=key[:20])


@router.get(
    "/surveys/{code}/verify",
    response=SurveyVerifyOut,
    summary="Fold the queued answers, then compare the rollups with a recount",
)
def survey_verify(request: HttpRequest, code: str) -> dict[str, Any]:
    s = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    return rollups.verify(s)


# ------------------------------------------------------------------------------ answering
@router.get("/mine", response=list[SurveyToAnswerOut], summary="Surveys waiting for my answers")
def survey_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": i.survey.code, "title": i.survey.title, "organization": i.survey.organization.name}
        for i in selectors.surveys_to_answer(actor=request.user)[:100]
    ]


@router.get("/mine/{code}", response=SurveyDetailOut, summary="A survey I was invited to")
def survey_mine_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    inv = selectors.invitation_for(actor=request.user, code=code)
    v = inv.survey.published_version()
    # the answers follow from this phone: their fast path skips the session read (core.hotpath)
    session_pins.remember_accepted(request)
    return {**_out(inv.survey), "questions": v.questions if v else []}


@router.post(
    "/mine/{code}/responses",
    response=SurveyAnswerOut,
    summary="Answer a survey I was invited to (once; 409 already_answered)",
    auth=[TokenAuth(), FastCookieSessionAuth(csrf=True)],
)
def survey_answer(request: HttpRequest, code: str, payload: SurveyAnswersIn) -> dict[str, bool]:
    inv = selectors.invitation_for(actor=request.user, code=code)
    services.response_submit(actor=request.user, survey=inv.survey, answers=payload.answers)
    return {"saved": True}
