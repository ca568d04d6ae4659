"""Assistance endpoints at /api/v1/assistance/: the calculator, standards, hardship files and
their flow, support and payments, the summary report. Thin: parse, call a service or selector.

Everyone without the hardship-data permission gets 404 from every endpoint (as if nothing were here).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, Year, paginate, year_query

from . import privacy, selectors, services, support
from .assess import Member, assess, yuan
from .standards import standard_add

router = Router(tags=["assistance"])

Money = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), max_digits=9, decimal_places=2)]
Code = Annotated[str, Field(min_length=1, max_length=20)]
CategoryName = Literal["deep", "relative", "sudden", "none"]


class AssistanceMemberIn(StrictSchema):
    relation: str = Field(..., min_length=1, max_length=20)
    birth_date: dt.date | None = None
    monthly_income: Money
    works: bool = False
    illness_costs_monthly: Money = Decimal("0")
    health: str = Field("", max_length=100)


class AssistanceAssessIn(StrictSchema):
    region: str = Field(..., min_length=6, max_length=6, pattern=r"^\d{6}$")
    year: Year
    members: list[AssistanceMemberIn] = Field(..., min_length=1, max_length=20)
    sudden_event: bool = False


class AssistanceAssessOut(Schema):
    income_per_head: str
    standard: str
    edge_line: str
    category: CategoryName
    reasons: list[str]


@router.post("/assess", response=AssistanceAssessOut, operation_id="assistance_assess")
def assess_endpoint(request: HttpRequest, payload: AssistanceAssessIn) -> dict[str, Any]:
    """The category calculator: no side effects."""
    if not access.can(request.user, "assistance.assess"):
        raise Http404("assess")
    members = [
        Member(
            relation=m.relation,
            birth_date=m.birth_date,
            monthly_income=m.monthly_income,
            works=m.works,
            illness_costs_monthly=m.illness_costs_monthly,
        )
        for m in payload.members
    ]
    return assess(
        region=payload.region, year=payload.year, members=members, sudden_event=payload.sudden_event
    ).as_dict()


class AssistanceStandardIn(StrictSchema):
    region: str = Field(..., min_length=6, max_length=6, pattern=r"^\d{6}$")
    year: Year
    monthly_minimum: Annotated[
        Decimal, Field(gt=0, le=Decimal("999999.99"), max_digits=8, decimal_places=2)
    ]
    edge_multiple: Annotated[Decimal, Field(ge=1, le=5, max_digits=3, decimal_places=2)] = Decimal(
        "1.50"
    )
    source: str = Field(..., min_length=1, max_length=500)


class AssistanceStandardOut(Schema):
    code: str
    region: str
    year: int
    monthly_minimum: str
    edge_multiple: str
    source: str


def _standard_out(s: Any) -> dict[str, Any]:
    return {
        "code": s.code,
        "region": s.region_id,
        "year": s.year,
        "monthly_minimum": yuan(s.monthly_minimum),
        "edge_multiple": f"{s.edge_multiple:.2f}",
        "source": s.source,
    }


@router.post(
    "/standards", response={201: AssistanceStandardOut}, operation_id="assistance_standard_add"
)
def standards_add(
    request: HttpRequest, payload: AssistanceStandardIn
) -> tuple[int, dict[str, Any]]:
    standard = standard_add(actor=request.user, **payload.dict())
    return 201, _standard_out(standard)


@router.get(
    "/standards",
    response=list[AssistanceStandardOut],
    operation_id="assistance_standard_list",
)
def standards_list(request: HttpRequest, year: int | None = year_query()) -> list[dict[str, Any]]:
    selectors.require_view(request.user)
    qs = selectors.standards()
    if year:
        qs = qs.filter(year=year)
    return [_standard_out(s) for s in qs[:500]]


# ------------------------------------------------------------------------------ files
class AssistanceFileOut(Schema):
    code: str
    name: str
    organization: str
    status: str
    category: str
    members: int
    notice_ends_on: dt.date | None = None
    verify_due_on: dt.date | None = None


def _file_out(f: Any) -> dict[str, Any]:
    return {
        "code": f.code,
        "name": f.masked_name,
        "organization": f.organization.name,
        "status": f.status,
        "category": f.category,
        "members": f.members_count,
        "notice_ends_on": f.notice.ends_on if f.notice_id else None,
        "verify_due_on": f.verify_due_on,
    }


class AssistanceFilePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[AssistanceFileOut]


@router.get("/files", response=AssistanceFilePage, operation_id="assistance_file_list")
def file_list(
    request: HttpRequest,
    status: str = Query("", max_length=12),
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    selectors.require_view(request.user)
    qs = selectors.files(actor=request.user)
    if status:
        qs = qs.filter(status=status)
    result = paginate(qs, page, page_size)
    result["items"] = [_file_out(f) for f in result["items"]]
    return result


class AssistanceFileDetail(AssistanceFileOut):
    household: dict[str, Any]


@router.get("/files/{code}", response=AssistanceFileDetail, operation_id="assistance_file_get")
def file_get(
    request: HttpRequest,
    code: str,
    purpose: Literal["review", "visit", "statistics"] = Query(...),
) -> dict[str, Any]:
    """The file with its household data; the reading is audited with its purpose."""
    file = selectors.file_get(actor=request.user, code=code)
    household = services.file_view(actor=request.user, file=file, purpose=purpose)
    return {**_file_out(file), "household": household}


class AssistanceHouseholdIn(StrictSchema):
    members: list[AssistanceMemberIn] = Field(..., min_length=1, max_length=20)
    housing: str = Field("", max_length=200)
    debts: Money = Decimal("0")
    causes: list[
        Literal["illness", "disability", "accident", "unemployment", "schooling", "disaster"]
    ] = Field(default_factory=list, max_length=6)
    sudden_event: bool = False
    note: str = Field("", max_length=500)


class AssistanceApplyIn(AssistanceHouseholdIn):
    worker: str = Field(
        "", max_length=20, description="the worker's code or citizen ID number; empty: myself"
    )
    consent: bool


def _household(payload: AssistanceHouseholdIn) -> dict[str, Any]:
    data = payload.dict(exclude={"worker", "consent"})
    data["members"] = [
        {
            **m,
            "monthly_income": str(m["monthly_income"]),
            "illness_costs_monthly": str(m["illness_costs_monthly"]),
        }
        for m in data["members"]
    ]
    data["debts"] = str(data["debts"])
    return data


@router.post("/files", response={201: AssistanceFileOut}, operation_id="assistance_file_apply")
def file_apply(request: HttpRequest, payload: AssistanceApplyIn) -> tuple[int, dict[str, Any]]:
    worker = selectors_worker(request.user, payload.worker)
    file = services.file_apply(
        actor=request.user, worker=worker, household=_household(payload), consent=payload.consent
    )
    return 201, _file_out(file)


class AssistanceFromHelpIn(AssistanceHouseholdIn):
    consent: bool


class AssistanceFromHelpOut(AssistanceFileOut):
    help_request: str


@router.post(
    "/from-help/{code}",
    response={201: AssistanceFromHelpOut},
    operation_id="assistance_file_from_help",
)
def file_from_help(
    request: HttpRequest, code: str, payload: AssistanceFromHelpIn
) -> tuple[int, dict[str, Any]]:
    """Open a hardship application on the worker's behalf from their hardship help request
    (``code`` is the request's): 404 for a request outside the caller's help desk, 403 without
    ``assistance.check`` for the worker's union, 409 ``file_exists`` for a second one."""
    from gongjiang.members import helpdesk

    from . import intake

    req = helpdesk.request_get(actor=request.user, code=code[:20])
    file = intake.file_from_help(
        actor=request.user, req=req, household=_household(payload), consent=payload.consent
    )
    return 201, {**_file_out(file), "help_request": req.code}


def selectors_worker(actor: Any, code: str) -> Any:
    """The worker an application is for: oneself (empty), or a worker of the officer's unions by
    registry code or citizen ID number (matched by its keyed hash, never stored in plain text)."""
    from gongjiang.workforce import personal
    from gongjiang.workforce.models import Worker

    code = (code or "").strip()
    if not code:
        worker = Worker.objects.filter(user_id=getattr(actor, "pk", None)).first()
    else:
        scoped = Worker.objects.visible_to(actor, "assistance.check")
        if len(code) == 18:
            worker = scoped.filter(
                citizen_id_hash__in=personal.citizen_id_hashes(code.upper())
            ).first()
        else:
            worker = scoped.filter(code=code).first()
    if worker is None:
        raise Http404("worker")
    return worker


class AssistanceReasonIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class AssistanceExitIn(StrictSchema):
    reason: Literal["income", "employed", "recovered", "left", "deceased", "other"]
    note: str = Field("", max_length=500)


class AssistanceCheckIn(StrictSchema):
    working_days: int = Field(5, ge=1, le=30)


@router.post(
    "/files/{code}/check", response=AssistanceFileOut, operation_id="assistance_file_check"
)
def file_check(request: HttpRequest, code: str, payload: AssistanceCheckIn) -> dict[str, Any]:
    file = selectors.file_get(actor=request.user, code=code)
    return _file_out(
        services.file_check(actor=request.user, file=file, working_days=payload.working_days)
    )


@router.post(
    "/files/{code}/refuse", response=AssistanceFileOut, operation_id="assistance_file_refuse"
)
def file_refuse(request: HttpRequest, code: str, payload: AssistanceReasonIn) -> dict[str, Any]:
    file = selectors.file_get(actor=request.user, code=code)
    return _file_out(services.file_refuse(actor=request.user, file=file, reason=payload.reason))


@router.post(
    "/files/{code}/approve", response=AssistanceFileOut, operation_id="assistance_file_approve"
)
def file_approve(request: HttpRequest, code: str) -> dict[str, Any]:
    file = selectors.file_get(actor=request.user, code=code)
    return _file_out(services.file_approve(actor=request.user, file=file))


@router.post("/files/{code}/exit", response=AssistanceFileOut, operation_id="assistance_file_exit")
def file_exit(request: HttpRequest, code: str, payload: AssistanceExitIn) -> dict[str, Any]:
    file = selectors.file_get(actor=request.user, code=code)
    return _file_out(
        services.file_exit(actor=request.user, file=file, reason=payload.reason, note=payload.note)
    )


@router.post(
    "/files/{code}/reenter", response=AssistanceFileOut, operation_id="assistance_file_reenter"
)
def file_reenter(request: HttpRequest, code: str) -> dict[str, Any]:
    file = selectors.file_get(actor=request.user, code=code)
    return _file_out(services.file_reenter(actor=request.user, file=file))


@router.post(
    "/files/{code}/verify", response=AssistanceFileOut, operation_id="assistance_file_verify"
)
def file_verify(request: HttpRequest, code: str) -> dict[str, Any]:
    file = selectors.file_get(actor=request.user, code=code)
    return _file_out(services.file_verify(actor=request.user, file=file))


@router.post(
    "/files/{code}/consent-withdrawal",
    response=AssistanceFileOut,
    operation_id="assistance_consent_withdraw",
)
def consent_withdraw(request: HttpRequest, code: str) -> dict[str, Any]:
    try:
        file = selectors.own_file_get(actor=request.user, code=code)
    except Http404:
        file = selectors.file_get(actor=request.user, code=code)
    return _file_out(privacy.consent_withdraw(actor=request.user, file=file))


# ---------------------------------------------------------------------------- support
class AssistanceSupportIn(StrictSchema):
    file: Code
    line: Code
    amount: Money = Decimal("0")
    beneficiary: str = Field("本人", min_length=1, max_length=30)
    service: str = Field("", max_length=300)
    term: str = Field("", max_length=30)
    outcome: str = Field("", max_length=300)
    year: Year | None = None


class AssistanceSupportOut(Schema):
    code: str
    file: str
    line: str
    year: int
    beneficiary: str
    amount: str
    status: str
    fund: str | None = None


def _support_out(r: Any) -> dict[str, Any]:
    return {
        "code": r.code,
        "file": r.file.code,
        "line": r.line.kind,
        "year": r.year,
        "beneficiary": r.beneficiary,
        "amount": yuan(r.amount),
        "status": r.status,
        "fund": r.fund.code if r.fund_id else None,
    }


@router.post(
    "/support", response={201: AssistanceSupportOut}, operation_id="assistance_support_decide"
)
def support_decide(
    request: HttpRequest, payload: AssistanceSupportIn
) -> tuple[int, dict[str, Any]]:
    file = selectors.file_get(actor=request.user, code=payload.file)
    line = selectors.lines_for(actor=request.user, file=file).filter(code=payload.line).first()
    if line is None:
        raise Http404("line")
    record = support.support_decide(
        actor=request.user,
        file=file,
        line=line,
        amount=payload.amount,
        beneficiary=payload.beneficiary,
        service=payload.service,
        term=payload.term,
        outcome=payload.outcome,
        year=payload.year,
    )
    return 201, _support_out(record)


class AssistancePayIn(StrictSchema):
    fund: Code


@router.post(
    "/support/{code}/pay", response=AssistanceSupportOut, operation_id="assistance_support_pay"
)
def support_pay(request: HttpRequest, code: str, payload: AssistancePayIn) -> dict[str, Any]:
    record = selectors.support_get(actor=request.user, code=code)
    fund = selectors.fund_get(actor=request.user, code=payload.fund)
    return _support_out(support.support_pay(actor=request.user, record=record, fund=fund))


@router.post(
    "/support/{code}/reverse",
    response=AssistanceSupportOut,
    operation_id="assistance_support_reverse",
)
def support_reverse(request: HttpRequest, code: str, payload: AssistanceReasonIn) -> dict[str, Any]:
    record = selectors.support_get(actor=request.user, code=code)
    return _support_out(
        support.support_reverse(actor=request.user, record=record, reason=payload.reason)
    )


class AssistanceSummaryRow(Schema):
    key: str
    households: int
    records: int
    amount: str


class AssistanceSummaryOut(Schema):
    year: int
    filed: int
    exited: int
    exit_rate: str
    by_category: dict[str, int]
    by_line: list[AssistanceSummaryRow]


@router.get("/reports/summary", response=AssistanceSummaryOut, operation_id="assistance_summary")
def summary(request: HttpRequest, year: int | None = year_query()) -> dict[str, Any]:
    selectors.require_view(request.user)
    year = year or timezone.localdate().year
    board = selectors.dashboard(actor=request.user)
    rows = selectors.support_by(actor=request.user, year=year, field="line")
    return {
        "year": year,
        "filed": board["filed"],
        "exited": board["exited"],
        "exit_rate": f"{board['exit_rate']}",
        "by_category": board["by_category"],
        "by_line": [{**r, "amount": yuan(r["amount"])} for r in rows],
    }


# lines, campaigns, budgets and outcomes: their own module, the same path prefix
from .api_money import router as _money_router  # noqa: E402

router.add_router("", _money_router)
