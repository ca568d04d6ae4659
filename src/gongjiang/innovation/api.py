"""Innovation endpoints at /api/v1/innovation/: the revenue-sharing calculator, results and their
flow, analytics and the public showcase. Thin: parse, call a service or selector, answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Occupation
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, Year, paginate

from . import selectors, services
from .models import Result
from .split import revenue_share_preview, share_text

router = Router(tags=["innovation"])

CodeStr = Field(..., min_length=1, max_length=20)
ResultKind = Literal[
    "invention", "utility_model", "innovation", "improvement", "suggestion", "qc", "method"
]
Money = Field(..., ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)


# ---------------------------------------------------------------- revenue-sharing calculator


class InnovationShareMemberIn(StrictSchema):
    worker: str = CodeStr
    contribution: Decimal = Field(..., gt=0, le=100, max_digits=5, decimal_places=2)


class InnovationSharePreviewIn(StrictSchema):
    mode: Literal["transfer", "licence", "equity", "own_use"]
    amount: Decimal = Money
    share: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4)
    members: list[InnovationShareMemberIn] = Field(..., min_length=1, max_length=50)


class InnovationShareMemberOut(Schema):
    worker: str
    amount: str


class InnovationSharePreviewOut(Schema):
    pool: str
    share: str
    members: list[InnovationShareMemberOut]


@router.post(
    "/revenue-shares/preview",
    response=InnovationSharePreviewOut,
    summary="Revenue-sharing calculator (no side effects)",
    description=(
        "The team's pool is amount × share (half up to the fen); share null takes the statutory "
        "minimum of 《促进科技成果转化法》 art. 45 (transfer, licence, equity 0.50; own use 0.05). "
        "Members' parts are split by contribution with largest-remainder rounding (ties: larger "
        "contribution, then worker code) and add up to the pool exactly. 422 when contributions "
        "do not add up to 100 or the share is below the statutory minimum."
    ),
)
def revenue_share_preview_api(
    request: HttpRequest, payload: InnovationSharePreviewIn
) -> dict[str, Any]:
    if not access.can(request.user, "innovation.preview_share"):
        raise PermissionDenied("innovation.preview_share")
    preview = revenue_share_preview(
        mode=payload.mode,
        amount=payload.amount,
        share=payload.share,
        members=[(m.worker, m.contribution) for m in payload.members],
    )
    return {
        "pool": f"{preview.pool:.2f}",
        "share": share_text(preview.share),
        "members": [{"worker": p.worker, "amount": f"{p.amount:.2f}"} for p in preview.parts],
    }


# ------------------------------------------------------------------------------- results


class InnovationMemberIn(StrictSchema):
    worker: str = CodeStr
    contribution: Decimal = Field(..., gt=0, le=100, max_digits=5, decimal_places=2)


class InnovationPatentIn(StrictSchema):
    number: str = Field(..., min_length=9, max_length=30)
    status: Literal["filed", "granted", "lapsed"] = "filed"


class InnovationResultIn(StrictSchema):
    employer: str = CodeStr
    kind: ResultKind
    title: str = Field(..., min_length=1, max_length=200)
    method_name: str = Field("", max_length=60)
    problem: str = Field(..., min_length=1, max_length=5000)
    solution: str = Field(..., min_length=1, max_length=10000)
    occupation: str | None = Field(None, max_length=20)
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    publish_consent: bool = False
    submit: bool = False
    members: list[InnovationMemberIn] = Field(..., min_length=1, max_length=50)
    patents: list[InnovationPatentIn] = Field(default_factory=list, max_length=20)


class InnovationMemberOut(Schema):
    worker: str
    name: str
    contribution: Decimal


class InnovationPatentOut(Schema):
    number: str
    kind: str
    status: str


class InnovationResultOut(Schema):
    code: str
    title: str
    kind: str
    status: str
    employer: str
    employer_name: str
    problem: str
    solution: str
    method_name: str
    publish_consent: bool
    review_reason: str
    reviewed_on: dt.date | None
    implemented_on: dt.date | None
    savings: Decimal | None
    members: list[InnovationMemberOut]
    patents: list[InnovationPatentOut]


class InnovationResultRow(Schema):
    code: str
    title: str
    kind: str
    status: str
    employer_name: str


class InnovationResultPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[InnovationResultRow]


class InnovationResultFilters(Schema):
    q: str = Field("", max_length=100)
    status: str = Field("", max_length=12)
    kind: str = Field("", max_length=16)
    page: PageNumber = 1
    page_size: PageSize = 50


class InnovationReviewIn(StrictSchema):
    adopted: bool
    reason: str = Field("", max_length=500)


class InnovationImplementIn(StrictSchema):
    on: dt.date


class InnovationEffectIn(StrictSchema):
    savings: Decimal | None = Field(
        None, ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2
    )
    output: str = Field("", max_length=300)
    quality: str = Field("", max_length=300)
    safety: str = Field("", max_length=300)


def result_out(r: Result) -> dict[str, Any]:
    return {
        "code": r.code,
        "title": r.title,
        "kind": r.kind,
        "status": r.status,
        "employer": r.employer.code,
        "employer_name": r.employer.name,
        "problem": r.problem,
        "solution": r.solution,
        "method_name": r.method_name,
        "publish_consent": r.publish_consent,
        "review_reason": r.review_reason,
        "reviewed_on": r.reviewed_on,
        "implemented_on": r.implemented_on,
        "savings": r.savings,
        "members": [
            {"worker": m.worker.code, "name": m.worker.name, "contribution": m.contribution}
            for m in r.members.select_related("worker")
        ],
        "patents": [
            {"number": p.number, "kind": p.kind, "status": p.status} for p in r.patents.all()
        ],
    }


def _employer(request: HttpRequest, code: str) -> Any:
    employer = selectors.submit_employers(actor=request.user).filter(code=code).first()
    if employer is None:
        raise Http404("employer")
    return employer


def _result(request: HttpRequest, code: str) -> Result:
    return selectors.result_get(actor=request.user, code=code)


@router.get("/results", response=InnovationResultPage, summary="Results the caller may read")
def result_list_api(request: HttpRequest, filters: Query[InnovationResultFilters]) -> Any:
    qs = selectors.result_list(
        actor=request.user, q=filters.q, status=filters.status, kind=filters.kind
    )
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [
        {
            "code": r.code,
            "title": r.title,
            "kind": r.kind,
            "status": r.status,
            "employer_name": r.employer.name,
        }
        for r in page["items"]
    ]
    return page


@router.post("/results", response={201: InnovationResultOut}, summary="Enter a result")
def result_create_api(request: HttpRequest, payload: InnovationResultIn) -> Any:
    employer = _employer(request, payload.employer)
    workers = {
        w.code: w
        for w in selectors.team_candidates(employer=employer).filter(
            code__in=[m.worker for m in payload.members]
        )
    }
    members = []
    for i, m in enumerate(payload.members):
        if m.worker not in workers:
            raise ApplicationError(
                _("No such worker at this employer."),
                code="member_not_employee",
                details=[{"field": f"members.{i}.worker", "error": m.worker}],
            )
        members.append((workers[m.worker], m.contribution))
    occupation = None
    if payload.occupation:
        occupation = Occupation.objects.filter(code=payload.occupation).first()
        if occupation is None:
            raise ApplicationError(
                _("Unknown occupation."),
                code="invalid_occupation",
                details=[{"field": "occupation", "error": payload.occupation}],
            )
    result = services.result_create(
        actor=request.user,
        employer=employer,
        kind=payload.kind,
        title=payload.title,
        method_name=payload.method_name,
        problem=payload.problem,
        solution=payload.solution,
        occupation=occupation,
        started_on=payload.started_on,
        completed_on=payload.completed_on,
        publish_consent=payload.publish_consent,
        members=members,
        patents=[(p.number, p.status) for p in payload.patents],
        submit=payload.submit,
    )
    return 201, result_out(result)


@router.get("/results/{code}", response=InnovationResultOut, summary="One result")
def result_get_api(request: HttpRequest, code: str) -> Any:
    return result_out(_result(request, code))


@router.post("/results/{code}/submit", response=InnovationResultOut, summary="Submit a draft")
def result_submit_api(request: HttpRequest, code: str) -> Any:
    return result_out(services.result_submit(actor=request.user, result=_result(request, code)))


@router.post(
    "/results/{code}/review", response=InnovationResultOut, summary="Adopt or not adopt a result"
)
def result_review_api(request: HttpRequest, code: str, payload: InnovationReviewIn) -> Any:
    result = services.result_review(
        actor=request.user,
        result=_result(request, code),
        adopted=payload.adopted,
        reason=payload.reason,
    )
    return result_out(result)


@router.post(
    "/results/{code}/implement", response=InnovationResultOut, summary="Record implementation"
)
def result_implement_api(request: HttpRequest, code: str, payload: InnovationImplementIn) -> Any:
    result = services.result_implement(
        actor=request.user, result=_result(request, code), on=payload.on
    )
    return result_out(result)


@router.post(
    "/results/{code}/effect", response=InnovationResultOut, summary="Certify the measured effect"
)
def result_effect_api(request: HttpRequest, code: str, payload: InnovationEffectIn) -> Any:
    result = services.result_certify_effect(
        actor=request.user,
        result=_result(request, code),
        savings=payload.savings,
        output=payload.output,
        quality=payload.quality,
        safety=payload.safety,
    )
    return result_out(result)


# ------------------------------------------------------------------------------ analytics


class InnovationRateOut(Schema):
    key: str
    name: str
    results: int
    workers: int
    per_100: Decimal | None


class InnovationAnalyticsQuery(Schema):
    by: Literal["employer", "industry", "region"] = "employer"
    year: Year | None = None


@router.get(
    "/analytics",
    response=list[InnovationRateOut],
    summary="Adopted results per 100 workers by employer, industry or region",
)
def analytics_api(request: HttpRequest, query: Query[InnovationAnalyticsQuery]) -> Any:
    if not access.can(request.user, selectors.ANALYTICS):
        raise PermissionDenied(selectors.ANALYTICS)
    rows = selectors.analytics(actor=request.user, by=query.by, year=query.year)
    return [{**r, "key": str(r["key"])} for r in rows]


# the technical exchange and the award rounds (their own modules, mounted here)
from .api_awards import router as awards_router  # noqa: E402
from .api_exchange import router as exchange_router  # noqa: E402

router.add_router("/exchange", exchange_router)
router.add_router("/awards", awards_router)
from .api_revenue import router as revenue_router  # noqa: E402
from .api_studio_files import router as studio_files_router  # noqa: E402
from .api_studios import router as studios_router  # noqa: E402

router.add_router("", revenue_router)
router.add_router("", studios_router)
router.add_router("", studio_files_router)
from .api_funds import router as funds_router  # noqa: E402

router.add_router("", funds_router)
