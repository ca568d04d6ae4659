"""The enterprise new-style apprenticeship at /api/v1/careers/apprenticeship/: rules, pilots,
institutions, cohorts, apprentices and their training, subsidy claims, the dashboard and the claims
report. Thin: parse, call the same services and selectors as the pages. Everything out of the
caller's scope answers 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.errors import field_error
from gongjiang.core.models import Organization
from gongjiang.core.schemas import Page, PageNumber, PageSize, StrictSchema, Year, paginate
from gongjiang.workforce.models import Worker

from . import apprenticeship as svc
from . import apprenticeship_rules as R
from . import apprenticeship_selectors as sel
from .apprenticeship_common import MANAGE, PILOT, RULES, VIEW, RuleSet
from .models_apprentice import ApprenticePlanItem, TrainingInstitution

router = Router(tags=["careers"])

Code = Field(..., min_length=1, max_length=20)
LevelIn = Literal["INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN"]
KeyIn = Literal[
    "period_min",
    "period_max",
    "period_special_max",
    "subsidy_per_year",
    "mentor_min_level",
    "mentor_max_apprentices",
    "contract_min_months",
    "required_documents",
]
DocumentKind = Literal["agreement", "contract", "cooperation", "plan", "roster", "costs"]
Hours = Field(..., ge=0, le=2000, max_digits=5, decimal_places=1)


# ------------------------------------------------------------------------------------ rules
class CareersApprenticeRuleOut(Schema):
    key: str
    level: str
    value: str
    source: str
    set_at: str = Field(description="the organisation that set it; empty: the policy")


class CareersApprenticeRulesOut(Schema):
    organization: str
    organization_name: str
    subsidy_floor: Decimal = Field(description="the 2021 guidance's yearly floor (原则上)")
    rules: list[CareersApprenticeRuleOut]


class CareersApprenticeRulesQuery(Schema):
    organization: str = Field(..., min_length=1, max_length=20)


def _rules_out(org: Organization) -> dict[str, Any]:
    return {
        "organization": org.code,
        "organization_name": org.name,
        "subsidy_floor": R.SUBSIDY_FLOOR,
        "rules": [r.__dict__ for r in RuleSet(org).table()],
    }


@router.get(
    "/rules", response=CareersApprenticeRulesOut, summary="The rules standing for an organisation"
)
def rules(request: HttpRequest, query: Query[CareersApprenticeRulesQuery]) -> dict[str, Any]:
    org = get_visible_or_404(
        Organization.objects.all(), request.user, VIEW, code=query.organization
    )
    return _rules_out(org)


class CareersApprenticeRuleIn(StrictSchema):
    organization: str = Code
    key: KeyIn
    level: Literal["", "INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN"] = ""
    value: str = Field("", max_length=200, description="empty: clear (the level above stands)")
    source: str = Field("", max_length=200)


@router.post(
    "/rules", response=CareersApprenticeRulesOut, summary="Set or clear a rule for a subtree"
)
def rule_set(request: HttpRequest, payload: CareersApprenticeRuleIn) -> dict[str, Any]:
    org = get_visible_or_404(
        Organization.objects.all(), request.user, RULES, code=payload.organization
    )
    svc.apprentice_rule_set(
        actor=request.user,
        organization=org,
        key=payload.key,
        level=payload.level,
        value=payload.value,
        source=payload.source,
    )
    return _rules_out(org)


# ---------------------------------------------------------------------- pilots, institutions
class CareersApprenticePilotOut(Schema):
    code: str
    enterprise: str
    enterprise_name: str
    region: str
    since: dt.date
    designated_by: str
    note: str


def _pilot_out(p: Any) -> dict[str, Any]:
    return {
        "code": p.code,
        "enterprise": p.organization.code,
        "enterprise_name": p.organization.name,
        "region": p.organization.region_id,
        "since": p.since,
        "designated_by": p.designated_by,
        "note": p.note,
    }


class CareersApprenticePilotPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersApprenticePilotOut]


class CareersApprenticePageQuery(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get("/pilots", response=CareersApprenticePilotPage, summary="Pilot enterprises in scope")
def pilot_list(request: HttpRequest, query: Query[CareersApprenticePageQuery]) -> dict[str, Any]:
    result = paginate(
        sel.pilots(request.user).order_by("organization__path"), query.page, query.page_size
    )
    result["items"] = [_pilot_out(p) for p in result["items"]]
    return result


class CareersApprenticePilotIn(StrictSchema):
    enterprise: str = Code
    since: dt.date
    designated_by: str = Field("", max_length=100)
    note: str = Field("", max_length=500)


@router.post(
    "/pilots",
    response={201: CareersApprenticePilotOut},
    summary="Designate a pilot enterprise (a body above it)",
)
def pilot_create(request: HttpRequest, payload: CareersApprenticePilotIn) -> tuple[int, Any]:
    org = get_visible_or_404(
        Organization.objects.all(), request.user, PILOT, code=payload.enterprise
    )
    pilot = svc.apprentice_pilot_create(
        actor=request.user,
        organization=org,
        since=payload.since,
        designated_by=payload.designated_by,
        note=payload.note,
    )
    return 201, _pilot_out(pilot)


@router.get("/pilots/{code}", response=CareersApprenticePilotOut, summary="One pilot enterprise")
def pilot_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _pilot_out(sel.pilot_get(request.user, code))


class CareersApprenticeInstitutionOut(Schema):
    code: str
    name: str
    kind: str
    registered_by: str


def _institution_out(i: TrainingInstitution) -> dict[str, Any]:
    return {
        "code": i.code,
        "name": i.name,
        "kind": i.kind,
        "registered_by": i.organization.code,
    }


@router.get(
    "/institutions",
    response=Page[CareersApprenticeInstitutionOut],
    summary="Training institutions registered in scope, a page at a time",
)
def institution_list(
    request: HttpRequest, query: Query[CareersApprenticePageQuery]
) -> dict[str, Any]:
    qs = sel.institutions(request.user).order_by("name", "id")
    result = paginate(qs, query.page, query.page_size)
    result["items"] = [_institution_out(i) for i in result["items"]]
    return result


class CareersApprenticeInstitutionIn(StrictSchema):
    organization: str = Code
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["technical", "vocational", "training", "enterprise", "public"]


@router.post(
    "/institutions",
    response={201: CareersApprenticeInstitutionOut},
    summary="Register a training institution for a subtree",
)
def institution_create(
    request: HttpRequest, payload: CareersApprenticeInstitutionIn
) -> tuple[int, Any]:
    org = get_visible_or_404(
        Organization.objects.all(), request.user, MANAGE, code=payload.organization
    )
    i = svc.training_institution_create(
        actor=request.user, organization=org, name=payload.name, kind=payload.kind
    )
    return 201, _institution_out(i)


# ------------------------------------------------------------------------------------ cohorts
class CareersApprenticeCohortOut(Schema):
    code: str
    pilot: str
    enterprise_name: str
    institution: str
    institution_name: str
    name: str
    occupation: str
    occupation_name: str
    level: str
    year: int
    apprentices: int


def _cohort_out(c: Any) -> dict[str, Any]:
    return {
        "code": c.code,
        "pilot": c.pilot.code,
        "enterprise_name": c.pilot.organization.name,
        "institution": c.institution.code,
        "institution_name": c.institution.name,
        "name": c.name,
        "occupation": c.occupation_id,
        "occupation_name": c.occupation.name,
        "level": c.level_id,
        "year": c.year,
        "apprentices": getattr(c, "n_apprentices", 0),
    }


class CareersApprenticeCohortPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersApprenticeCohortOut]


class CareersApprenticeCohortQuery(Schema):
    pilot: str = Field("", max_length=20)
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get("/cohorts", response=CareersApprenticeCohortPage, summary="Cohorts in scope")
def cohort_list(request: HttpRequest, query: Query[CareersApprenticeCohortQuery]) -> dict[str, Any]:
    pilot = sel.pilot_get(request.user, query.pilot) if query.pilot else None
    qs = sel.cohorts(request.user, pilot).order_by("-year", "-id")
    result = paginate(qs, query.page, query.page_size)
    result["items"] = [_cohort_out(c) for c in result["items"]]
    return result


class CareersApprenticeCohortIn(StrictSchema):
    pilot: str = Code
    institution: str = Code
    name: str = Field(..., min_length=1, max_length=100)
    occupation: str = Field(..., min_length=1, max_length=20)
    level: LevelIn
    year: Year


@router.post("/cohorts", response={201: CareersApprenticeCohortOut}, summary="Create a cohort")
def cohort_create(request: HttpRequest, payload: CareersApprenticeCohortIn) -> tuple[int, Any]:
    pilot = sel.pilot_get(request.user, payload.pilot)
    institution = svc.institutions_for(pilot).filter(code=payload.institution).first()
    if institution is None:
        raise field_error("institution", _("Choose an institution registered for this pilot."))
    c = svc.apprentice_cohort_create(
        actor=request.user,
        pilot=pilot,
        institution=institution,
        name=payload.name,
        occupation=payload.occupation,
        level=payload.level,
        year=payload.year,
    )
    return 201, _cohort_out(sel.cohort_get(request.user, c.code))


@router.get("/cohorts/{code}", response=CareersApprenticeCohortOut, summary="One cohort")
def cohort_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _cohort_out(sel.cohort_get(request.user, code))


# -------------------------------------------------------------------------------- apprentices
class CareersApprenticePlanItemOut(Schema):
    code: str
    kind: str
    title: str
    course: str
    hours: Decimal
    due_on: dt.date | None
    done_on: dt.date | None
    result: str


class CareersApprenticeProgressOut(Schema):
    month: dt.date
    workplace_hours: Decimal
    institution_hours: Decimal
    summary: str
    mentor_comment: str


class CareersApprenticeOut(Schema):
    code: str
    cohort: str
    cohort_name: str
    worker: str
    worker_name: str
    origin: str
    agreement_number: str
    signed_on: dt.date
    contract_months: int
    starts_on: dt.date
    ends_on: dt.date
    months: int
    special_reason: str
    occupation: str
    target_level: str
    mentor: str
    mentor_name: str
    teacher_name: str
    status: str
    stage: str
    ended_on: dt.date | None
    evaluation_plan: str
    certificate: str
    hours_planned: Decimal
    hours_credited: Decimal
    plan: list[CareersApprenticePlanItemOut]
    progress: list[CareersApprenticeProgressOut]


def _apprentice_out(a: Any, *, detail: bool = True) -> dict[str, Any]:
    items = sel.plan(a) if detail else []
    summary = sel.plan_summary(items, 0)
    certificate = sel.certificate_of(a) if detail else None
    return {
        "code": a.code,
        "cohort": a.cohort.code,
        "cohort_name": a.cohort.name,
        "worker": a.worker.code,
        "worker_name": a.worker.name,
        "origin": a.origin,
        "agreement_number": a.agreement_number,
        "signed_on": a.signed_on,
        "contract_months": a.contract_months,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "months": R.whole_months(a.starts_on, a.ends_on),
        "special_reason": a.special_reason,
        "occupation": a.cohort.occupation_id,
        "target_level": a.cohort.level_id,
        "mentor": a.mentor.code,
        "mentor_name": a.mentor.name,
        "teacher_name": a.teacher_name,
        "status": a.status,
        "stage": getattr(a, "stage", a.status),
        "ended_on": a.ended_on,
        "evaluation_plan": a.candidate.plan.code if a.candidate_id else "",
        "certificate": certificate.number if certificate else "",
        "hours_planned": summary.hours_planned,
        "hours_credited": summary.hours_credited,
        "plan": [
            {
                "code": i.code,
                "kind": i.kind,
                "title": i.title,
                "course": i.course.code if i.course_id else "",
                "hours": i.hours,
                "due_on": i.due_on,
                "done_on": i.done_on,
                "result": i.result,
            }
            for i in items
        ],
        "progress": list(sel.progress(a)) if detail else [],
    }


class CareersApprenticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CareersApprenticeOut]


@router.get(
    "/cohorts/{code}/apprentices",
    response=CareersApprenticePage,
    summary="A cohort's apprentices (plan and progress on each apprentice's own answer)",
)
def apprentice_list(
    request: HttpRequest, code: str, query: Query[CareersApprenticePageQuery]
) -> dict[str, Any]:
    cohort = sel.cohort_get(request.user, code)
    qs = sel.apprentices(request.user, cohort).order_by("worker__name_pinyin", "id")
    result = paginate(qs, query.page, query.page_size)
    result["items"] = [_apprentice_out(a, detail=False) for a in result["items"]]
    return result


class CareersApprenticeIn(StrictSchema):
    worker: str = Code
    origin: Literal["new_hire", "transferred"]
    agreement_number: str = Field("", max_length=40)
    signed_on: dt.date
    contract_months: int = Field(..., ge=1, le=600)
    starts_on: dt.date
    ends_on: dt.date
    special_reason: str = Field("", max_length=300)
    mentor: str = Code
    teacher_name: str = Field(..., min_length=1, max_length=50)
    teacher: str = Field("", max_length=150, description="the teacher's login name, if any")


def _worker(request: HttpRequest, code: str, field: str) -> Worker:
    try:
        return get_visible_or_404(
            Worker.objects.select_related("organization", "skill_level"),
            request.user,
            MANAGE,
            code=code,
        )
    except Http404:
        raise field_error(field, _("No such worker in your scope.")) from None


def _teacher(username: str) -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise field_error("teacher", _("No such login."))
    return user


@router.post(
    "/cohorts/{code}/apprentices",
    response={201: CareersApprenticeOut},
    summary="Enrol an apprentice with the training agreement",
)
def apprentice_enrol(
    request: HttpRequest, code: str, payload: CareersApprenticeIn
) -> tuple[int, Any]:
    cohort = sel.cohort_get(request.user, code)
    data = payload.dict()
    a = svc.apprentice_enrol(
        actor=request.user,
        cohort=cohort,
        worker=_worker(request, data.pop("worker"), "worker"),
        mentor=_worker(request, data.pop("mentor"), "mentor"),
        teacher=_teacher(data.pop("teacher")),
        **data,
    )
    return 201, _apprentice_out(sel.apprentice_get(request.user, a.code))


class CareersApprenticeMineOut(Schema):
    apprenticeships: list[CareersApprenticeOut]
    mentored: CareersApprenticePage


@router.get(
    "/mine",
    response=CareersApprenticeMineOut,
    summary="My apprenticeships (all, newest first), and one page (?page=, ?page_size=) of the "
    "apprentices I mentor or teach",
)
def mine(request: HttpRequest, query: Query[CareersApprenticePageQuery]) -> dict[str, Any]:
    mentored = paginate(sel.mentored(request.user), query.page, query.page_size)
    mentored["items"] = [_apprentice_out(a, detail=False) for a in mentored["items"]]
    # one's own apprenticeships are a handful in a working life: all of them, never cut
    return {
        "apprenticeships": [_apprentice_out(a) for a in sel.mine(request.user)],
        "mentored": mentored,
    }


@router.get(
    "/apprentices/{code}", response=CareersApprenticeOut, summary="One apprentice with the plan"
)
def apprentice_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _apprentice_out(sel.apprentice_get(request.user, code))


def _again(request: HttpRequest, code: str) -> dict[str, Any]:
    return _apprentice_out(sel.apprentice_get(request.user, code))


class CareersApprenticeMentorIn(StrictSchema):
    mentor: str = Field("", max_length=20)
    teacher_name: str = Field("", max_length=50)
    teacher: str = Field("", max_length=150)


@router.post(
    "/apprentices/{code}/mentors",
    response=CareersApprenticeOut,
    summary="Change the enterprise mentor or the institution teacher",
)
def mentors(request: HttpRequest, code: str, payload: CareersApprenticeMentorIn) -> dict[str, Any]:
    a = sel.apprentice_get(request.user, code)
    svc.apprentice_mentor_change(
        actor=request.user,
        apprentice=a,
        mentor=_worker(request, payload.mentor, "mentor") if payload.mentor else None,
        teacher_name=payload.teacher_name or None,
        teacher=_teacher(payload.teacher),
    )
    return _again(request, code)


class CareersApprenticePlanItemIn(StrictSchema):
    kind: Literal["course", "task", "assessment"]
    title: str = Field("", max_length=200)
    course: str = Field("", max_length=20)
    hours: Decimal | None = Field(None, ge=0, le=2000, max_digits=5, decimal_places=1)
    due_on: dt.date | None = None


@router.post(
    "/apprentices/{code}/plan",
    response={201: CareersApprenticeOut},
    summary="Add a course, a workplace task or an assessment to the plan",
)
def plan_item_add(
    request: HttpRequest, code: str, payload: CareersApprenticePlanItemIn
) -> tuple[int, Any]:
    a = sel.apprentice_get(request.user, code)
    course = None
    if payload.kind == "course":
        from gongjiang.learning.courses.services import course_get_for_learner

        try:
            course = course_get_for_learner(actor=request.user, code=payload.course)
        except Http404:
            raise field_error("course", _("Choose a course of the learning system.")) from None
    svc.apprentice_plan_item_add(
        actor=request.user,
        apprentice=a,
        kind=payload.kind,
        title=payload.title,
        hours=payload.hours,
        due_on=payload.due_on,
        course=course,
    )
    return 201, _again(request, code)


class CareersApprenticeDoneIn(StrictSchema):
    done_on: dt.date
    result: str = Field("", max_length=60)


@router.post(
    "/apprentices/{code}/plan/{item}/done",
    response=CareersApprenticeOut,
    summary="A task or an assessment done (mentor, teacher or manager)",
)
def plan_item_done(
    request: HttpRequest, code: str, item: str, payload: CareersApprenticeDoneIn
) -> dict[str, Any]:
    a = sel.apprentice_get(request.user, code)
    row = ApprenticePlanItem.objects.filter(apprentice=a, code=item).first()
    if row is None:
        raise Http404("plan item")
    svc.apprentice_plan_item_done(
        actor=request.user, item=row, done_on=payload.done_on, result=payload.result
    )
    return _again(request, code)


@router.post(
    "/apprentices/{code}/courses/credit",
    response=CareersApprenticeOut,
    summary="Credit the courses the apprentice completed in the learning system",
)
def courses_credit(request: HttpRequest, code: str) -> dict[str, Any]:
    a = sel.apprentice_get(request.user, code)
    svc.apprentice_courses_credit(actor=request.user, apprentice=a)
    return _again(request, code)


class CareersApprenticeProgressIn(StrictSchema):
    month: dt.date = Field(..., description="any day of the month")
    workplace_hours: Decimal = Hours
    institution_hours: Decimal = Hours
    summary: str = Field(..., min_length=1, max_length=500)
    mentor_comment: str = Field("", max_length=500)


@router.post(
    "/apprentices/{code}/progress",
    response=CareersApprenticeOut,
    summary="Record (or replace) a month's progress",
)
def progress(
    request: HttpRequest, code: str, payload: CareersApprenticeProgressIn
) -> dict[str, Any]:
    a = sel.apprentice_get(request.user, code)
    svc.apprentice_progress_record(actor=request.user, apprentice=a, **payload.dict())
    return _again(request, code)


class CareersApprenticeCompleteIn(StrictSchema):
    completed_on: dt.date


@router.post(
    "/apprentices/{code}/complete",
    response=CareersApprenticeOut,
    summary="Complete the training (every plan item done)",
)
def complete(
    request: HttpRequest, code: str, payload: CareersApprenticeCompleteIn
) -> dict[str, Any]:
    a = sel.apprentice_get(request.user, code)
    svc.apprentice_complete(actor=request.user, apprentice=a, completed_on=payload.completed_on)
    return _again(request, code)


class CareersApprenticeEvaluationIn(StrictSchema):
    plan: str = Code


@router.post(
    "/apprentices/{code}/evaluation",
    response=CareersApprenticeOut,
    summary="Enrol a completed apprentice in a skill-level evaluation plan",
)
def evaluation(
    request: HttpRequest, code: str, payload: CareersApprenticeEvaluationIn
) -> dict[str, Any]:
    a = sel.apprentice_get(request.user, code)
    plan = sel.evaluation_plans_for(request.user, a).filter(code=payload.plan).first()
    if plan is None:
        raise field_error(
            "plan", _("Choose an open plan of the apprentice's occupation and target level.")
        )
    svc.apprentice_evaluation_enrol(actor=request.user, apprentice=a, plan=plan)
    return _again(request, code)


class CareersApprenticeEndIn(StrictSchema):
    ended_on: dt.date
    note: str = Field(..., min_length=1, max_length=300)


@router.post(
    "/apprentices/{code}/terminate",
    response=CareersApprenticeOut,
    summary="End the agreement early",
)
def terminate(request: HttpRequest, code: str, payload: CareersApprenticeEndIn) -> dict[str, Any]:
    a = sel.apprentice_get(request.user, code)
    svc.apprentice_terminate(
        actor=request.user, apprentice=a, ended_on=payload.ended_on, note=payload.note
    )
    return _again(request, code)


# ------------------------------------------------------------------------------------- claims
class CareersApprenticeClaimLineOut(Schema):
    apprentice: str
    name: str
    months: int
    amount: Decimal


class CareersApprenticeClaimDocumentOut(Schema):
    code: str
    kind: str
    title: str


class CareersApprenticeClaimOut(Schema):
    code: str
    cohort: str
    cohort_name: str
    enterprise_name: str
    year: int
    kind: str
    advance_percent: Decimal
    advance_deducted: Decimal
    rate: Decimal
    rate_source: str
    total: Decimal
    status: str
    required_documents: list[str]
    missing_documents: list[str]
    documents: list[CareersApprenticeClaimDocumentOut]
    lines: list[CareersApprenticeClaimLineOut]
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_note: str
    paid: Decimal | None
    version: int
    corrects: str
    correction_reason: str
    corrected_by: list[str]


def _claim_out(c: Any) -> dict[str, Any]:
    from .apprenticeship_claims import missing_documents

    return {
        "code": c.code,
        "cohort": c.cohort.code,
        "cohort_name": c.cohort.name,
        "enterprise_name": c.cohort.pilot.organization.name,
        "year": c.year,
        "kind": c.kind,
        "advance_percent": c.advance_percent,
        "advance_deducted": c.advance_deducted,
        "rate": c.rate,
        "rate_source": c.rate_source,
        "total": c.total,
        "status": c.status,
        "required_documents": R.document_kinds(c.required_documents),
        "missing_documents": missing_documents(c),
        "documents": list(c.documents.all()),
        "lines": [
            {
                "apprentice": line.apprentice.code,
                "name": line.apprentice.worker.name,
                "months": line.months,
                "amount": line.amount,
            }
            for line in c.lines.select_related("apprentice__worker")
        ],
        "submitted_at": c.submitted_at,
        "decided_at": c.decided_at,
        "decision_note": c.decision_note,
        "paid": c.payment.amount if c.payment_id else None,
        "version": c.version,
        "corrects": c.corrects.code if c.corrects_id else "",
        "correction_reason": c.correction_reason,
        "corrected_by": [x.code for x in c.corrections.all()],
    }


@router.get(
    "/cohorts/{code}/claims",
    response=Page[CareersApprenticeClaimOut],
    summary="A cohort's subsidy claims, a page at a time",
)
def claim_list(
    request: HttpRequest, code: str, query: Query[CareersApprenticePageQuery]
) -> dict[str, Any]:
    cohort = sel.cohort_get(request.user, code)
    qs = sel.claims(request.user, cohort).order_by("-year", "id")
    result = paginate(qs, query.page, query.page_size)
    result["items"] = [_claim_out(c) for c in result["items"]]
    return result


class CareersApprenticeClaimIn(StrictSchema):
    year: Year


@router.post(
    "/cohorts/{code}/claims",
    response={201: CareersApprenticeClaimOut},
    summary="Draw up the cohort's claim for a year",
)
def claim_create(
    request: HttpRequest, code: str, payload: CareersApprenticeClaimIn
) -> tuple[int, Any]:
    cohort = sel.cohort_get(request.user, code)
    c = svc.apprentice_claim_create(actor=request.user, cohort=cohort, year=payload.year)
    return 201, _claim_out(sel.claim_get(request.user, c.code))


class CareersApprenticeAdvanceIn(StrictSchema):
    year: Year
    percent: Decimal = Field(..., gt=0, le=100, max_digits=5, decimal_places=2)


@router.post(
    "/cohorts/{code}/claims/advance",
    response={201: CareersApprenticeClaimOut},
    summary="Draw up an advance of the cohort's subsidy for a year (up to the province's %)",
)
def claim_advance_create(
    request: HttpRequest, code: str, payload: CareersApprenticeAdvanceIn
) -> tuple[int, Any]:
    cohort = sel.cohort_get(request.user, code)
    c = svc.apprentice_claim_advance_create(
        actor=request.user, cohort=cohort, year=payload.year, percent=payload.percent
    )
    return 201, _claim_out(sel.claim_get(request.user, c.code))


@router.get("/claims/{code}", response=CareersApprenticeClaimOut, summary="One subsidy claim")
def claim_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _claim_out(sel.claim_get(request.user, code))


class CareersApprenticeDocumentQuery(Schema):
    kind: DocumentKind
    title: str = Field("", max_length=100)


@router.post(
    "/claims/{code}/documents",
    response={201: CareersApprenticeClaimOut},
    summary="Attach a document to a draft claim (PDF, image, Word or Excel, ≤ 10 MB)",
)
def claim_document_add(
    request: HttpRequest,
    code: str,
    query: Query[CareersApprenticeDocumentQuery],
    file: File[UploadedFile],
) -> tuple[int, Any]:
    c = sel.claim_get(request.user, code)
    svc.apprentice_claim_document_add(
        actor=request.user, claim=c, kind=query.kind, title=query.title, upload=file
    )
    return 201, _claim_out(sel.claim_get(request.user, code))


class CareersApprenticeDocumentsQuery(Schema):
    kind: list[DocumentKind] = Field(..., min_length=1, max_length=20)


@router.post(
    "/claims/{code}/documents/many",
    response={201: CareersApprenticeClaimOut},
    summary="Attach several documents to a draft claim at once (all or nothing)",
)
def claim_documents_add(
    request: HttpRequest,
    code: str,
    query: Query[CareersApprenticeDocumentsQuery],
    files: File[list[UploadedFile]],
) -> tuple[int, Any]:
    """``kind`` once per file, in the order of the files (``?kind=contract&kind=roster``)."""
    c = sel.claim_get(request.user, code)
    if len(query.kind) != len(files):
        raise field_error("kind", _("Give one kind per file, in the order of the files."))
    svc.apprentice_claim_documents_add(
        actor=request.user, claim=c, uploads=list(zip(query.kind, files, strict=True))
    )
    return 201, _claim_out(sel.claim_get(request.user, code))


@router.post(
    "/claims/{code}/submit", response=CareersApprenticeClaimOut, summary="Submit a draft claim"
)
def claim_submit(request: HttpRequest, code: str) -> dict[str, Any]:
    c = sel.claim_get(request.user, code)
    svc.apprentice_claim_submit(actor=request.user, claim=c)
    return _claim_out(sel.claim_get(request.user, code))


class CareersApprenticeCorrectIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=500)


@router.post(
    "/claims/{code}/correct",
    response={201: CareersApprenticeClaimOut},
    summary="Correct a submitted claim: a new version (a draft), the claim kept as corrected",
)
def claim_correct(
    request: HttpRequest, code: str, payload: CareersApprenticeCorrectIn
) -> tuple[int, dict[str, Any]]:
    c = sel.claim_get(request.user, code)
    new = svc.apprentice_claim_correct(actor=request.user, claim=c, reason=payload.reason)
    return 201, _claim_out(sel.claim_get(request.user, new.code))


class CareersApprenticeDecideIn(StrictSchema):
    approve: bool
    note: str = Field("", max_length=500)


@router.post(
    "/claims/{code}/decide",
    response=CareersApprenticeClaimOut,
    summary="Approve or reject (never whoever drew it up or submitted it)",
)
def claim_decide(
    request: HttpRequest, code: str, payload: CareersApprenticeDecideIn
) -> dict[str, Any]:
    c = sel.claim_get(request.user, code)
    svc.apprentice_claim_decide(
        actor=request.user, claim=c, approve=payload.approve, note=payload.note
    )
    return _claim_out(sel.claim_get(request.user, code))


class CareersApprenticePayIn(StrictSchema):
    fund: str = Code
    reference: str = Field("", max_length=200)


@router.post(
    "/claims/{code}/pay",
    response=CareersApprenticeClaimOut,
    summary="Pay an approved claim from a ledger fund at the pilot or above",
)
def claim_pay(request: HttpRequest, code: str, payload: CareersApprenticePayIn) -> dict[str, Any]:
    from .apprenticeship_claims import funds_for

    c = sel.claim_get(request.user, code)
    fund = funds_for(request.user, c).filter(code=payload.fund).first()
    if fund is None:
        raise field_error("fund", _("Pay from a fund of the pilot or of a body above it."))
    svc.apprentice_claim_pay(actor=request.user, claim=c, fund=fund, reference=payload.reference)
    return _claim_out(sel.claim_get(request.user, code))


# ------------------------------------------------------------------------ dashboard, report
class CareersApprenticeCountOut(Schema):
    key: str
    label: str
    count: int


class CareersApprenticeDashboardOut(Schema):
    total: int
    by_stage: list[CareersApprenticeCountOut]
    by_province: list[CareersApprenticeCountOut]
    by_enterprise: list[CareersApprenticeCountOut]
    by_occupation: list[CareersApprenticeCountOut]
    completed: int
    ended: int = Field(description="completed or ended early: the completion rate's base")
    passed: int
    evaluated: int = Field(description="evaluation results decided: the pass rate's base")
    completion_rate: float | None = Field(description="percent, one decimal; null without base")
    pass_rate: float | None = Field(description="percent, one decimal; null without base")


@router.get(
    "/dashboard",
    response=CareersApprenticeDashboardOut,
    summary="Apprentices by province, enterprise, occupation and stage; completion and pass rates",
)
def dashboard(request: HttpRequest) -> Any:
    d = sel.dashboard(request.user)
    return {
        **d.__dict__,
        "by_stage": [c.__dict__ for c in d.by_stage],
        "by_province": [c.__dict__ for c in d.by_province],
        "by_enterprise": [c.__dict__ for c in d.by_enterprise],
        "by_occupation": [c.__dict__ for c in d.by_occupation],
    }


class CareersApprenticeReportRow(Schema):
    pilot: str
    enterprise: str
    region: str
    region_name: str
    year: int
    claims: int
    apprentices: int
    claimed: Decimal
    approved: Decimal
    paid: Decimal


class CareersApprenticeReportQuery(Schema):
    year: Year | None = None


@router.get(
    "/report",
    response=list[CareersApprenticeReportRow],
    summary="Subsidy claims per pilot, region and year",
)
def report(request: HttpRequest, query: Query[CareersApprenticeReportQuery]) -> list[Any]:
    return [r.__dict__ for r in sel.report(request.user, query.year)]
