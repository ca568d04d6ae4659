"""Reward-fund endpoints under /api/v1/innovation/funds/: each fund's balance and yearly budgets
(approved, used, remaining, waiting), proposing a year's budget, approving, rejecting or
withdrawing it. The same services as the pages (fund_budgets.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from gongjiang.core import access
from gongjiang.core.schemas import StrictSchema, Year

from . import fund_budgets
from .models_budget import FundBudget

router = Router(tags=["innovation reward funds"])


class FundBudgetOut(Schema):
    code: str
    year: int
    amount: str | None
    used: str
    remaining: str | None
    proposed_amount: str | None
    proposed_by: str | None


class RewardFundOut(Schema):
    code: str
    name: str
    organization: str
    balance: str
    budgets: list[FundBudgetOut]


class FundBudgetIn(StrictSchema):
    year: Year
    amount: Decimal = Field(
        ..., ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2
    )


class FundBudgetRejectIn(StrictSchema):
    reason: str = Field("", max_length=500)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _fund_out(fund: Any) -> dict[str, Any]:
    return {
        "code": fund.code,
        "name": fund.name,
        "organization": fund.organization.name,
        "balance": f"{fund.balance:.2f}",
        "budgets": [
            {
                "code": r["budget"].code,
                "year": r["year"],
                "amount": _s(r["amount"]),
                "used": f"{r['used']:.2f}",
                "remaining": _s(r["remaining"]),
                "proposed_amount": _s(r["proposed_amount"]),
                "proposed_by": r["proposed_by"].get_username() if r["proposed_by"] else None,
            }
            for r in fund_budgets.budget_rows(fund=fund)
        ],
    }


def _need(request: HttpRequest) -> None:
    if not access.can(request.user, fund_budgets.VIEW):
        raise PermissionDenied(fund_budgets.VIEW)


def _budget(request: HttpRequest, code: str, year: int) -> FundBudget:
    fund = fund_budgets.reward_fund_get(actor=request.user, code=code[:20])
    budget = FundBudget.objects.filter(fund=fund, year=year).first()
    if budget is None:
        raise Http404("budget")
    return budget


@router.get("/funds", response=list[RewardFundOut], summary="Reward funds with their budgets")
def fund_list_api(request: HttpRequest) -> Any:
    _need(request)
    return [_fund_out(f) for f in fund_budgets.reward_funds(actor=request.user)[:200]]


@router.get("/funds/{code}", response=RewardFundOut, summary="A reward fund and its budgets")
def fund_get_api(request: HttpRequest, code: str) -> Any:
    _need(request)
    return _fund_out(fund_budgets.reward_fund_get(actor=request.user, code=code[:20]))


@router.post(
    "/funds/{code}/budgets",
    response={201: RewardFundOut},
    summary="Propose the budget of a year (another officer approves it)",
)
def budget_propose_api(request: HttpRequest, code: str, payload: FundBudgetIn) -> Any:
    _need(request)
    fund = fund_budgets.reward_fund_get(actor=request.user, code=code[:20])
    fund_budgets.fund_budget_propose(
        actor=request.user, fund=fund, year=payload.year, amount=payload.amount
    )
    return 201, _fund_out(fund)


@router.post(
    "/funds/{code}/budgets/{year}/approve",
    response=RewardFundOut,
    summary="Approve the proposed budget of a year (never who proposed it)",
)
def budget_approve_api(request: HttpRequest, code: str, year: Year) -> Any:
    _need(request)
    budget = _budget(request, code, year)
    fund_budgets.fund_budget_approve(actor=request.user, budget=budget)
    return _fund_out(budget.fund)


@router.post(
    "/funds/{code}/budgets/{year}/reject",
    response=RewardFundOut,
    summary="Reject the proposed budget with a reason, or withdraw one's own proposal",
)
def budget_reject_api(
    request: HttpRequest, code: str, year: Year, payload: FundBudgetRejectIn
) -> Any:
    _need(request)
    budget = _budget(request, code, year)
    fund_budgets.fund_budget_reject(actor=request.user, budget=budget, reason=payload.reason)
    return _fund_out(budget.fund)
