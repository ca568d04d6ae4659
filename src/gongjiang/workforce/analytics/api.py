"""Skill-structure analytics over the API: ``/api/v1/workforce/analytics/{org}/…`` (mounted by
workforce/api.py with ``router.add_router("/analytics", analytics_router)``).

Every endpoint answers for one organisation the caller's roles cover (404 otherwise) and reads
only the rollup tables; ``export`` gives any figure as .xlsx.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import xlsx_bytes, xlsx_response

from . import services as analytics
from .services import Dimension, Exportable

router = Router(tags=["workforce analytics"])

Level = Literal["", "province", "city", "county", "section", "division", "major", "medium"]


class LevelOut(Schema):
    code: str
    name: str
    high_skilled: bool


class SummaryOut(Schema):
    organization: str
    organization_name: str
    headcount: int
    levels: dict[str, int]
    high_skilled: int
    high_skilled_share: float | None
    technician_or_above: int
    technician_or_above_share: float | None
    as_of: dt.date | None
    built_at: dt.datetime | None
    link: str
    ladder: list[LevelOut]


class RowOut(Schema):
    key: str
    label: str
    total: int
    levels: dict[str, int]
    high_skilled: int
    high_skilled_share: float | None
    technician_or_above: int
    technician_or_above_share: float | None
    link: str


class FigureOut(Schema):
    dimension: str
    title: str
    as_of: dt.date | None
    truncated: bool
    rows: list[RowOut]


class GainRowOut(Schema):
    year: int
    total: int
    levels: dict[str, int]


class GainsOut(Schema):
    as_of: dt.date | None
    rows: list[GainRowOut]


class HonourRowOut(Schema):
    title: str
    level: str
    total: int
    years: dict[int, int]
    link: str


class HonoursOut(Schema):
    as_of: dt.date | None
    rows: list[HonourRowOut]


@router.get(
    "/{org}/summary", response=SummaryOut, summary="Headcount, skill levels and high-skilled shares"
)
def summary(request: HttpRequest, org: str) -> dict[str, Any]:
    organization = analytics.analytics_org_get(request.user, org)
    return {**analytics.summary(organization), "ladder": analytics.levels()}


@router.get(
    "/{org}/by/{dimension}",
    response=FigureOut,
    summary="Headcount and skill-level distribution by a dimension (each row links to its workers)",
)
def by_dimension(
    request: HttpRequest,
    org: str,
    dimension: Dimension,
    level: Level = "",
    limit: int = Query(50, ge=1, le=1000, description="employers: how many of the largest"),
) -> dict[str, Any]:
    organization = analytics.analytics_org_get(request.user, org)
    fig = analytics.figure(organization, dimension, level, limit)
    return {
        "dimension": fig.name,
        "title": fig.title,
        "as_of": fig.as_of,
        "truncated": fig.truncated,
        "rows": [r.as_dict() for r in fig.rows],
    }


@router.get("/{org}/level-gains", response=GainsOut, summary="Skill levels gained per year")
def level_gains(request: HttpRequest, org: str) -> dict[str, Any]:
    return analytics.level_gains(analytics.analytics_org_get(request.user, org))


@router.get("/{org}/honours", response=HonoursOut, summary="Honours by title and year")
def honours(request: HttpRequest, org: str) -> dict[str, Any]:
    return analytics.honours(analytics.analytics_org_get(request.user, org))


@router.get("/{org}/export/{figure}", summary="One figure as .xlsx")
def export(request: HttpRequest, org: str, figure: Exportable, level: Level = "") -> HttpResponse:
    organization = analytics.analytics_org_get(request.user, org)
    title, header, rows = analytics.export_sheet(organization, figure, level)
    return xlsx_response(
        xlsx_bytes([(title[:31], header, rows)]),
        download_filename(title, organization.name, ext="xlsx"),
    )
