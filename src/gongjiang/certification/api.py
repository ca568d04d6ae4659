"""Skill-level evaluation API at /api/v1/certification/: plans, checklists, candidates and scores,
results, issuing (a background job), certificates and their PDF. Everything is scoped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.models import Organization
from gongjiang.core.schemas import (
    PageNumber,
    PageSize,
    StrictSchema,
    page_query,
    page_size_query,
    paginate,
    resolve_from,
)

from . import issuing, selectors, services
from .jobs import certificates_issue_start
from .models import Candidate, Certificate, EvaluationPlan, PracticalItem

router = Router(tags=["certification"])
MANAGE = services.MANAGE
Score = Field(None, ge=0, le=100)


# ----------------------------------------------------------------------------------- schemas
class CertificationItemOut(Schema):
    code: str
    order: int
    title: str
    points: Decimal


class CertificationItemIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=200)
    points: Decimal = Field(..., gt=0, le=100)


class CertificationPlanOut(Schema):
    code: str
    name: str
    organization: str
    organization_name: str
    body_name: str = Field(..., description="the evaluation body as certificates name it")
    occupation: str
    occupation_name: str
    level: str
    level_name: str
    body_kind: str
    body_code: str
    province_code: str
    site_code: str
    has_theory: bool
    has_practical: bool
    has_review: bool
    theory_pass: Decimal
    practical_pass: Decimal
    review_pass: Decimal
    exam_session_code: str
    starts_on: dt.date
    ends_on: dt.date
    validity_years: int | None
    status: str

    resolve_organization = resolve_from("organization.code")
    resolve_organization_name = resolve_from("organization.name")
    resolve_body_name = resolve_from("body_name")
    resolve_occupation = resolve_from("occupation_id")
    resolve_occupation_name = resolve_from("occupation.name")
    resolve_level = resolve_from("level_id")
    resolve_level_name = resolve_from("level.name_zh")


class CertificationPlanDetailOut(CertificationPlanOut):
    items: list[CertificationItemOut]

    @staticmethod
    def resolve_items(obj: EvaluationPlan) -> list[PracticalItem]:
        return list(obj.items.order_by("order", "id"))


class PlanPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CertificationPlanOut]


class CertificationPlanIn(StrictSchema):
    organization: str = Field(
        ..., min_length=1, max_length=20, description="code of the evaluation body's organisation"
    )
    name: str = Field(..., min_length=1, max_length=200)
    occupation: str = Field(
        ..., min_length=1, max_length=20, description="occupation code (职业分类大典)"
    )
    level: Literal["JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN"]
    body_kind: Literal["Y", "S"] = "Y"
    body_code: str = Field(
        ...,
        pattern=r"^\d{4}$",
        description="characters 2–5 of the number: the ministry's code, or 0000 (filed with a province)",
    )
    province_code: str = Field(..., pattern=r"^\d{2}$")
    site_code: str = Field(
        ...,
        pattern=r"^\d{6}$",
        description="characters 8–13 of the number, assigned by the provincial department",
    )
    starts_on: dt.date
    ends_on: dt.date
    has_theory: bool = True
    has_practical: bool = True
    has_review: bool = False
    theory_pass: Decimal = Field(Decimal("60"), ge=0, le=100)
    practical_pass: Decimal = Field(Decimal("60"), ge=0, le=100)
    review_pass: Decimal = Field(Decimal("60"), ge=0, le=100)
    exam_session_code: str = Field("", max_length=40)
    validity_years: int | None = Field(None, ge=1, le=50)
    items: list[CertificationItemIn] = Field(default_factory=list, max_length=100)


class PlanPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    occupation: str | None = Field(None, min_length=1, max_length=20)
    level: Literal["JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN"] | None = (
        None
    )
    body_kind: Literal["Y", "S"] | None = None
    body_code: str | None = Field(None, pattern=r"^\d{4}$")
    province_code: str | None = Field(None, pattern=r"^\d{2}$")
    site_code: str | None = Field(None, pattern=r"^\d{6}$")
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    has_theory: bool | None = None
    has_practical: bool | None = None
    has_review: bool | None = None
    theory_pass: Decimal | None = Field(None, ge=0, le=100)
    practical_pass: Decimal | None = Field(None, ge=0, le=100)
    review_pass: Decimal | None = Field(None, ge=0, le=100)
    exam_session_code: str | None = Field(None, max_length=40)
    validity_years: int | None = Field(None, ge=1, le=50)


class CertificationChecklistIn(StrictSchema):
    items: list[CertificationItemIn] = Field(..., min_length=1, max_length=100)


class PlanFilters(Schema):
    q: str = Field("", max_length=100)
    status: str = Field("", max_length=10)
    page: PageNumber = 1
    page_size: PageSize = 50


class CandidateOut(Schema):
    code: str
    worker: str
    worker_name: str
    employer: str
    theory_score: Decimal | None
    theory_from_exam: bool
    practical_score: Decimal | None
    review_score: Decimal | None
    examiners: int
    theory_passed: bool | None
    practical_passed: bool | None
    review_passed: bool | None
    passed: bool | None
    certificate: str | None

    resolve_worker = resolve_from("worker.code")
    resolve_worker_name = resolve_from("worker.name")
    resolve_employer = resolve_from("worker.employer.name")

    @staticmethod
    def resolve_examiners(obj: Candidate) -> int:
        return getattr(obj, "n_examiners", 0)

    @staticmethod
    def resolve_certificate(obj: Candidate) -> str | None:
        try:
            return obj.certificate.number
        except Certificate.DoesNotExist:
            return None


class CandidatePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CandidateOut]


class EnrolIn(StrictSchema):
    workers: list[str] = Field(..., min_length=1, max_length=1000, description="worker codes")


class ScoresIn(StrictSchema):
    theory: Decimal | None = Score
    review: Decimal | None = Score


class PracticalIn(StrictSchema):
    points: dict[str, Decimal] = Field(..., description="checklist item code → points given")


class DecideOut(Schema):
    candidates: int
    passed: int
    failed: int
    absent: int


class CertificationJobOut(Schema):
    job: str
    url: str


class CertificateOut(Schema):
    code: str
    number: str
    holder_name: str
    worker: str
    occupation: str
    occupation_name: str
    level: str
    level_name: str
    issue_date: dt.date
    valid_until: dt.date | None
    status: str
    revoked_reason: str
    verify_url: str
    plan: str

    resolve_worker = resolve_from("worker.code")
    resolve_occupation = resolve_from("occupation_id")
    resolve_occupation_name = resolve_from("occupation.name")
    resolve_level = resolve_from("level_id")
    resolve_level_name = resolve_from("level.name_zh")

    @staticmethod
    def resolve_verify_url(obj: Certificate) -> str:
        return obj.verify_path()

    resolve_plan = resolve_from("plan.code")


class CertificatePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CertificateOut]


class CertificateFilters(Schema):
    q: str = Field("", max_length=40)
    plan: str = Field("", max_length=20)
    page: PageNumber = 1
    page_size: PageSize = 50


class CertificateRevokeIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=200)


# ---------------------------------------------------------------------------------- plans
def _plan(request: HttpRequest, code: str) -> EvaluationPlan:
    return selectors.plan_get(actor=request.user, code=code)


@router.get("/plans", response=PlanPage, summary="Evaluation plans in the caller's scope")
def plan_list(request: HttpRequest, filters: Query[PlanFilters]) -> dict[str, Any]:
    return paginate(
        selectors.plan_list(actor=request.user, q=filters.q, status=filters.status),
        filters.page,
        filters.page_size,
    )


@router.post(
    "/plans", response={201: CertificationPlanDetailOut}, summary="Create an evaluation plan"
)
def plan_create(request: HttpRequest, payload: CertificationPlanIn) -> tuple[int, EvaluationPlan]:
    org = access.get_visible_or_404(
        Organization.objects.all(), request.user, MANAGE, code=payload.organization
    )
    data = payload.model_dump(exclude={"organization", "items"})
    plan = services.evaluation_plan_create(
        actor=request.user,
        organization=org,
        items=[(i.title, i.points) for i in payload.items],
        **data,
    )
    return 201, _plan(request, plan.code)


@router.get("/plans/{code}", response=CertificationPlanDetailOut)
def plan_detail(request: HttpRequest, code: str) -> EvaluationPlan:
    return _plan(request, code)


@router.patch("/plans/{code}", response=CertificationPlanDetailOut)
def plan_update(request: HttpRequest, code: str, payload: PlanPatch) -> EvaluationPlan:
    plan = _plan(request, code)
    services.evaluation_plan_update(
        actor=request.user, plan=plan, **payload.model_dump(exclude_unset=True)
    )
    return _plan(request, code)


@router.put(
    "/plans/{code}/items",
    response=list[CertificationItemOut],
    summary="Replace the practical checklist",
)
def plan_items_set(request: HttpRequest, code: str, payload: CertificationChecklistIn) -> Any:
    plan = _plan(request, code)
    services.practical_items_set(
        actor=request.user, plan=plan, items=[(i.title, i.points) for i in payload.items]
    )
    return selectors.plan_items(plan=plan)


@router.post(
    "/plans/{code}/decide", response=DecideOut, summary="Decide pass/fail of every candidate"
)
def plan_decide(request: HttpRequest, code: str) -> dict[str, int]:
    return services.evaluation_results_decide(actor=request.user, plan=_plan(request, code))


@router.post(
    "/plans/{code}/reopen",
    response=CertificationPlanDetailOut,
    summary="Reopen for scoring (before issuing)",
)
def plan_reopen(request: HttpRequest, code: str) -> EvaluationPlan:
    services.evaluation_plan_reopen(actor=request.user, plan=_plan(request, code))
    return _plan(request, code)


@router.post(
    "/plans/{code}/theory-from-exam",
    response=dict[str, int],
    summary="Fill theory scores from the linked exam",
)
def plan_theory_from_exam(request: HttpRequest, code: str) -> dict[str, int]:
    return services.candidate_theory_from_exam(actor=request.user, plan=_plan(request, code))


@router.post(
    "/plans/{code}/issue",
    response={202: CertificationJobOut},
    summary="Issue certificates (background job)",
)
def plan_issue(request: HttpRequest, code: str) -> tuple[int, dict[str, str]]:
    from django.urls import reverse

    job = certificates_issue_start(actor=request.user, plan=_plan(request, code))
    return 202, {"job": job.code, "url": reverse("core:job_detail", args=[job.code])}


# ------------------------------------------------------------------------------ candidates
@router.get(
    "/plans/{code}/candidates", response=CandidatePage, summary="Candidates with their scores"
)
def candidate_list(
    request: HttpRequest,
    code: str,
    q: str = "",
    page: int = page_query(),
    page_size: int = page_size_query(100),
) -> dict[str, Any]:
    plan = _plan(request, code)
    return paginate(
        selectors.candidate_list(actor=request.user, plan=plan, q=q[:50]), page, page_size
    )


@router.post(
    "/plans/{code}/candidates", response={201: list[CandidateOut]}, summary="Enrol workers"
)
def candidate_enrol(request: HttpRequest, code: str, payload: EnrolIn) -> tuple[int, Any]:
    from gongjiang.workforce.models import Worker

    plan = _plan(request, code)
    # a worker outside the caller's view is "unknown", exactly like a code that does not exist
    workers = list(
        Worker.objects.visible_to(request.user, "workforce.view_worker").filter(
            code__in=payload.workers
        )
    )
    unknown = set(payload.workers) - {w.code for w in workers}
    if unknown:
        raise ValidationError({"workers": [f"unknown worker {c}" for c in sorted(unknown)]})
    created = services.candidates_enrol(actor=request.user, plan=plan, workers=workers)
    codes = [c.code for c in created]
    return 201, list(selectors.candidate_list(actor=request.user, plan=plan).filter(code__in=codes))


def _candidate(request: HttpRequest, code: str) -> Candidate:
    return selectors.candidate_get(actor=request.user, code=code)


@router.get("/candidates/{code}", response=CandidateOut)
def candidate_detail(request: HttpRequest, code: str) -> Candidate:
    cand = _candidate(request, code)
    return selectors.candidate_list(actor=request.user, plan=cand.plan).get(pk=cand.pk)


@router.patch(
    "/candidates/{code}/scores", response=CandidateOut, summary="Enter theory / review scores"
)
def candidate_scores(request: HttpRequest, code: str, payload: ScoresIn) -> Candidate:
    cand = _candidate(request, code)
    services.candidate_scores_set(
        actor=request.user, candidate=cand, **payload.model_dump(exclude_unset=True)
    )
    return candidate_detail(request, code)


@router.put(
    "/candidates/{code}/practical", response=CandidateOut, summary="An examiner's checklist sheet"
)
def candidate_practical(request: HttpRequest, code: str, payload: PracticalIn) -> Candidate:
    cand = _candidate(request, code)
    services.practical_scores_save(actor=request.user, candidate=cand, points=payload.points)
    return candidate_detail(request, code)


@router.delete(
    "/candidates/{code}", response={204: None}, summary="Withdraw a candidate (open plans)"
)
def candidate_withdraw(request: HttpRequest, code: str) -> tuple[int, None]:
    services.candidate_withdraw(actor=request.user, candidate=_candidate(request, code))
    return 204, None


# ---------------------------------------------------------------------------- certificates
@router.get(
    "/certificates",
    response=CertificatePage,
    summary="Certificates in scope (and the caller's own)",
)
def certificate_list(request: HttpRequest, filters: Query[CertificateFilters]) -> dict[str, Any]:
    plan = _plan(request, filters.plan) if filters.plan else None
    qs = selectors.certificate_list(actor=request.user, q=filters.q, plan=plan).select_related(
        "plan"
    )
    return paginate(qs, filters.page, filters.page_size)


@router.get("/certificates/{code}", response=CertificateOut)
def certificate_detail(request: HttpRequest, code: str) -> Certificate:
    return selectors.certificate_get(actor=request.user, code=code)


@router.post(
    "/certificates/{code}/revoke",
    response=CertificateOut,
    summary="Revoke (reverses the skill level)",
)
def certificate_revoke(
    request: HttpRequest, code: str, payload: CertificateRevokeIn
) -> Certificate:
    cert = selectors.certificate_get(actor=request.user, code=code)
    issuing.certificate_revoke(actor=request.user, certificate=cert, reason=payload.reason)
    return selectors.certificate_get(actor=request.user, code=code)


@router.get("/certificates/{code}/pdf", summary="The certificate as PDF (holder and managers)")
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from .views import certificate_pdf_response

    return certificate_pdf_response(request, code)
