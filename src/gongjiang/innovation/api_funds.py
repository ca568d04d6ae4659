"""Reward-fund endpoints under /api/v1/innovation/funds/: each fund's balance and yearly budgets
(approved, used, remaining, waiting), proposing a year's budget, approving, rejecting or
withdrawing it, and the fund's ledger (paged, filtered like the page). The same services as the
pages (fund_budgets.py, fund_ledger.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.schemas import (
    PageNumber,
    PageSize,
    StrictSchema,
    Year,
    page_query,
    paginate,
)

from . import fund_budgets, fund_ledger
from .listing import page_slice
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


class LedgerFilters(Schema):
    year: int | None = Field(
        None, ge=fund_budgets.MIN_YEAR, le=fund_budgets.MAX_YEAR, description="calendar year posted"
    )
    kind: Literal["award", "revenue", "correction", "budget", "other"] | None = None
    worker: str = Field("", max_length=fund_ledger.CODE_MAX, description="a worker's code")
    result: str = Field("", max_length=fund_ledger.CODE_MAX, description="a result's code")
    page: PageNumber = 1
    page_size: PageSize = 50


class LedgerLineOut(Schema):
    code: str
    at: dt.datetime
    kind: str
    credit: bool
    amount: str = Field(description="positive, to the fen; `credit` tells in or out")
    balance_after: str = Field(description="the fund's balance after this entry, whole ledger")
    result: str
    result_code: str | None
    worker: str = Field(description="masked when the caller may not see the worker")
    worker_code: str | None
    reference: str
    reversed: bool
    reversal: bool


class LedgerPage(Schema):
    fund: str
    balance: str
    count: int
    page: int
    page_size: int
    items: list[LedgerLineOut]


def _line_out(line: fund_ledger.Line) -> dict[str, Any]:
    return {
        "code": line.code,
        "at": line.at,
        "kind": line.kind,
        "credit": line.credit,
        "amount": f"{line.amount:.2f}",
        "balance_after": f"{line.balance:.2f}",
        "result": line.result,
        "result_code": line.result_code or None,
        "worker": line.worker,
        "worker_code": line.worker_code or None,
        "reference": line.reference,
        "reversed": line.reversed,
        "reversal": line.reversal,
    }


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


#: funds per page of ``GET /funds`` (the answer stays a list; ``page`` chooses the slice)
FUND_PAGE = 200


@router.get(
    "/funds",
    response=list[RewardFundOut],
    summary="Reward funds with their budgets",
    description=(
        f"At most {FUND_PAGE} funds a page, in the order of the union tree; `page` (from 1) gives "
        "the next ones and the header `X-Total-Count` tells how many there are in all."
    ),
)
def fund_list_api(request: HttpRequest, response: HttpResponse, page: int = page_query()) -> Any:
    _need(request)
    funds = fund_budgets.reward_funds(actor=request.user)
    return [_fund_out(f) for f in page_slice(response, funds, page, FUND_PAGE)]


@router.get("/funds/{code}", response=RewardFundOut, summary="A reward fund and its budgets")
def fund_get_api(request: HttpRequest, code: str) -> Any:
    _need(request)
    return _fund_out(fund_budgets.reward_fund_get(actor=request.user, code=code[:20]))


@router.get(
    "/funds/{code}/ledger",
    response=LedgerPage,
    summary="The fund's ledger, newest first, paged and filtered like the fund's page",
    description=(
        "Filters: `year` (calendar year posted, 2000–2100), `kind` (award, revenue, correction, "
        "budget, other), `worker` and `result` (codes; one the caller may not see matches "
        "nothing). `balance_after` is the fund's balance after the entry in the whole ledger, "
        "not recomputed within the filter. A worker the caller may not see is masked, without "
        "code. A fund outside the caller's scope is 404."
    ),
)
def fund_ledger_api(request: HttpRequest, code: str, filters: Query[LedgerFilters]) -> Any:
    _need(request)
    fund = fund_budgets.reward_fund_get(actor=request.user, code=code[:20])
    chosen = fund_ledger.filters_clean(
        year=filters.year, kind=filters.kind or "", worker=filters.worker, result=filters.result
    )
    qs = fund_ledger.entries(actor=request.user, fund=fund, filters=chosen)
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [
        _line_out(x) for x in fund_ledger.lines(actor=request.user, rows=page["items"])
    ]
    return {"fund": fund.code, "balance": f"{fund.balance:.2f}", **page}


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
