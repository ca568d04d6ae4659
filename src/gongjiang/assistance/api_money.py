"""Assistance endpoints for support lines, campaigns, fund budgets and support outcomes (mounted
under /api/v1/assistance/ by api.py). Thin: parse, call the services the pages call.

Lines, campaigns and budgets are listed through ``visible_to`` under the hardship-data permission:
everyone else gets 404, and an officer of another city sees none of them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from gongjiang.core.models import Organization
from gongjiang.core.schemas import StrictSchema, Year, year_query

from . import selectors, support
from .assess import yuan
from .budgets import budget_rows, budget_set

router = Router(tags=["assistance"])

Money = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), max_digits=9, decimal_places=2)]
Code = Annotated[str, Field(min_length=1, max_length=20)]
CategoryName = Literal["deep", "relative", "sudden"]
LineKind = Literal["living", "medical", "schooling", "employment", "legal"]


def _organization(actor: Any, code: str) -> Organization:
    """An organisation where the actor may set up support (404 otherwise)."""
    found = (
        Organization.objects.visible_to(actor, support.SUPPORT)
        .filter(code=code, is_active=True)
        .first()
    )
    if found is None:
        raise Http404("organization")
    return found


# ------------------------------------------------------------------------------- lines
class AssistanceLineOut(Schema):
    code: str
    organization: str
    kind: str
    name: str
    eligible_categories: list[str]
    min_amount: str
    max_amount: str
    cap_person: str
    cap_household: str
    documents_required: str
    is_active: bool


def _line_out(x: Any) -> dict[str, Any]:
    return {
        "code": x.code,
        "organization": x.organization.code,
        "kind": x.kind,
        "name": x.name,
        "eligible_categories": list(x.eligible_categories),
        "min_amount": yuan(x.min_amount),
        "max_amount": yuan(x.max_amount),
        "cap_person": yuan(x.cap_person),
        "cap_household": yuan(x.cap_household),
        "documents_required": x.documents_required,
        "is_active": x.is_active,
    }


class AssistanceLineRules(StrictSchema):
    eligible_categories: list[CategoryName] | None = Field(None, max_length=3)
    min_amount: Money | None = None
    max_amount: Money | None = None
    cap_person: Money | None = None
    cap_household: Money | None = None
    documents_required: str | None = Field(None, max_length=300)


class AssistanceLineIn(AssistanceLineRules):
    organization: Code
    kind: LineKind
    name: str = Field(..., min_length=1, max_length=60)


class AssistanceLinePatch(AssistanceLineRules):
    name: str | None = Field(None, min_length=1, max_length=60)
    is_active: bool | None = None


@router.get("/lines", response=list[AssistanceLineOut], operation_id="assistance_line_list")
def line_list(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.require_view(request.user)
    from .models import SupportLine

    qs = SupportLine.objects.visible_to(request.user).select_related("organization")
    return [_line_out(x) for x in qs[:500]]


@router.post("/lines", response={201: AssistanceLineOut}, operation_id="assistance_line_create")
def line_create(request: HttpRequest, payload: AssistanceLineIn) -> tuple[int, dict[str, Any]]:
    selectors.require_view(request.user)
    data = payload.dict(exclude_none=True)
    org = _organization(request.user, data.pop("organization"))
    line = support.line_create(actor=request.user, organization=org, **data)
    return 201, _line_out(line)


@router.patch("/lines/{code}", response=AssistanceLineOut, operation_id="assistance_line_update")
def line_update(request: HttpRequest, code: str, payload: AssistanceLinePatch) -> dict[str, Any]:
    line = selectors.line_get(actor=request.user, code=code)
    line = support.line_save(actor=request.user, line=line, **payload.dict(exclude_none=True))
    return _line_out(line)


# --------------------------------------------------------------------------- campaigns
class AssistanceCampaignOut(Schema):
    code: str
    organization: str
    kind: str
    name: str
    year: int
    budget: str
    spent: str
    fund: str
    visits: int


def _campaign_out(c: Any) -> dict[str, Any]:
    spent = support.campaign_spent(c)
    return {
        "code": c.code,
        "organization": c.organization.code,
        "kind": c.kind,
        "name": c.name,
        "year": c.year,
        "budget": yuan(c.budget),
        "spent": yuan(spent),
        "fund": c.fund.code,
        "visits": c.visits.count(),
    }


class AssistanceCampaignIn(StrictSchema):
    organization: Code
    kind: Literal["spring", "autumn", "condolence"]
    name: str = Field(..., min_length=1, max_length=100)
    year: Year
    budget: Annotated[
        Decimal, Field(gt=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)
    ]
    fund: Code


class AssistanceCampaignPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    budget: (
        Annotated[
            Decimal, Field(gt=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)
        ]
        | None
    ) = None


@router.get(
    "/campaigns", response=list[AssistanceCampaignOut], operation_id="assistance_campaign_list"
)
def campaign_list(request: HttpRequest, year: int | None = year_query()) -> list[dict[str, Any]]:
    selectors.require_view(request.user)
    qs = selectors.campaigns(actor=request.user)
    if year:
        qs = qs.filter(year=year)
    return [_campaign_out(c) for c in qs[:200]]


@router.post(
    "/campaigns", response={201: AssistanceCampaignOut}, operation_id="assistance_campaign_create"
)
def campaign_create(
    request: HttpRequest, payload: AssistanceCampaignIn
) -> tuple[int, dict[str, Any]]:
    selectors.require_view(request.user)
    org = _organization(request.user, payload.organization)
    fund = selectors.fund_get(actor=request.user, code=payload.fund)
    campaign = support.campaign_create(
        actor=request.user,
        organization=org,
        kind=payload.kind,
        name=payload.name,
        year=payload.year,
        budget=payload.budget,
        fund=fund,
    )
    return 201, _campaign_out(campaign)


@router.get(
    "/campaigns/{code}", response=AssistanceCampaignOut, operation_id="assistance_campaign_get"
)
def campaign_get(request: HttpRequest, code: str) -> dict[str, Any]:
    return _campaign_out(selectors.campaign_get(actor=request.user, code=code))


@router.patch(
    "/campaigns/{code}", response=AssistanceCampaignOut, operation_id="assistance_campaign_update"
)
def campaign_update(
    request: HttpRequest, code: str, payload: AssistanceCampaignPatch
) -> dict[str, Any]:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    campaign = support.campaign_update(
        actor=request.user, campaign=campaign, name=payload.name, budget=payload.budget
    )
    return _campaign_out(campaign)


# ----------------------------------------------------------------------------- budgets
class AssistanceBudgetOut(Schema):
    code: str
    fund: str
    line: str
    year: int
    budget: str
    spent: str
    left: str


def _budget_out(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": r["code"],
        "fund": r["fund"].code,
        "line": r["line"].code,
        "year": r["year"],
        "budget": yuan(r["amount"]),
        "spent": yuan(r["spent"]),
        "left": yuan(r["left"]),
    }


class AssistanceBudgetIn(StrictSchema):
    fund: Code
    line: Code
    year: Year
    amount: Annotated[
        Decimal, Field(ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)
    ]


@router.get("/budgets", response=list[AssistanceBudgetOut], operation_id="assistance_budget_list")
def budget_list(request: HttpRequest, year: int | None = year_query()) -> list[dict[str, Any]]:
    selectors.require_view(request.user)
    year = year or timezone.localdate().year
    return [_budget_out(r) for r in budget_rows(actor=request.user, year=year)]


@router.put("/budgets", response=AssistanceBudgetOut, operation_id="assistance_budget_set")
def budget_put(request: HttpRequest, payload: AssistanceBudgetIn) -> dict[str, Any]:
    fund = selectors.fund_get(actor=request.user, code=payload.fund)
    line = selectors.line_get(actor=request.user, code=payload.line)
    budget = budget_set(
        actor=request.user, fund=fund, line=line, year=payload.year, amount=payload.amount
    )
    (row,) = [
        r for r in budget_rows(actor=request.user, year=budget.year) if r["code"] == budget.code
    ]
    return _budget_out(row)


# ---------------------------------------------------------------------- support outcome
class AssistanceOutcomeIn(StrictSchema):
    outcome: str = Field(..., min_length=1, max_length=300)


class AssistanceOutcomeOut(Schema):
    code: str
    line: str
    service: str
    outcome: str
    status: str


@router.post(
    "/support/{code}/outcome",
    response=AssistanceOutcomeOut,
    operation_id="assistance_support_outcome",
)
def support_outcome(
    request: HttpRequest, code: str, payload: AssistanceOutcomeIn
) -> dict[str, Any]:
    record = selectors.support_get(actor=request.user, code=code)
    record = support.support_outcome_record(
        actor=request.user, record=record, outcome=payload.outcome
    )
    return {
        "code": record.code,
        "line": record.line.kind,
        "service": record.service,
        "outcome": record.outcome,
        "status": record.status,
    }
