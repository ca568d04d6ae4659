"""Careers endpoints at /api/v1/careers/: the bridge contract, a worker's career, titles,
bridge applications, the enterprise's career table and skill-expert levels. Thin: parse, call a
service or selector, answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, paginate

from . import selectors, services
from .policy import normalise_target

router = Router(tags=["careers"])

Text = Field("", max_length=500)


def _on(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


# ------------------------------------------------------------------------------- bridge
class CareersConditionOut(Schema):
    rule: str
    required: str
    actual: str
    met: bool


class CareersBridgeOut(Schema):
    eligible: bool
    conditions: list[CareersConditionOut]


class CareersBridgeQuery(Schema):
    target: str = Field(..., min_length=1, max_length=30, description="title level or skill level")
    on: dt.date | None = None


@router.get(
    "/workers/{code}/bridge",
    response=CareersBridgeOut,
    summary="May this worker move to a title or skill level? Every condition, met or not",
)
def bridge(request: HttpRequest, code: str, query: Query[CareersBridgeQuery]) -> dict[str, Any]:
    target = normalise_target(query.target)
    worker = selectors.worker_get(request.user, code)  # 404 out of scope, before the target
    if not target:
        raise ValidationError({"target": [_("Unknown target title or level.")]})
    from .registry import judge

    return judge(worker, target, _on(query.on)).as_dict()


class CareersStepOut(Schema):
    channel: str
    target: str
    eligible: bool
    ready_on: dt.date | None
    conditions: list[CareersConditionOut]


class CareersTitleOut(Schema):
    code: str
    field: str
    name: str
    level: str
    date: dt.date
    issuer: str
    revoked: bool


class CareersOverviewOut(Schema):
    worker: str
    name: str
    skill_level: str
    title_level: str
    equivalent_title: str
    equivalent_management_grade: str
    management_grade: str
    management_grade_since: dt.date | None
    titles: list[CareersTitleOut]
    next_steps: list[CareersStepOut]


class CareersOnQuery(Schema):
    on: dt.date | None = None


@router.get(
    "/workers/{code}/career",
    response=CareersOverviewOut,
    summary="Where a worker stands in each channel and what the next step needs",
)
def career(request: HttpRequest, code: str, query: Query[CareersOnQuery]) -> dict[str, Any]:
    worker = selectors.worker_get(request.user, code)
    view = selectors.career_overview(worker, _on(query.on))
    return {
        "worker": worker.code,
        "name": worker.name,
        "skill_level": view.skill_level,
        "title_level": view.title_level,
        "equivalent_title": view.equivalent.title_level if view.equivalent else "",
        "equivalent_management_grade": (
            view.equivalent.management_grade if view.equivalent else ""
        ),
        "management_grade": view.grade.grade if view.grade else "",
        "management_grade_since": view.grade.since if view.grade else None,
        "titles": view.titles,
        "next_steps": [
            {
                "channel": s.channel,
                "target": s.label,
                "eligible": s.answer.eligible,
                "ready_on": s.ready_on,
                "conditions": [c.as_dict() for c in s.answer.conditions],
            }
            for s in view.steps
        ],
    }


class CareersTitleIn(StrictSchema):
    field: str = Field(..., min_length=1, max_length=60)
    name: str = Field("", max_length=60)
    level: Literal["junior", "assistant", "intermediate", "deputy_senior", "senior"]
    date: dt.date
    issuer: str = Field(..., min_length=1, max_length=100)
    number: str = Field("", max_length=40)


@router.post("/workers/{code}/titles", response={201: CareersTitleOut}, summary="Record a title")
def title_add(request: HttpRequest, code: str, payload: CareersTitleIn) -> tuple[int, Any]:
    worker = selectors.worker_get(request.user, code)
    return 201, services.title_add(actor=request.user, worker=worker, **payload.dict())


# -------------------------------------------------------------- management grades (管理职级)
class CareersGradeOut(Schema):
    code: str
    worker: str
    grade: str
    since: dt.date
    document: str
    ended_on: dt.date | None
    end_reason: str

    @staticmethod
    def resolve_worker(obj: Any) -> str:
        return obj.worker.code


class CareersGradeIn(StrictSchema):
    grade: str = Field(..., min_length=1, max_length=30)
    since: dt.date
    document: str = Field(..., min_length=1, max_length=60)


class CareersGradeEndIn(StrictSchema):
    ended_on: dt.date
    reason: str = Field(..., min_length=1, max_length=200)


class CareersGradePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersGradeOut]


class CareersPageQuery(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get(
    "/workers/{code}/management-grades",
    response=CareersGradePage,
    summary="The management grades a worker holds and held (newest first), a page at a time",
)
def grade_list(request: HttpRequest, code: str, query: Query[CareersPageQuery]) -> Any:
    from .grades import grades_of

    worker = selectors.worker_get(request.user, code)
    return paginate(grades_of(worker).select_related("worker"), query.page, query.page_size)


@router.post(
    "/workers/{code}/management-grades",
    response={201: CareersGradeOut},
    summary="Record a management grade (ends the one held before)",
)
def grade_record(request: HttpRequest, code: str, payload: CareersGradeIn) -> tuple[int, Any]:
    from .grades import management_grade_record

    worker = selectors.worker_get(request.user, code)
    return 201, management_grade_record(actor=request.user, worker=worker, **payload.dict())


@router.post(
    "/management-grades/{code}/end",
    response=CareersGradeOut,
    summary="End a management grade (removal, retirement, leaving the post)",
)
def grade_end(request: HttpRequest, code: str, payload: CareersGradeEndIn) -> Any:
    from .grades import grade_get, management_grade_end

    record = grade_get(request.user, code)
    return management_grade_end(actor=request.user, record=record, **payload.dict())


# ----------------------------------------------------------------------- applications
class CareersApplicationOut(Schema):
    code: str
    worker: str
    worker_name: str
    target: str
    status: str
    eligible: bool
    conditions: list[CareersConditionOut]
    note: str
    decision_note: str
    outcome_ref: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None


def _application_out(a: Any) -> dict[str, Any]:
    return {
        "code": a.code,
        "worker": a.worker.code,
        "worker_name": a.worker.name,
        "target": a.target,
        "status": a.status,
        "eligible": a.eligible,
        "conditions": a.conditions,
        "note": a.note,
        "decision_note": a.decision_note,
        "outcome_ref": a.outcome_ref,
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
    }


class CareersApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersApplicationOut]


class CareersApplicationsQuery(Schema):
    status: Literal["", "submitted", "approved", "rejected"] = ""
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get("/applications", response=CareersApplicationPage, summary="Bridge applications")
def application_list(
    request: HttpRequest, query: Query[CareersApplicationsQuery]
) -> dict[str, Any]:
    result = paginate(
        selectors.applications(request.user, query.status), query.page, query.page_size
    )
    result["items"] = [_application_out(a) for a in result["items"]]
    return result


class CareersApplicationIn(StrictSchema):
    worker: str = Field(..., min_length=1, max_length=20)
    target: str = Field(..., min_length=1, max_length=30)
    note: str = Text


@router.post(
    "/applications", response={201: CareersApplicationOut}, summary="File a bridge application"
)
def application_submit(request: HttpRequest, payload: CareersApplicationIn) -> tuple[int, Any]:
    worker = selectors.worker_get(request.user, payload.worker)
    application = services.bridge_application_submit(
        actor=request.user, worker=worker, target=payload.target, note=payload.note
    )
    return 201, _application_out(application)


@router.get(
    "/applications/{code}", response=CareersApplicationOut, summary="One bridge application"
)
def application_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _application_out(selectors.application_get(request.user, code))


class CareersDecisionIn(StrictSchema):
    approve: bool
    note: str = Text


@router.post(
    "/applications/{code}/decide",
    response=CareersApplicationOut,
    summary="Approve or reject a bridge application",
)
def application_decide(
    request: HttpRequest, code: str, payload: CareersDecisionIn
) -> dict[str, Any]:
    application = selectors.application_get(request.user, code)
    decided = services.bridge_application_decide(
        actor=request.user, application=application, approve=payload.approve, note=payload.note
    )
    return _application_out(decided)


# ----------------------------------------------------------------------- career tables
class CareersRuleRow(Schema):
    target: str = Field(..., min_length=1, max_length=30)
    path: str = Field("standard", min_length=1, max_length=20)
    # the condition and the years are checked by services.bridge_rules_check, as on the table
    # page (one message, named rules[i].kind / rules[i].years); the schema only bounds them
    kind: str = Field(..., min_length=1, max_length=24)
    level: str = Field("", max_length=30)
    years: int | None = Field(None, ge=-999, le=999)
    prefixes: str = Field("", max_length=200)
    source: str = Field("", max_length=200)


class CareersEquivalenceRow(Schema):
    skill_level: str = Field(..., min_length=1, max_length=30)
    title_level: Literal["junior", "assistant", "intermediate", "deputy_senior", "senior"]
    management_grade: str = Field("", max_length=30)
    source: str = Field("", max_length=200)


class CareersTableOut(Schema):
    enterprise: str
    on: dt.date
    version: str | None
    effective_from: dt.date | None
    rules: list[CareersRuleRow]
    equivalences: list[CareersEquivalenceRow]


def _table_out(enterprise: Any, on: dt.date) -> dict[str, Any]:
    from .registry import table_in_force

    table = table_in_force(enterprise, on)
    return {
        "enterprise": enterprise.code,
        "on": on,
        "version": table.version.code if table.version else None,
        "effective_from": table.version.effective_from if table.version else None,
        "rules": [r.__dict__ for r in table.rules],
        "equivalences": [e.__dict__ for e in table.equivalences],
    }


@router.get(
    "/enterprises/{code}/table",
    response=CareersTableOut,
    summary="The career table in force on a date (the policy defaults when there is none)",
)
def table_get(request: HttpRequest, code: str, query: Query[CareersOnQuery]) -> dict[str, Any]:
    enterprise = selectors.enterprise_get(request.user, code)
    return _table_out(enterprise, _on(query.on))


class CareersTableIn(StrictSchema):
    effective_from: dt.date
    note: str = Field("", max_length=200)
    rules: list[CareersRuleRow] | None = Field(None, max_length=500)
    equivalences: list[CareersEquivalenceRow] | None = Field(None, max_length=50)


class CareersTableVersionOut(Schema):
    code: str
    enterprise: str
    status: Literal["draft", "in_force", "discarded"]
    effective_from: dt.date
    note: str
    drafted_by: str
    decided_by: str
    decided_at: dt.datetime | None
    decision_note: str
    rules: list[CareersRuleRow] = []
    equivalences: list[CareersEquivalenceRow] = []


def _version_out(table: Any, *, rows: bool = True) -> dict[str, Any]:
    out = {
        "code": table.code,
        "enterprise": table.organization.code,
        "status": table.status,
        "effective_from": table.effective_from,
        "note": table.note,
        "drafted_by": table.created_by.get_username() if table.created_by_id else "",
        "decided_by": table.decided_by.get_username() if table.decided_by_id else "",
        "decided_at": table.decided_at,
        "decision_note": table.decision_note,
        "rules": [],
        "equivalences": [],
    }
    if rows:
        out["rules"] = [
            {
                "target": r.target,
                "path": r.path,
                "kind": r.kind,
                "level": r.level,
                "years": r.years,
                "prefixes": r.prefixes,
                "source": r.source,
            }
            for r in table.rules.order_by("id")
        ]
        out["equivalences"] = [
            {
                "skill_level": e.skill_level,
                "title_level": e.title_level,
                "management_grade": e.management_grade,
                "source": e.source,
            }
            for e in table.equivalences.order_by("id")
        ]
    return out


def _version_get(actor: Any, code: str) -> Any:
    from .models import CareerTable

    return access.get_visible_or_404(
        CareerTable.objects.select_related("organization", "created_by", "decided_by"),
        actor,
        "careers.view",
        code=code,
    )


class CareersTableVersionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersTableVersionOut]


@router.get(
    "/enterprises/{code}/table/versions",
    response=CareersTableVersionPage,
    summary="Every version of the career table: drafts, approved and set aside (no rows), "
    "a page at a time",
)
def table_versions(
    request: HttpRequest, code: str, query: Query[CareersPageQuery]
) -> dict[str, Any]:
    enterprise = selectors.enterprise_get(request.user, code)
    result = paginate(selectors.table_versions(enterprise), query.page, query.page_size)
    result["items"] = [_version_out(t, rows=False) for t in result["items"]]
    return result


@router.get(
    "/table-versions/{code}", response=CareersTableVersionOut, summary="One version with its rows"
)
def table_version(request: HttpRequest, code: str) -> dict[str, Any]:
    return _version_out(_version_get(request.user, code))


class CareersTableDecisionIn(StrictSchema):
    note: str = Field("", max_length=200)


@router.post(
    "/table-versions/{code}/approve",
    response=CareersTableVersionOut,
    summary="Approve a draft (never the person who drafted it): in force from its day",
)
def table_approve(
    request: HttpRequest, code: str, payload: CareersTableDecisionIn
) -> dict[str, Any]:
    table = services.career_table_approve(
        actor=request.user, table=_version_get(request.user, code), note=payload.note
    )
    return _version_out(_version_get(request.user, table.code))


@router.post(
    "/table-versions/{code}/discard",
    response=CareersTableVersionOut,
    summary="Set a draft aside with the reason (kept, never applied)",
)
def table_discard(
    request: HttpRequest, code: str, payload: CareersTableDecisionIn
) -> dict[str, Any]:
    table = services.career_table_discard(
        actor=request.user, table=_version_get(request.user, code), note=payload.note
    )
    return _version_out(_version_get(request.user, table.code))


@router.post(
    "/enterprises/{code}/table",
    response={201: CareersTableVersionOut},
    summary="Draft a new version of the career table, from today or later (never the past); "
    "another person approves it",
)
def table_create(request: HttpRequest, code: str, payload: CareersTableIn) -> tuple[int, Any]:
    enterprise = selectors.enterprise_get(request.user, code)
    table = services.career_table_create(
        actor=request.user,
        organization=enterprise,
        effective_from=payload.effective_from,
        note=payload.note,
        rules=[r.dict() for r in payload.rules] if payload.rules is not None else None,
        equivalences=(
            [e.dict() for e in payload.equivalences] if payload.equivalences is not None else None
        ),
    )
    return 201, _version_out(_version_get(request.user, table.code))


class CareersExpertLevelOut(Schema):
    code: str
    rank: int
    name: str
    min_skill_level: str
    min_years: int
    criteria: str
    quota: int
    term_years: int


class CareersExpertLevelIn(StrictSchema):
    rank: int = Field(..., ge=1, le=6)
    name: str = Field(..., min_length=1, max_length=40)
    min_skill_level: str = Field(..., min_length=1, max_length=30)
    min_years: int = Field(0, ge=0, le=50)
    criteria: str = Field("", max_length=2000)
    quota: int = Field(1, ge=0, le=10000)
    term_years: int = Field(3, ge=1, le=10)


@router.get(
    "/enterprises/{code}/expert-levels",
    response=list[CareersExpertLevelOut],
    summary="The enterprise's skill-expert levels",
)
def expert_level_list(request: HttpRequest, code: str) -> Any:
    return list(selectors.expert_levels(selectors.enterprise_get(request.user, code)))


@router.post(
    "/enterprises/{code}/expert-levels",
    response={201: CareersExpertLevelOut},
    summary="Create or change one skill-expert level (at most six)",
)
def expert_level_save(
    request: HttpRequest, code: str, payload: CareersExpertLevelIn
) -> tuple[int, Any]:
    enterprise = selectors.enterprise_get(request.user, code)
    return 201, services.expert_level_save(
        actor=request.user, organization=enterprise, **payload.dict()
    )


# honours selection (api_honours.py) under /api/v1/careers/honours/
from .api_honours import router as honours_router  # noqa: E402

router.add_router("/honours", honours_router)

# skill-linked pay (api_pay.py) under /api/v1/careers/pay/
from .api_pay import router as pay_router  # noqa: E402

router.add_router("/pay", pay_router)

# worker programmes (api_programmes.py) under /api/v1/careers/programmes/
from .api_programmes import router as programmes_router  # noqa: E402

router.add_router("/programmes", programmes_router)

# the enterprise new-style apprenticeship (api_apprentice.py) under /api/v1/careers/apprenticeship/
from .api_apprentice import router as apprenticeship_router  # noqa: E402

router.add_router("/apprenticeship", apprenticeship_router)

# expert-level selection (api_experts.py) under /api/v1/careers/experts/
from .api_experts import router as experts_router  # noqa: E402

router.add_router("/experts", experts_router)
