"""Revenue-sharing endpoints under /api/v1/innovation/revenue/: schemes, yearly figures, their
certification and payment, corrections of certified years, totals. The same services as the pages
(revenue.py, revenue_corrections.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core import access
from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import field_error
from gongjiang.core.exports import file_response
from gongjiang.core.ledger.selectors import fund_get
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, Year, paginate

from . import revenue
from . import revenue_corrections as corrections
from .models_revenue import RevenueCorrection, RevenueScheme, RevenueYear
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


class RevenueVersionOut(Schema):
    number: int
    correction: str | None
    amount: str
    pool: str | None
    parts: list[RevenuePartOut]
    current: bool


class RevenueYearOut(Schema):
    code: str
    year: int
    amount: str
    status: str
    share: str | None
    pool: str | None
    parts: list[RevenuePartOut]
    corrected: int
    history: list[RevenueVersionOut]


class RevenueContributionOut(Schema):
    worker: str
    contribution: str


class RevenueCorrectionOut(Schema):
    code: str
    year: str
    number: int
    status: str
    amount: str
    note: str
    contributions: list[RevenueContributionOut]
    reason: str
    document: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    pool: str | None
    new_share: str | None = None


class RevenueRejectIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=500)


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


def _parts_out(parts: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "worker": p.worker.code,
            "name": p.worker.name,
            "contribution": p.contribution,
            "exact": p.exact,
            "amount": _money(p.amount),
            "extra_fen": p.extra_fen,
        }
        for p in parts
    ]


def year_out(y: RevenueYear) -> dict[str, Any]:
    """The year as it counts now (the certification or its last approved correction), with the
    history of the certification and every approved correction."""
    versions = corrections.year_versions(y)
    now = versions[-1] if versions else None
    return {
        "code": y.code,
        "year": y.year,
        "amount": _money(now.amount if now else y.amount),
        "status": y.status,
        "share": share_text(y.share) if y.share is not None else None,
        "pool": _money(now.pool if now else y.pool),
        "parts": _parts_out(now.parts if now else []),
        "corrected": len(versions) - 1 if versions else 0,
        "history": [
            {
                "number": v.number,
                "correction": v.correction.code if v.correction else None,
                "amount": _money(v.amount),
                "pool": _money(v.pool),
                "parts": _parts_out(v.parts),
                "current": v.current,
            }
            for v in versions
        ],
    }


def correction_out(c: RevenueCorrection) -> dict[str, Any]:
    return {
        "code": c.code,
        "year": c.year.code,
        "number": c.number,
        "status": c.status,
        "amount": _money(c.amount),
        "note": c.note,
        "contributions": [{"worker": w, "contribution": v} for w, v in c.contributions],
        "reason": c.reason,
        "document": f"/api/v1/innovation/revenue/corrections/{c.code}/document",
        "requested_by": str(c.requested_by) if c.requested_by_id else "",
        "requested_at": c.requested_at,
        "decided_by": str(c.decided_by) if c.decided_by_id else None,
        "decided_at": c.decided_at,
        "decision_note": c.decision_note,
        "pool": _money(c.pool),
        "new_share": None if c.new_share is None else share_text(c.new_share),
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


# ----------------------------------------------------------------------------------- corrections


def _fresh_year(code: str) -> RevenueYear:
    return RevenueYear.objects.prefetch_related("parts__worker", "corrections").get(code=code)


@router.get(
    "/revenue/years/{code}",
    response=RevenueYearOut,
    summary="A year as it counts now, with the certification and every approved correction",
)
def year_get_api(request: HttpRequest, code: str) -> Any:
    return year_out(_fresh_year(revenue.year_get(actor=request.user, code=code[:20]).code))


@router.get(
    "/revenue/years/{code}/corrections",
    response=list[RevenueCorrectionOut],
    summary="The corrections asked for a year (waiting, approved, rejected)",
)
def corrections_list_api(request: HttpRequest, code: str) -> Any:
    row = revenue.year_get(actor=request.user, code=code[:20])
    return [correction_out(c) for c in corrections.year_corrections(row)]


@router.post(
    "/revenue/years/{code}/corrections",
    response={201: RevenueCorrectionOut},
    summary=(
        "Ask for a correction of a certified year (multipart: amount, reason, note, contributions "
        "as a JSON object {worker code: percent} — a worker of the scheme's organisation who was "
        "not in the year may be added —, share (the team's corrected share, blank: unchanged), "
        "the supporting document as file)"
    ),
)
def correction_request_api(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    amount: str = Form(..., min_length=1, max_length=20),
    reason: str = Form(..., min_length=1, max_length=500),
    note: str = Form("", max_length=500),
    contributions: str = Form("", max_length=4000),
    share: str = Form("", max_length=10),
) -> Any:
    row = revenue.year_get(actor=request.user, code=code[:20])
    shares = None
    if contributions.strip():
        try:
            shares = json.loads(contributions)
        except ValueError:
            shares = None
        if not isinstance(shares, dict) or len(shares) > 100:
            raise field_error(
                "contributions",
                "{worker code: percent}",
                "invalid_contributions",
                status=422,
            )
    correction = corrections.revenue_correction_request(
        actor=request.user,
        year=row,
        amount=amount,
        reason=reason,
        note=note,
        contributions=shares,
        upload=file,
        share=share or None,
    )
    return 201, correction_out(correction)


@router.post(
    "/revenue/corrections/{code}/withdraw",
    response=RevenueCorrectionOut,
    summary="Withdraw a waiting correction (only the one who asked for it)",
)
def correction_withdraw_api(request: HttpRequest, code: str) -> Any:
    correction = corrections.correction_get(actor=request.user, code=code[:20])
    return correction_out(
        corrections.revenue_correction_withdraw(actor=request.user, correction=correction)
    )


@router.get("/revenue/corrections/{code}", response=RevenueCorrectionOut, summary="A correction")
def correction_get_api(request: HttpRequest, code: str) -> Any:
    return correction_out(corrections.correction_get(actor=request.user, code=code[:20]))


@router.get("/revenue/corrections/{code}/document", summary="A correction's supporting document")
def correction_document_api(request: HttpRequest, code: str) -> HttpResponse:
    correction = corrections.correction_get(actor=request.user, code=code[:20])
    return file_response(
        corrections.correction_document_open(correction),
        download_filename(
            str(correction.year),
            correction.number,
            ext=corrections.EXTENSIONS.get(correction.document_type, "bin"),
        ),
        content_type=correction.document_type,
    )


@router.post(
    "/revenue/corrections/{code}/approve",
    response=RevenueYearOut,
    summary="Approve a correction (never who asked for it); a paid year is paid again",
)
def correction_approve_api(request: HttpRequest, code: str) -> Any:
    correction = corrections.correction_get(actor=request.user, code=code[:20])
    corrections.revenue_correction_approve(actor=request.user, correction=correction)
    return year_out(_fresh_year(correction.year.code))


@router.post(
    "/revenue/corrections/{code}/reject",
    response=RevenueCorrectionOut,
    summary="Reject a correction with the reason (never who asked for it)",
)
def correction_reject_api(request: HttpRequest, code: str, payload: RevenueRejectIn) -> Any:
    correction = corrections.correction_get(actor=request.user, code=code[:20])
    correction = corrections.revenue_correction_reject(
        actor=request.user, correction=correction, reason=payload.reason
    )
    return correction_out(corrections.correction_get(actor=request.user, code=correction.code))
