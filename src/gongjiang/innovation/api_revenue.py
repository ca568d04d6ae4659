"""Revenue-sharing endpoints under /api/v1/innovation/revenue/: schemes, yearly figures, their
certification and payment, totals. The same services as the pages (revenue.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core import access
from gongjiang.core.ledger.selectors import fund_get
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, Year, paginate

from . import revenue
from .models_revenue import RevenueScheme, RevenueYear
from .split import share_text

router = Router(tags=["innovation revenue sharing"])

Money = Field(..., ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)
Code = Field(..., min_length=1, max_length=20)


class RevenueSchemeIn(StrictSchema):
    result: str = Code
    mode: Literal["transfer", "licence", "equity", "own_use"]
    first_year: Year
    share: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4)
    agreement: str = Field("", max_length=500)
    own_use_years: int | None = Field(None, ge=3, le=5)
    fund: str | None = Field(None, min_length=1, max_length=20)


class RevenuePartOut(Schema):
    worker: str
    name: str
    contribution: Decimal
    exact: Decimal
    amount: str
    extra_fen: bool


class RevenueYearOut(Schema):
    code: str
    year: int
    amount: str
    status: str
    share: str | None
    pool: str | None
    parts: list[RevenuePartOut]


class RevenueSchemeOut(Schema):
    code: str
    result: str
    result_title: str
    mode: str
    basis: str
    share: str
    agreement: str
    first_year: int
    own_use_years: int | None
    last_year: int | None
    fund: str | None
    years: list[RevenueYearOut]


class RevenueSchemeRow(Schema):
    code: str
    result: str
    result_title: str
    mode: str
    share: str


class RevenueSchemePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RevenueSchemeRow]


class RevenuePageIn(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


class RevenueYearIn(StrictSchema):
    year: Year
    amount: Decimal = Money
    note: str = Field("", max_length=500)


class RevenueTotalsIn(Schema):
    by: Literal["result", "worker", "employer"] = "result"


class RevenueTotalOut(Schema):
    key: str
    name: str
    n: int
    total: str
    paid: str
    unpaid: str


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def year_out(y: RevenueYear) -> dict[str, Any]:
    return {
        "code": y.code,
        "year": y.year,
        "amount": _money(y.amount),
        "status": y.status,
        "share": share_text(y.share) if y.share is not None else None,
        "pool": _money(y.pool),
        "parts": [
            {
                "worker": p.worker.code,
                "name": p.worker.name,
                "contribution": p.contribution,
                "exact": p.exact,
                "amount": _money(p.amount),
                "extra_fen": p.extra_fen,
            }
            for p in y.parts.all()
        ],
    }


def scheme_out(s: RevenueScheme) -> dict[str, Any]:
    return {
        "code": s.code,
        "result": s.result.code,
        "result_title": s.result.title,
        "mode": s.mode,
        "basis": s.basis,
        "share": share_text(s.share),
        "agreement": s.agreement,
        "first_year": s.first_year,
        "own_use_years": s.own_use_years,
        "last_year": s.last_year,
        "fund": s.fund.code if s.fund_id else None,
        "years": [year_out(y) for y in revenue.scheme_years(s)],
    }


def _need(request: HttpRequest, perm: str) -> None:
    if not access.can(request.user, perm):
        raise PermissionDenied(perm)


@router.get("/revenue/schemes", response=RevenueSchemePage, summary="Revenue-sharing schemes")
def scheme_list_api(request: HttpRequest, filters: Query[RevenuePageIn]) -> Any:
    _need(request, revenue.VIEW)
    page = paginate(revenue.scheme_list(actor=request.user), filters.page, filters.page_size)
    page["items"] = [
        {
            "code": s.code,
            "result": s.result.code,
            "result_title": s.result.title,
            "mode": s.mode,
            "share": share_text(s.share),
        }
        for s in page["items"]
    ]
    return page


@router.post(
    "/revenue/schemes",
    response={201: RevenueSchemeOut},
    summary="Create a scheme (share null: the statutory minimum of art. 45)",
)
def scheme_create_api(request: HttpRequest, payload: RevenueSchemeIn) -> Any:
    _need(request, revenue.MANAGE)
    from django.http import Http404

    result = revenue.eligible_results(actor=request.user).filter(code=payload.result).first()
    if result is None:
        raise Http404("result")
    fund = fund_get(actor=request.user, code=payload.fund) if payload.fund else None
    scheme = revenue.revenue_scheme_create(
        actor=request.user,
        result=result,
        mode=payload.mode,
        first_year=payload.first_year,
        share=payload.share,
        agreement=payload.agreement,
        own_use_years=payload.own_use_years,
        fund=fund,
    )
    return 201, scheme_out(scheme)


@router.get("/revenue/schemes/{code}", response=RevenueSchemeOut, summary="A scheme and its years")
def scheme_get_api(request: HttpRequest, code: str) -> Any:
    return scheme_out(revenue.scheme_get(actor=request.user, code=code[:20]))


@router.post(
    "/revenue/schemes/{code}/years",
    response={201: RevenueYearOut},
    summary="Enter (or correct, until certified) a year's figure",
)
def year_enter_api(request: HttpRequest, code: str, payload: RevenueYearIn) -> Any:
    scheme = revenue.scheme_get(actor=request.user, code=code[:20])
    row = revenue.revenue_year_enter(
        actor=request.user,
        scheme=scheme,
        year=payload.year,
        amount=payload.amount,
        note=payload.note,
    )
    return 201, year_out(row)


@router.post(
    "/revenue/years/{code}/certify",
    response=RevenueYearOut,
    summary="Certify a year (another person than who entered it); computes the parts",
)
def year_certify_api(request: HttpRequest, code: str) -> Any:
    row = revenue.year_get(actor=request.user, code=code[:20])
    return year_out(revenue.revenue_year_certify(actor=request.user, year=row))


@router.post(
    "/revenue/years/{code}/pay",
    response=RevenueYearOut,
    summary="Pay a certified year from the scheme's fund (all parts or none)",
)
def year_pay_api(request: HttpRequest, code: str) -> Any:
    row = revenue.year_get(actor=request.user, code=code[:20])
    revenue.revenue_year_pay(actor=request.user, year=row)
    row.refresh_from_db()
    return year_out(row)


@router.get("/revenue/totals", response=list[RevenueTotalOut], summary="Totals in scope")
def totals_api(request: HttpRequest, filters: Query[RevenueTotalsIn]) -> Any:
    _need(request, revenue.VIEW)
    return [
        {**r, "total": _money(r["total"]), "paid": _money(r["paid"]), "unpaid": _money(r["unpaid"])}
        for r in revenue.revenue_totals(actor=request.user, by=filters.by)
    ]
