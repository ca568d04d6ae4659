"""Competitions API (/api/v1/competitions/): set-up, entries, marking, results and publication."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from gongjiang.core.models import Organization
from gongjiang.core.schemas import MAX_INT32, StrictSchema, resolve_from
from gongjiang.workforce.models import Worker

from . import marking, results, selectors, services
from .models import Aspect, Entry, Result, Trade

router = Router(tags=["competitions"])


class CompetitionOut(Schema):
    code: str
    name: str
    year: int
    organiser: str
    level: str
    klass: str
    theory_weight: Decimal
    status: str
    scaler: str
    blind_judging: bool

    resolve_organiser = resolve_from("organization.code")


class CompetitionIn(StrictSchema):
    organiser: str = Field(..., description="code of the organising organisation")
    name: str = Field(..., min_length=1, max_length=200)
    year: int = Field(..., ge=1949, le=2100)
    level: Literal["enterprise", "city", "province", "national"]
    klass: Literal["I", "II"] = "I"
    theory_weight: Decimal = Field(Decimal("0.3"), ge=0, le=1)
    tie_break_criteria: list[str] = []
    scaler: Literal["none", "worldskills"] = "none"
    blind_judging: bool = Field(True, description="judges see draw numbers only until publication")


@router.get(
    "/",
    response=list[CompetitionOut],
    summary="Competitions organised in or entered from my subtrees",
)
def competition_list(request: HttpRequest) -> Any:
    return list(selectors.competition_list(actor=request.user)[:500])


@router.post("/", response={201: CompetitionOut}, summary="Create a competition")
def competition_create(request: HttpRequest, payload: CompetitionIn) -> Any:
    org = (
        Organization.objects.visible_to(request.user, "competitions.change_competition")
        .filter(code=payload.organiser)
        .first()
    )
    if org is None:
        raise Http404("organization")
    data = payload.dict()
    data.pop("organiser")
    return 201, services.competition_create(actor=request.user, organization=org, **data)


@router.get("/{code}", response=CompetitionOut, summary="One competition")
def competition_detail(request: HttpRequest, code: str) -> Any:
    return selectors.competition_get(actor=request.user, code=code)


class EntryOut(Schema):
    code: str
    worker: str
    worker_name: str
    trade: str
    stage: str
    sending_org: str
    status: str
    status_reason: str
    theory_score: Decimal | None
    waiting_rank: int | None
    draw_number: int | None

    resolve_worker = resolve_from("worker.code")
    resolve_worker_name = resolve_from("worker.name")
    resolve_trade = resolve_from("trade.code")
    resolve_stage = resolve_from("stage.code")
    resolve_sending_org = resolve_from("sending_org.code")


class EntryIn(StrictSchema):
    stage: str
    trade: str
    worker: str
    sending_org: str | None = None


@router.get("/{code}/entries", response=list[EntryOut], summary="Entries of a competition")
def entry_list(
    request: HttpRequest, code: str, stage: str = "", trade: str = "", status: str = ""
) -> Any:
    competition = selectors.competition_get(actor=request.user, code=code)
    return list(
        selectors.entry_list(
            actor=request.user, competition=competition, stage=stage, trade=trade, status=status
        )[:2000]
    )


@router.post("/{code}/entries", response={201: EntryOut}, summary="Register or nominate a worker")
def entry_register(request: HttpRequest, code: str, payload: EntryIn) -> Any:
    competition = selectors.competition_get(actor=request.user, code=code)
    stage = competition.stages.filter(code=payload.stage).first()
    trade = Trade.objects.filter(competition=competition, code=payload.trade).first()
    worker = (
        Worker.objects.visible_to(request.user)
        .select_related("organization")
        .filter(code=payload.worker)
        .first()
    )
    if stage is None or trade is None or worker is None:
        raise Http404("stage, trade or worker")
    sending = None
    if payload.sending_org:
        sending = (
            Organization.objects.visible_to(request.user).filter(code=payload.sending_org).first()
        )
        if sending is None:
            raise Http404("organization")
    return 201, services.entry_register(
        actor=request.user, stage=stage, trade=trade, worker=worker, sending_org=sending
    )


class ReasonIn(StrictSchema):
    reason: str = Field("", max_length=300)


@router.post("/entries/{code}/confirm", response=EntryOut, summary="Confirm an entry (organiser)")
def entry_confirm(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    entry = selectors.entry_get(actor=request.user, code=code)
    return services.entry_confirm(actor=request.user, entry=entry, reason=payload.reason)


@router.post(
    "/entries/{code}/withdraw", response=EntryOut, summary="Withdraw an entry, with the reason"
)
def entry_withdraw(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    entry = selectors.entry_get(actor=request.user, code=code)
    return services.entry_withdraw(actor=request.user, entry=entry, reason=payload.reason)


class TheoryIn(StrictSchema):
    score: Decimal | None = Field(..., ge=0, le=100)
    time_taken: int | None = Field(
        None, ge=0, le=100_000, description="minutes (the last tie-break)"
    )


@router.put("/entries/{code}/theory", response=EntryOut, summary="Record the theory score")
def entry_theory(request: HttpRequest, code: str, payload: TheoryIn) -> Any:
    entry = selectors.entry_get(actor=request.user, code=code)
    if payload.time_taken is not None:
        services.entry_time_taken_set(actor=request.user, entry=entry, minutes=payload.time_taken)
    return services.entry_theory_set(actor=request.user, entry=entry, score=payload.score)


# --------------------------------------------------------------------------- marking
class AssignmentOut(Schema):
    code: str
    competition: str
    stage: str
    trade: str
    criterion: str
    is_chief: bool
    signed_off: bool

    resolve_competition = resolve_from("stage.competition.code")
    resolve_stage = resolve_from("stage.code")
    resolve_trade = resolve_from("criterion.trade.name")
    resolve_criterion = resolve_from("criterion.letter")

    @staticmethod
    def resolve_signed_off(obj: Any) -> bool:
        return obj.signed_off_at is not None


@router.get("/judging/assignments", response=list[AssignmentOut], summary="My judge assignments")
def assignment_list(request: HttpRequest) -> Any:
    return list(selectors.assignment_list(actor=request.user))


class CompetitionMarkIn(StrictSchema):
    entry: str
    aspect: str
    value: Decimal
    version: int = Field(
        ..., ge=0, le=MAX_INT32, description="the version you last saw; 0 for a new mark"
    )
    reason: str = Field("", max_length=300)
    confirm: bool = Field(
        False,
        description="save although the measurement is implausible or the entrant's sheet is "
        "complete (otherwise 422 implausible_measurement / overwrite_complete)",
    )


class MarkOut(Schema):
    entry: str
    aspect: str
    value: Decimal
    mark: Decimal
    version: int


def _marking_target(user: Any, entry_code: str, aspect_code: str) -> tuple[Entry, Aspect]:
    """The entry and aspect, if the caller judges that criterion at that stage (else 404)."""
    entry = (
        Entry.objects.select_related(
            "competition__organization", "worker__organization", "sending_org", "stage"
        )
        .filter(code=entry_code)
        .first()
    )
    aspect = (
        Aspect.objects.select_related("criterion", "sub_criterion").filter(code=aspect_code).first()
    )
    if entry is None or aspect is None or aspect.criterion.trade_id != entry.trade_id:
        raise Http404("mark")
    if marking.assignment_for(user, entry.stage_id, aspect.criterion_id) is None:
        raise Http404("mark")
    return entry, aspect


@router.put(
    "/judging/marks", response={200: MarkOut, 201: MarkOut}, summary="Save a mark (409 if stale)"
)
def mark_save(request: HttpRequest, payload: CompetitionMarkIn) -> Any:
    entry, aspect = _marking_target(request.user, payload.entry, payload.aspect)
    saved = marking.mark_save(
        actor=request.user,
        entry=entry,
        aspect=aspect,
        value=payload.value,
        version=payload.version,
        reason=payload.reason,
        confirm=payload.confirm,
    )
    m = saved.mark
    return (201 if saved.created else 200), {
        "entry": entry.code,
        "aspect": aspect.code,
        "value": m.value,
        "mark": m.mark,
        "version": m.version,
    }


@router.post(
    "/judging/assignments/{code}/sign-off", response=AssignmentOut, summary="Sign off my criterion"
)
def sign_off(request: HttpRequest, code: str) -> Any:
    a = selectors.assignment_get(actor=request.user, code=code)
    return marking.criterion_sign_off(actor=request.user, stage=a.stage, criterion=a.criterion)


# --------------------------------------------------------------------------- results
class CompetitionResultOut(Schema):
    entry: str
    draw_number: int | None
    name: str
    trade: str
    rank: int | None
    theory: Decimal | None
    practical: Decimal
    total: Decimal
    scaled: Decimal | None
    prize: str
    complete: bool

    resolve_entry = resolve_from("entry.code")
    resolve_draw_number = resolve_from("entry.draw_number")
    resolve_name = resolve_from("entry.worker.name")
    resolve_trade = resolve_from("entry.trade.name")


@router.get(
    "/stages/{code}/results",
    response=list[CompetitionResultOut],
    summary="Results of a stage, by trade and rank",
)
def stage_results(request: HttpRequest, code: str) -> Any:
    stage = selectors.stage_get(actor=request.user, code=code)
    selectors.competition_get_for_change(actor=request.user, code=stage.competition.code)
    return [r for rows in selectors.stage_results(stage=stage).values() for r in rows]


@router.post(
    "/stages/{code}/compute",
    response=list[CompetitionResultOut],
    summary="Compute the results of every trade",
)
def stage_compute(request: HttpRequest, code: str) -> Any:
    stage = selectors.stage_get(actor=request.user, code=code)
    out: list[Result] = []
    for trade in stage.competition.trades.all():
        results.results_compute(actor=request.user, stage=stage, trade=trade)
    for rows in selectors.stage_results(stage=stage).values():
        out.extend(rows)
    return out


class StageOut(Schema):
    code: str
    name: str
    order: int
    results_approved_at: dt.datetime | None
    published_at: dt.datetime | None


@router.post(
    "/stages/{code}/approve", response=StageOut, summary="Approve the stage's results (organiser)"
)
def stage_approve(request: HttpRequest, code: str) -> Any:
    return results.stage_results_approve(
        actor=request.user, stage=selectors.stage_get(actor=request.user, code=code)
    )


@router.post(
    "/stages/{code}/publish", response=StageOut, summary="Publish approved results; applies awards"
)
def stage_publish(request: HttpRequest, code: str) -> Any:
    return results.stage_results_publish(
        actor=request.user, stage=selectors.stage_get(actor=request.user, code=code)
    )


@router.post(
    "/stages/{code}/withdraw",
    response=StageOut,
    summary="Withdraw published results; reverts awards",
)
def stage_withdraw(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    stage = selectors.stage_get(actor=request.user, code=code)
    return results.stage_results_withdraw(actor=request.user, stage=stage, reason=payload.reason)


class AdvanceOut(Schema):
    advanced: int
    waiting: int


@router.post(
    "/stages/{code}/advance",
    response=AdvanceOut,
    summary="Advance the top N per quota organisation",
)
def stage_advance(request: HttpRequest, code: str) -> Any:
    return results.advancement_run(
        actor=request.user, stage=selectors.stage_get(actor=request.user, code=code)
    )


# --------------------------------------------------------------------------- set-up
class TradeIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=100)
    occupation: str = Field(..., description="职业分类大典 code, e.g. 6-18-02-04")
    skill_level: str = Field(..., description="skill level code assessed, e.g. TECHNICIAN")
    min_skill_level: str | None = None
    max_skill_level: str | None = None
    min_age: int | None = Field(None, ge=16, le=70)
    max_age: int | None = Field(None, ge=16, le=70)
    age_reference_date: dt.date | None = None
    require_occupation: bool = True
    require_active: bool = True
    excluded_titles: list[str] = []


class TradeOut(Schema):
    code: str
    name: str
    occupation_id: str
    skill_level_id: str


@router.post("/{code}/trades", response={201: TradeOut}, summary="Add a trade")
def trade_create(request: HttpRequest, code: str, payload: TradeIn) -> Any:
    from gongjiang.core.models import Occupation, SkillLevel

    competition = selectors.competition_get(actor=request.user, code=code)
    data = payload.dict()
    occupation = Occupation.objects.filter(code=data.pop("occupation")).first()
    levels = {k: data.pop(k) for k in ("skill_level", "min_skill_level", "max_skill_level")}
    known = set(SkillLevel.objects.values_list("code", flat=True))
    if occupation is None or any(v and v not in known for v in levels.values()):
        raise Http404("occupation or skill level")
    return 201, services.trade_create(
        actor=request.user, competition=competition, occupation=occupation, **levels, **data
    )


class StageIn(StrictSchema):
    order: int = Field(..., ge=1, le=20)
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal[
        "national", "provincial", "city", "county", "industry", "enterprise", "team", "department"
    ]
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    venue: str = Field("", max_length=200)
    entry_deadline: dt.date | None = None


@router.post("/{code}/stages", response={201: StageOut}, summary="Add a stage")
def stage_create(request: HttpRequest, code: str, payload: StageIn) -> Any:
    competition = selectors.competition_get(actor=request.user, code=code)
    return 201, services.stage_create(actor=request.user, competition=competition, **payload.dict())


class QuotaIn(StrictSchema):
    trade: str
    organization: str
    places: int = Field(..., ge=0, le=1000)
    waiting: int = Field(2, ge=0, le=100)


class QuotaOut(Schema):
    trade: str
    organization: str
    places: int
    waiting: int

    resolve_trade = resolve_from("trade.code")
    resolve_organization = resolve_from("organization.code")


@router.put("/stages/{code}/quotas", response=QuotaOut, summary="Set a quota for the next stage")
def quota_set(request: HttpRequest, code: str, payload: QuotaIn) -> Any:
    stage = selectors.stage_get(actor=request.user, code=code)
    trade = stage.competition.trades.filter(code=payload.trade).first()
    org = Organization.objects.visible_to(request.user).filter(code=payload.organization).first()
    if trade is None or org is None:
        raise Http404("trade or organization")
    return services.quota_set(
        actor=request.user,
        stage=stage,
        trade=trade,
        organization=org,
        places=payload.places,
        waiting=payload.waiting,
    )


class SchemeIn(StrictSchema):
    criteria: list[dict[str, Any]] = Field(
        ..., description="criteria → sub_criteria → aspects; 100 marks in all"
    )


@router.put("/trades/{code}/scheme", response=TradeOut, summary="Replace a trade's marking scheme")
def scheme_load(request: HttpRequest, code: str, payload: SchemeIn) -> Any:
    trade = (
        Trade.objects.visible_to(request.user, "competitions.view_competition")
        .filter(code=code)
        .first()
    )
    if trade is None:
        raise Http404("trade")
    marking.scheme_load(actor=request.user, trade=trade, scheme=payload.criteria)
    return trade


class JudgeIn(StrictSchema):
    username: str
    trade: str
    letter: str = Field(..., min_length=1, max_length=2)
    is_chief: bool = False


@router.post(
    "/stages/{code}/judges",
    response={201: AssignmentOut},
    summary="Assign a judge (refused on conflict)",
)
def judge_assign(request: HttpRequest, code: str, payload: JudgeIn) -> Any:
    from django.contrib.auth import get_user_model

    stage = selectors.stage_get(actor=request.user, code=code)
    services.require_organiser(request.user, stage.competition)
    criterion = marking.Criterion.objects.filter(
        trade__competition=stage.competition,
        trade__code=payload.trade,
        letter=payload.letter.upper(),
    ).first()
    user = get_user_model().objects.filter(username=payload.username).first()
    if criterion is None or user is None:
        raise Http404("criterion or user")
    return 201, marking.judge_assign(
        actor=request.user, stage=stage, criterion=criterion, user=user, is_chief=payload.is_chief
    )


from .api_judging import router as judging_router  # noqa: E402  (blind judging: draw and queue)

router.add_router("", judging_router)
