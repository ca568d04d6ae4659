"""Honours selection endpoints at /api/v1/careers/honours/: rounds, quotas, composition rules,
nominations (with the live composition), review, public notice and approval, disqualifying
records. Thin: parse, call a service or selector, answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.models import Organization
from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.core.schemas import Page, PageNumber, PageSize, StrictSchema, paginate
from gongjiang.workforce.models import Worker

from . import honours
from . import honours_selectors as sel
from .models_honours import DisqualifyingRecord
from .selectors import worker_get

router = Router(tags=["careers: honours"])

Level = Literal["national", "provincial", "city", "enterprise"]


class CareersHonourRuleRow(Schema):
    categories: str = Field(..., min_length=1, max_length=60, description="frontline,technician…")
    bound: Literal["min", "max"]
    percent: int = Field(..., ge=0, le=100)
    source: str = Field("", max_length=200)


class CareersHonourQuotaOut(Schema):
    unit: str
    unit_name: str
    places: int


class CareersHonourBarOut(Schema):
    categories: list[str]
    bound: str
    percent: int
    count: int
    total: int
    met: bool


class CareersHonourReturnOut(Schema):
    at: dt.datetime
    by: str
    reason: str


class CareersHonourRoundOut(Schema):
    code: str
    organization: str
    title: str
    honour_title: str
    honour_level: str
    year: int
    places: int
    notice_days: int
    state: str
    notice_ends_on: dt.date | None
    rules: list[CareersHonourRuleRow]
    quotas: list[CareersHonourQuotaOut]
    returns: list[CareersHonourReturnOut] = Field(
        [], description="the level above's returns, oldest first (on one round's answers)"
    )


def _round_out(actor: Any, r: Any) -> dict[str, Any]:
    return {
        "code": r.code,
        "organization": r.organization.code,
        "title": r.title,
        "honour_title": r.honour_title,
        "honour_level": r.honour_level,
        "year": r.year,
        "places": r.places,
        "notice_days": r.notice_days,
        "state": r.state,
        "notice_ends_on": r.notice.ends_on if r.notice_id else None,
        "rules": [
            {"categories": x.categories, "bound": x.bound, "percent": x.percent, "source": x.source}
            for x in r.rules.order_by("id")
        ],
        "quotas": [
            {"unit": q.organization.code, "unit_name": q.organization.name, "places": q.places}
            for q in sel.units(actor, r)
        ],
    }


class CareersHonourPageQuery(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get(
    "/rounds",
    response=Page[CareersHonourRoundOut],
    summary="Honours rounds I may see, a page at a time",
)
def round_list(request: HttpRequest, query: Query[CareersHonourPageQuery]) -> dict[str, Any]:
    result = paginate(sel.rounds(request.user), query.page, query.page_size)
    result["items"] = [_round_out(request.user, r) for r in result["items"]]
    return result


class CareersHonourQuotaIn(Schema):
    unit: str = Field(..., min_length=1, max_length=20)
    places: int = Field(..., ge=0, le=100000)


class CareersHonourRoundIn(StrictSchema):
    organization: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    honour_title: str = Field(..., min_length=1, max_length=60)
    honour_level: Level
    year: int = Field(..., ge=1949, le=2100)
    places: int = Field(..., ge=1, le=100000)
    notice_days: int = Field(5, ge=1, le=30)
    barring_titles: str = Field("", max_length=300)
    rules: list[CareersHonourRuleRow] | None = Field(None, max_length=20)
    quotas: list[CareersHonourQuotaIn] = Field([], max_length=500)


def _org(actor: Any, code: str, perm: str) -> Organization:
    return get_visible_or_404(Organization.objects.all(), actor, perm, code=code)


@router.post("/rounds", response={201: CareersHonourRoundOut}, summary="Open an honours round")
def round_create(request: HttpRequest, payload: CareersHonourRoundIn) -> tuple[int, Any]:
    organization = _org(request.user, payload.organization, honours.MANAGE)
    quotas = [(_org(request.user, q.unit, honours.MANAGE), q.places) for q in payload.quotas]
    created = honours.honour_round_create(
        actor=request.user,
        organization=organization,
        title=payload.title,
        honour_title=payload.honour_title,
        honour_level=payload.honour_level,
        year=payload.year,
        places=payload.places,
        notice_days=payload.notice_days,
        barring_titles=payload.barring_titles,
        rules=[r.dict() for r in payload.rules] if payload.rules is not None else None,
        quotas=quotas,
    )
    return 201, _round_out(request.user, sel.round_get(request.user, created.code))


def _one(actor: Any, code: str) -> dict[str, Any]:
    round_ = sel.round_get(actor, code)
    out = _round_out(actor, round_)
    out["returns"] = [
        {"at": r["at"], "by": r["by"], "reason": r.get("reason", "")}
        for r in honours.returns(round_)
    ]
    return out


@router.get("/rounds/{code}", response=CareersHonourRoundOut, summary="One honours round")
def round_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _one(request.user, code)


@router.post("/rounds/{code}/quotas", response=CareersHonourQuotaOut, summary="Set a unit's places")
def quota_set(request: HttpRequest, code: str, payload: CareersHonourQuotaIn) -> dict[str, Any]:
    round_ = sel.round_get(request.user, code)
    unit = _org(request.user, payload.unit, honours.MANAGE)
    q = honours.honour_quota_set(
        actor=request.user, round=round_, organization=unit, places=payload.places
    )
    return {"unit": unit.code, "unit_name": unit.name, "places": q.places}


class CareersHonourRulesIn(StrictSchema):
    rules: list[CareersHonourRuleRow] = Field(..., max_length=20)


@router.post(
    "/rounds/{code}/rules",
    response=list[CareersHonourRuleRow],
    summary="Replace the round's composition rules",
)
def rules_set(request: HttpRequest, code: str, payload: CareersHonourRulesIn) -> list[Any]:
    round_ = sel.round_get(request.user, code)
    rows = honours.honour_rules_set(
        actor=request.user, round=round_, rules=[r.dict() for r in payload.rules]
    )
    return [
        {"categories": r.categories, "bound": r.bound, "percent": r.percent, "source": r.source}
        for r in rows
    ]


class CareersNominationOut(Schema):
    code: str
    unit: str
    worker: str
    worker_name: str
    category: str
    status: str
    deeds: str


def _nomination_out(n: Any) -> dict[str, Any]:
    return {
        "code": n.code,
        "unit": n.organization.code,
        "worker": n.worker.code,
        "worker_name": n.worker.name,
        "category": n.category,
        "status": n.status,
        "deeds": n.deeds,
    }


class CareersNominationList(Schema):
    nominations: list[CareersNominationOut]
    composition: list[CareersHonourBarOut]


class CareersUnitQuery(Schema):
    unit: str = Field("", max_length=20)


def _unit(actor: Any, round_: Any, code: str) -> Organization | None:
    """One of the units the actor nominates for (404 otherwise); None when not given."""
    if not code:
        return None
    for q in sel.units(actor, round_):
        if q.organization.code == code:
            return q.organization
    raise Http404("unit")


def _list(actor: Any, round_: Any, unit: Organization | None) -> dict[str, Any]:
    return {
        "nominations": [_nomination_out(n) for n in sel.nominations(actor, round_, unit)],
        "composition": [
            {k: b[k] for k in ("categories", "bound", "percent", "count", "total", "met")}
            for b in sel.composition_view(actor, round_, unit)
        ],
    }


@router.get(
    "/rounds/{code}/nominations",
    response=CareersNominationList,
    summary="Nominations I may see, with the composition rules judged on them",
)
def nomination_list(
    request: HttpRequest, code: str, query: Query[CareersUnitQuery]
) -> dict[str, Any]:
    round_ = sel.round_get(request.user, code)
    return _list(request.user, round_, _unit(request.user, round_, query.unit))


class CareersNominationIn(StrictSchema):
    unit: str = Field(..., min_length=1, max_length=20)
    worker: str = Field(..., min_length=1, max_length=20)
    deeds: str = Field(..., min_length=1, max_length=5000)


@router.post(
    "/rounds/{code}/nominations",
    response={201: CareersNominationList},
    summary="Nominate a worker; answers the unit's list and its composition",
)
def nominate(request: HttpRequest, code: str, payload: CareersNominationIn) -> tuple[int, Any]:
    round_ = sel.round_get(request.user, code)
    unit = _unit(request.user, round_, payload.unit)
    worker = worker_get(request.user, payload.worker)
    honours.honour_nominate(
        actor=request.user, round=round_, organization=unit, worker=worker, deeds=payload.deeds
    )
    return 201, _list(request.user, round_, unit)


@router.post(
    "/nominations/{code}/withdraw", response=CareersNominationOut, summary="Withdraw a nomination"
)
def withdraw(request: HttpRequest, code: str) -> dict[str, Any]:
    nomination = sel.nomination_get(request.user, code)
    return _nomination_out(
        honours.honour_nomination_withdraw(actor=request.user, nomination=nomination)
    )


class CareersHonourStepIn(StrictSchema):
    starts_on: dt.date | None = None
    note: str = Field("", max_length=500)


@router.post("/rounds/{code}/review", response=CareersHonourRoundOut, summary="Close nominations")
def review_open(request: HttpRequest, code: str) -> dict[str, Any]:
    round_ = honours.honour_review_open(actor=request.user, round=sel.round_get(request.user, code))
    return _round_out(request.user, sel.round_get(request.user, round_.code))


class CareersPanelIn(StrictSchema):
    username: str = Field(..., min_length=1, max_length=150)


@router.post("/rounds/{code}/panel", response={201: dict}, summary="Add a panel member")
def panel_add(request: HttpRequest, code: str, payload: CareersPanelIn) -> tuple[int, Any]:
    from django.contrib.auth import get_user_model
    from django.shortcuts import get_object_or_404

    round_ = sel.round_get(request.user, code)
    if round_.review is None:
        raise Http404("review")
    user = get_object_or_404(get_user_model(), username=payload.username, is_active=True)
    panel_member_add(actor=request.user, round=round_.review, user=user)
    return 201, {"username": user.username}


class CareersScoreIn(StrictSchema):
    nomination: str = Field(..., min_length=1, max_length=20)
    criterion: str = Field(..., min_length=1, max_length=120)
    score: str = Field(..., min_length=1, max_length=12, description="0 … the criterion's maximum")


@router.post("/rounds/{code}/scores", response={201: dict}, summary="A panel member's score")
def score(request: HttpRequest, code: str, payload: CareersScoreIn) -> tuple[int, Any]:
    from django.shortcuts import get_object_or_404

    round_ = sel.round_get_for_panel(request.user, code)
    nomination = get_object_or_404(round_.nominations, code=payload.nomination)
    criterion = get_object_or_404(ReviewCriterion, round=round_.review, name=payload.criterion)
    if nomination.review_item is None:
        raise Http404("review")
    review_score_save(
        actor=request.user, item=nomination.review_item, criterion=criterion, score=payload.score
    )
    return 201, {"nomination": nomination.code, "criterion": criterion.name, "score": payload.score}


@router.post("/rounds/{code}/finalise", response=CareersHonourRoundOut, summary="Rank the list")
def finalise(request: HttpRequest, code: str) -> dict[str, Any]:
    round_ = sel.round_get(request.user, code)
    honours.honour_review_finalise(actor=request.user, round=round_)
    return _round_out(request.user, sel.round_get(request.user, code))


@router.post(
    "/rounds/{code}/notice", response=CareersHonourRoundOut, summary="Publish the public notice"
)
def notice(request: HttpRequest, code: str, payload: CareersHonourStepIn) -> dict[str, Any]:
    round_ = sel.round_get(request.user, code)
    honours.honour_notice_publish(actor=request.user, round=round_, starts_on=payload.starts_on)
    return _round_out(request.user, sel.round_get(request.user, code))


class CareersApproveIn(StrictSchema):
    note: str = Field("", max_length=500)


@router.post(
    "/rounds/{code}/approve",
    response=CareersHonourRoundOut,
    summary="Approve (the level above the organiser): the honours land in the registry",
)
def approve(request: HttpRequest, code: str, payload: CareersApproveIn) -> dict[str, Any]:
    round_ = sel.round_get(request.user, code)
    honours.honour_round_approve(actor=request.user, round=round_, note=payload.note)
    return _round_out(request.user, sel.round_get(request.user, code))


class CareersRecordIn(StrictSchema):
    kind: Literal["criminal", "sanction", "safety", "defaulter", "other"]
    date: dt.date
    until: dt.date | None = None
    note: str = Field("", max_length=200)


class CareersRecordOut(Schema):
    code: str
    kind: str
    date: dt.date
    until: dt.date | None
    note: str


@router.post(
    "/workers/{code}/records",
    response={201: CareersRecordOut},
    summary="Record a disqualifying record (checked at nomination and approval)",
)
def record_add(request: HttpRequest, code: str, payload: CareersRecordIn) -> tuple[int, Any]:
    worker = worker_get(request.user, code)
    return 201, honours.disqualifying_record_add(
        actor=request.user, worker=worker, **payload.dict()
    )


@router.get(
    "/workers/{code}/records",
    response=list[CareersRecordOut],
    summary="A worker's disqualifying records (the honours managers of the worker's subtree)",
)
def record_list(request: HttpRequest, code: str) -> Any:
    worker = get_visible_or_404(
        Worker.objects.select_related("organization"), request.user, honours.MANAGE, code=code
    )
    return list(DisqualifyingRecord.objects.filter(worker=worker).order_by("-date", "-id"))


class CareersRecordEndIn(StrictSchema):
    until: dt.date | None = None
    note: str | None = Field(None, max_length=200)


@router.post(
    "/records/{code}/end",
    response=CareersRecordOut,
    summary="Change the day a disqualifying record stops standing (null: no end)",
)
def record_end(request: HttpRequest, code: str, payload: CareersRecordEndIn) -> Any:
    record = get_visible_or_404(
        DisqualifyingRecord.objects.select_related("worker"),
        request.user,
        honours.MANAGE,
        code=code,
    )
    return honours.disqualifying_record_end(
        actor=request.user, record=record, until=payload.until, note=payload.note
    )


class CareersReturnIn(StrictSchema):
    reason: str = Field(..., max_length=500)


@router.post(
    "/rounds/{code}/return",
    response=CareersHonourRoundOut,
    summary="Return a round in notice to the organiser with a reason (the level above)",
)
def round_return(request: HttpRequest, code: str, payload: CareersReturnIn) -> dict[str, Any]:
    round_ = sel.round_get(request.user, code)
    honours.honour_round_return(actor=request.user, round=round_, reason=payload.reason)
    return _one(request.user, code)
