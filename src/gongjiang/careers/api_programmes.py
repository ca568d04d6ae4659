"""Worker programmes at /api/v1/careers/programmes/: programmes, eligibility, applications and
their steps, the report. Thin: parse, call the same services and selectors as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.errors import field_error
from gongjiang.core.models import Organization
from gongjiang.core.schemas import Page, PageNumber, PageSize, StrictSchema, Year, paginate
from gongjiang.workforce.models import Worker

from . import programmes as svc
from . import programmes_selectors as sel
from .models_programmes import ProgrammePartner
from .programmes_subsidy import paid_total

router = Router(tags=["careers"])

Money = Field(..., max_length=20, pattern=r"^\d{1,12}(\.\d{1,2})?$")
KindIn = Literal["degree", "skill", "gold_collar", "other"]
TypeIn = Literal["migrant", "contract", "dispatched", "other"]


class CareersProgrammeConditionOut(Schema):
    rule: str
    required: str
    actual: str
    met: bool


class CareersProgrammePartnerOut(Schema):
    code: str
    name: str
    kind: str
    courses: str


class CareersProgrammePlacesOut(Schema):
    unit: str
    unit_name: str
    places: int
    used: int


class CareersProgrammeOut(Schema):
    code: str
    owner: str
    owner_name: str
    title: str
    kind: str
    year: int
    degree: str
    state: str
    description: str
    employment_types: list[str]
    age_min: int
    age_max: int
    skill_level_min: str | None
    skill_level_max: str | None
    education_min: str
    member_required: bool
    subsidy_per_person: Decimal
    subsidy_basis: str
    subsidy_per_year: Decimal
    subsidy_years: int
    fund: str
    fund_balance: Decimal | None
    partners: list[CareersProgrammePartnerOut]
    places: list[CareersProgrammePlacesOut]


def _programme_out(request: HttpRequest, p: Any) -> dict[str, Any]:
    manages = sel.manages(request.user, p)
    return {
        "code": p.code,
        "owner": p.organization.code,
        "owner_name": p.organization.name,
        "title": p.title,
        "kind": p.kind,
        "year": p.year,
        "degree": p.degree,
        "state": p.state,
        "description": p.description,
        "employment_types": p.employment_type_list(),
        "age_min": p.age_min,
        "age_max": p.age_max,
        "skill_level_min": p.skill_level_min_id,
        "skill_level_max": p.skill_level_max_id,
        "education_min": p.education_min,
        "member_required": p.member_required,
        "subsidy_per_person": p.subsidy_per_person,
        "subsidy_basis": p.subsidy_basis,
        "subsidy_per_year": p.subsidy_per_year,
        "subsidy_years": p.subsidy_years,
        "fund": p.fund.code if manages else "",
        "fund_balance": p.fund.balance if manages else None,
        "partners": list(p.partners.all()),
        "places": [
            {"unit": r.unit.code, "unit_name": r.unit.name, "places": r.places, "used": r.used}
            for r in sel.places(p)
        ],
    }


class CareersProgrammeProgressOut(Schema):
    code: str
    date: dt.date
    title: str
    hours: Decimal
    result: str


class CareersProgrammeSubsidyYearOut(Schema):
    academic_year: int
    starts: dt.date
    amount: Decimal
    paid: bool
    due: bool
    entry: str
    reference: str


def _years_out(a: Any) -> list[dict[str, Any]]:
    from .programmes_subsidy import schedule

    return [
        {
            "academic_year": r.n,
            "starts": r.starts,
            "amount": r.line.amount if r.line else r.amount,
            "paid": r.line is not None,
            "due": r.due,
            "entry": r.line.entry.code if r.line else "",
            "reference": r.line.reference if r.line else "",
        }
        for r in schedule(a)
    ]


class CareersProgrammeApplicationOut(Schema):
    code: str
    programme: str
    programme_title: str
    worker: str
    worker_name: str
    unit: str
    employment_type: str
    partner: str
    course: str
    status: str
    conditions: list[CareersProgrammeConditionOut]
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str
    enrolled_on: dt.date | None
    completed_on: dt.date | None
    outcome: str
    certificate_number: str
    outcome_ref: str
    subsidy_paid: Decimal | None
    subsidy_years: list[CareersProgrammeSubsidyYearOut]
    progress: list[CareersProgrammeProgressOut]


def _application_out(a: Any) -> dict[str, Any]:
    return {
        "code": a.code,
        "programme": a.programme.code,
        "programme_title": a.programme.title,
        "worker": a.worker.code,
        "worker_name": a.worker.name,
        "unit": a.unit.code,
        "employment_type": a.employment_type,
        "partner": a.partner.name if a.partner else "",
        "course": a.course,
        "status": a.status,
        "conditions": a.conditions,
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
        "decision_note": a.decision_note,
        "enrolled_on": a.enrolled_on,
        "completed_on": a.completed_on,
        "outcome": a.outcome,
        "certificate_number": a.certificate_number,
        "outcome_ref": a.outcome_ref,
        "subsidy_paid": paid_total(a),
        "subsidy_years": _years_out(a),
        "progress": list(sel.progress(a)),
    }


class CareersProgrammePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersProgrammeOut]


class CareersProgrammeListQuery(Schema):
    state: Literal["", "open", "closed", "finished"] = ""
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get("", response=CareersProgrammePage, summary="Worker programmes the user may read")
def programme_list(request: HttpRequest, query: Query[CareersProgrammeListQuery]) -> dict[str, Any]:
    qs = sel.programmes(request.user).select_related("fund").order_by("-year", "-id")
    if query.state:
        qs = qs.filter(state=query.state)
    result = paginate(qs, query.page, query.page_size)
    result["items"] = [_programme_out(request, p) for p in result["items"]]
    return result


class CareersProgrammeIn(StrictSchema):
    owner: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=200)
    kind: KindIn
    year: Year
    budget: str = Money
    degree: Literal["", "大专", "本科"] = ""
    description: str = Field("", max_length=5000)
    subsidy_per_person: str | None = Field(None, max_length=20, pattern=r"^\d{1,12}(\.\d{1,2})?$")
    subsidy_basis: Literal["completion", "per_year"] = "completion"
    subsidy_per_year: str | None = Field(None, max_length=20, pattern=r"^\d{1,12}(\.\d{1,2})?$")
    subsidy_years: int | None = Field(None, ge=1, le=8)
    employment_types: list[TypeIn] | None = Field(None, max_length=4)
    age_min: int | None = Field(None, ge=16, le=70)
    age_max: int | None = Field(None, ge=16, le=70)
    skill_level_min: str | None = Field(None, max_length=30)
    skill_level_max: str | None = Field(None, max_length=30)
    education_min: str | None = Field(None, max_length=20)
    member_required: bool | None = None


@router.post("", response={201: CareersProgrammeOut}, summary="Create a worker programme")
def programme_create(request: HttpRequest, payload: CareersProgrammeIn) -> tuple[int, Any]:
    data = payload.dict()
    owner = get_visible_or_404(
        Organization.objects.all(), request.user, svc.MANAGE, code=data.pop("owner")
    )
    p = svc.programme_create(actor=request.user, organization=owner, **data)
    return 201, _programme_out(request, p)


class CareersMinePageQuery(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get(
    "/mine",
    response=Page[CareersProgrammeApplicationOut],
    summary="My own applications, newest first, a page at a time",
)
def my_applications(request: HttpRequest, query: Query[CareersMinePageQuery]) -> dict[str, Any]:
    qs = sel.mine(request.user).order_by("-submitted_at", "-id")
    result = paginate(qs, query.page, query.page_size)
    result["items"] = [_application_out(a) for a in result["items"]]
    return result


@router.get("/{code}", response=CareersProgrammeOut, summary="One worker programme")
def programme_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _programme_out(request, sel.programme_get(request.user, code))


class CareersProgrammePartnerIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["university", "open_university", "vocational", "craftsman", "enterprise"]
    courses: str = Field("", max_length=300)


@router.post(
    "/{code}/partners",
    response={201: CareersProgrammePartnerOut},
    summary="Add a partner institution",
)
def partner_add(
    request: HttpRequest, code: str, payload: CareersProgrammePartnerIn
) -> tuple[int, Any]:
    p = sel.programme_get(request.user, code)
    return 201, svc.programme_partner_add(actor=request.user, programme=p, **payload.dict())


class CareersProgrammePlacesIn(StrictSchema):
    unit: str = Field(..., min_length=1, max_length=20)
    places: int = Field(..., ge=0, le=1000000)


@router.post("/{code}/places", response=CareersProgrammeOut, summary="Set a unit's places")
def places_set(
    request: HttpRequest, code: str, payload: CareersProgrammePlacesIn
) -> dict[str, Any]:
    p = sel.programme_get(request.user, code)
    unit = get_visible_or_404(
        Organization.objects.all(), request.user, svc.MANAGE, code=payload.unit
    )
    svc.programme_places_set(
        actor=request.user, programme=p, organization=unit, places=payload.places
    )
    return _programme_out(request, p)


class CareersProgrammeBudgetIn(StrictSchema):
    amount: str = Money
    memo: str = Field("", max_length=500)


@router.post(
    "/{code}/budget", response=CareersProgrammeOut, summary="Add money to the programme's fund"
)
def budget_add(
    request: HttpRequest, code: str, payload: CareersProgrammeBudgetIn
) -> dict[str, Any]:
    p = sel.programme_get(request.user, code)
    svc.programme_budget_add(
        actor=request.user, programme=p, amount=payload.amount, memo=payload.memo
    )
    p.fund.refresh_from_db()
    return _programme_out(request, p)


class CareersProgrammeStateIn(StrictSchema):
    state: Literal["open", "closed", "finished"]


@router.post(
    "/{code}/state", response=CareersProgrammeOut, summary="Open, close or finish the programme"
)
def state_set(request: HttpRequest, code: str, payload: CareersProgrammeStateIn) -> dict[str, Any]:
    p = sel.programme_get(request.user, code)
    return _programme_out(
        request, svc.programme_state_set(actor=request.user, programme=p, state=payload.state)
    )


class CareersProgrammeEligibilityOut(Schema):
    eligible: bool
    conditions: list[CareersProgrammeConditionOut]


class CareersProgrammeEligibilityQuery(Schema):
    worker: str = Field("", max_length=20, description="a worker's code; empty: oneself")


def _worker(request: HttpRequest, code: str) -> Worker:
    if not code:
        from .selectors import own_worker

        return own_worker(request.user)
    qs = Worker.objects.select_related("organization")
    return get_visible_or_404(qs, request.user, svc.APPLY, code=code)


@router.get(
    "/{code}/eligibility",
    response=CareersProgrammeEligibilityOut,
    summary="Every condition for a worker, met or not",
)
def eligibility(
    request: HttpRequest, code: str, query: Query[CareersProgrammeEligibilityQuery]
) -> dict[str, Any]:
    p = sel.programme_get(request.user, code)
    conditions = svc.eligibility(p, _worker(request, query.worker))
    return {"eligible": all(c["met"] for c in conditions), "conditions": conditions}


class CareersProgrammeApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersProgrammeApplicationOut]


class CareersProgrammeApplicationsQuery(Schema):
    status: Literal[
        "", "submitted", "selected", "not_selected", "enrolled", "completed", "dropped", "withdrawn"
    ] = ""
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get(
    "/{code}/applications",
    response=CareersProgrammeApplicationPage,
    summary="A programme's applications in scope",
)
def application_list(
    request: HttpRequest, code: str, query: Query[CareersProgrammeApplicationsQuery]
) -> dict[str, Any]:
    p = sel.programme_get(request.user, code)
    result = paginate(
        sel.applications(request.user, p, query.status).order_by("-submitted_at", "-id"),
        query.page,
        query.page_size,
    )
    result["items"] = [_application_out(a) for a in result["items"]]
    return result


class CareersProgrammeApplyIn(StrictSchema):
    worker: str = Field("", max_length=20, description="empty: the user applies for themselves")
    partner: str = Field("", max_length=20)
    course: str = Field("", max_length=100)
    note: str = Field("", max_length=500)


@router.post(
    "/{code}/applications",
    response={201: CareersProgrammeApplicationOut},
    summary="Apply (oneself, or a worker of one's subtree)",
)
def apply(request: HttpRequest, code: str, payload: CareersProgrammeApplyIn) -> tuple[int, Any]:
    p = sel.programme_get(request.user, code)
    worker = _worker(request, payload.worker)
    partner = None
    if payload.partner:
        partner = ProgrammePartner.objects.filter(programme=p, code=payload.partner).first()
        if partner is None:
            raise field_error("partner", _("Choose one of the programme's institutions."))
    a = svc.programme_apply(
        actor=request.user,
        programme=p,
        worker=worker,
        partner=partner,
        course=payload.course,
        note=payload.note,
    )
    return 201, _application_out(a)


class CareersProgrammeReportRow(Schema):
    unit: str
    employment_type: str
    applicants: int
    participants: int
    graduates: int


@router.get(
    "/{code}/report",
    response=list[CareersProgrammeReportRow],
    summary="Participants and graduates by unit and employment type",
)
def report(request: HttpRequest, code: str) -> list[Any]:
    p = sel.programme_get(request.user, code)
    return [r.__dict__ for r in sel.report(request.user, p)]


@router.get(
    "/applications/{code}",
    response=CareersProgrammeApplicationOut,
    summary="One application with its progress",
)
def application_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _application_out(sel.application_get(request.user, code))


class CareersProgrammeSelectIn(StrictSchema):
    selected: bool
    note: str = Field("", max_length=500)


@router.post(
    "/applications/{code}/select",
    response=CareersProgrammeApplicationOut,
    summary="Select or turn down (not by the nominator)",
)
def select(request: HttpRequest, code: str, payload: CareersProgrammeSelectIn) -> dict[str, Any]:
    a = sel.application_get(request.user, code)
    return _application_out(
        svc.programme_select(
            actor=request.user, application=a, selected=payload.selected, note=payload.note
        )
    )


class CareersProgrammeEnrolIn(StrictSchema):
    enrolled_on: dt.date
    student_number: str = Field("", max_length=40)


@router.post(
    "/applications/{code}/enrol",
    response=CareersProgrammeApplicationOut,
    summary="Enrol a selected applicant",
)
def enrol(request: HttpRequest, code: str, payload: CareersProgrammeEnrolIn) -> dict[str, Any]:
    a = sel.application_get(request.user, code)
    return _application_out(
        svc.programme_enrol(actor=request.user, application=a, **payload.dict())
    )


class CareersProgrammeProgressIn(StrictSchema):
    date: dt.date
    title: str = Field(..., min_length=1, max_length=100)
    hours: Decimal = Field(..., ge=0, le=2000, max_digits=6, decimal_places=1)
    result: str = Field("", max_length=60)


@router.post(
    "/applications/{code}/progress",
    response={201: CareersProgrammeProgressOut},
    summary="Record progress",
)
def progress_add(
    request: HttpRequest, code: str, payload: CareersProgrammeProgressIn
) -> tuple[int, Any]:
    a = sel.application_get(request.user, code)
    return 201, svc.programme_progress_add(actor=request.user, application=a, **payload.dict())


class CareersProgrammeCompleteIn(StrictSchema):
    outcome: Literal["graduated", "certificate"]
    completed_on: dt.date
    certificate_number: str = Field("", max_length=40)


@router.post(
    "/applications/{code}/complete",
    response=CareersProgrammeApplicationOut,
    summary="Graduation or certificate (written to the registry once)",
)
def complete(
    request: HttpRequest, code: str, payload: CareersProgrammeCompleteIn
) -> dict[str, Any]:
    a = sel.application_get(request.user, code)
    return _application_out(
        svc.programme_complete(actor=request.user, application=a, **payload.dict())
    )


class CareersProgrammeNoteIn(StrictSchema):
    note: str = Field("", max_length=500)


@router.post(
    "/applications/{code}/drop",
    response=CareersProgrammeApplicationOut,
    summary="Record a drop-out",
)
def drop(request: HttpRequest, code: str, payload: CareersProgrammeNoteIn) -> dict[str, Any]:
    a = sel.application_get(request.user, code)
    return _application_out(
        svc.programme_drop(actor=request.user, application=a, note=payload.note)
    )


@router.post(
    "/applications/{code}/withdraw",
    response=CareersProgrammeApplicationOut,
    summary="Withdraw an undecided application",
)
def withdraw(request: HttpRequest, code: str) -> dict[str, Any]:
    a = sel.application_get(request.user, code)
    return _application_out(svc.programme_application_withdraw(actor=request.user, application=a))


class CareersProgrammeSubsidyIn(StrictSchema):
    reference: str = Field("", max_length=200)
    academic_year: int | None = Field(
        None, ge=1, le=8, description="per-year programmes: the year to pay (default: earliest due)"
    )


@router.post(
    "/applications/{code}/subsidy",
    response=CareersProgrammeApplicationOut,
    summary="Pay the subsidy from the programme's fund",
)
def subsidy(request: HttpRequest, code: str, payload: CareersProgrammeSubsidyIn) -> dict[str, Any]:
    a = sel.application_get(request.user, code)
    return _application_out(
        svc.programme_subsidy_pay(
            actor=request.user,
            application=a,
            reference=payload.reference,
            academic_year=payload.academic_year,
        )
    )


# ------------------------------------------------------------- every due academic year at once
class CareersProgrammeSubsidyRunOut(Schema):
    academic_year: int | None
    count: int = Field(description="academic years paid (or due, in the preview)")
    total: Decimal
    left_out: int = Field(description="years left for another manager (filed or nominated)")
    job: str | None = Field(None, description="a large run: the background job to follow")


class CareersProgrammeSubsidyRunIn(StrictSchema):
    academic_year: int | None = Field(None, ge=1, le=8, description="only this academic year")
    reference: str = Field("", max_length=200)
    expected_count: int | None = Field(
        None, ge=0, le=10_000_000, description="the preview's count: refused (409) when it changed"
    )
    expected_total: str | None = Field(
        None, max_length=20, pattern=r"^\d{1,12}(\.\d{1,2})?$", description="the preview's total"
    )


def _run_out(run: Any, job: Any = None) -> dict[str, Any]:
    if run is None:
        params = job.params
        return {
            "academic_year": params.get("academic_year"),
            "count": params.get("expected_count") or 0,
            "total": Decimal(params.get("expected_total") or "0"),
            "left_out": 0,
            "job": job.code,
        }
    return {**run.as_dict(), "total": run.total, "job": None}


@router.get(
    "/{code}/subsidies/due",
    response=CareersProgrammeSubsidyRunOut,
    summary="Per-year programmes: what a run would pay now (count and total)",
)
def subsidies_due(
    request: HttpRequest, code: str, academic_year: int | None = Query(None, ge=1, le=8)
) -> dict[str, Any]:
    from . import programmes_batch as batch

    p = sel.programme_get(request.user, code)
    return _run_out(
        batch.subsidies_due(actor=request.user, programme=p, academic_year=academic_year)
    )


@router.post(
    "/{code}/subsidies/pay",
    response={200: CareersProgrammeSubsidyRunOut, 202: CareersProgrammeSubsidyRunOut},
    summary="Pay every due academic year of the programme (all or nothing; large runs: a job)",
)
def subsidies_pay(
    request: HttpRequest, code: str, payload: CareersProgrammeSubsidyRunIn
) -> tuple[int, dict[str, Any]]:
    from . import programmes_batch as batch

    p = sel.programme_get(request.user, code)
    started = batch.programme_subsidies_run(
        actor=request.user,
        programme=p,
        academic_year=payload.academic_year,
        reference=payload.reference,
        expected_count=payload.expected_count,
        expected_total=payload.expected_total,
    )
    if started.job is not None:
        return 202, _run_out(None, started.job)
    return 200, _run_out(started.run)
