"""The results dashboard, open answers and the SPSS-style downloads. Every figure comes through
selectors.breakdown / selectors.export_table (the threshold is applied there)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import csv_response, xlsx_file, xlsx_response
from gongjiang.core.models import Organization

from . import rollups, selectors
from .models import Dimension


def _within(request: HttpRequest) -> Organization | None:
    code = request.GET.get("within", "")[:20]
    if not code:
        return None
    return access.get_visible_or_404(Organization.objects, request.user, selectors.VIEW, code=code)


def _chart(
    q: dict[str, Any],
    shares: dict[str, float],
    weighted: dict[str, float],
    before: dict[str, float],
) -> dict[str, Any]:
    labels = [label for _o, label in q["option_labels"]]
    keys = [o for o, _l in q["option_labels"]]
    series = [{"name": _("share"), "data": [round(100 * shares.get(k, 0), 1) for k in keys]}]
    if weighted:
        series.append(
            {"name": _("weighted"), "data": [round(100 * weighted.get(k, 0), 1) for k in keys]}
        )
    if before:
        series.append(
            {"name": _("previous round"), "data": [round(100 * before.get(k, 0), 1) for k in keys]}
        )
    return {"labels": labels, "series": series}


@login_required
def results(request: HttpRequest, code: str) -> HttpResponse:
    survey = selectors.survey_get(actor=request.user, code=code)
    dim = request.GET.get("dim", "all")
    if dim not in selectors.BREAKDOWNS:
        dim = "all"
    within = _within(request)
    result = selectors.breakdown(actor=request.user, survey=survey, dim=dim, within=within)
    overall = (
        result
        if dim == "all"
        else selectors.breakdown(actor=request.user, survey=survey, dim="all", within=within)
    )
    shares = selectors.shares(overall)
    weighted = selectors.weighted(actor=request.user, survey=survey) if within is None else {}
    before = selectors.comparison(actor=request.user, survey=survey) if within is None else {}
    charts = {
        q["key"]: _chart(
            q, shares.get(q["key"], {}), weighted.get(q["key"], {}), before.get(q["key"], {})
        )
        for q in overall["questions"]
        if q["key"] in shares and q["type"] != "open"
    }
    org_codes = {}
    if dim == "org":
        org_codes = dict(
            Organization.objects.filter(
                path__in=[g["value"] for g in result["groups"]]
            ).values_list("path", "code")
        )
    groups = [{**g, "code": org_codes.get(g["value"], "")} for g in result["groups"]]
    tables = []
    for q in result["questions"]:
        body = []
        for option, label in q["option_labels"]:
            cells = []
            for g in groups:
                counts = q["counts"].get(g["value"])
                if counts is None:
                    cells.append(None)
                else:
                    n = counts.get(option, 0)
                    cells.append((n, round(100 * n / g["n"], 1) if g["n"] else 0))
            body.append((label, cells))
        tables.append({"q": q, "body": body})
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "result": result,
            "overall": overall,
            "groups": groups,
            "tables": tables,
            "dim": dim,
            "dims": [("all", _("all respondents")), *Dimension.choices, ("org", _("organisation"))],
            "within": within,
            "charts_json": json.dumps(charts, ensure_ascii=False),
            "progress": selectors.progress(survey),
            "freshness": rollups.freshness(survey),
            "can_read_text": access.can(request.user, selectors.READ_TEXT, survey.organization),
        },
    )


@login_required
def texts(request: HttpRequest, code: str, key: str) -> HttpResponse:
    survey = selectors.survey_get(actor=request.user, code=code)
    data = selectors.open_texts(actor=request.user, survey=survey, key=key[:20])
    return render(request, "surveys/texts.html", {"survey": survey, **data})


def _export(request: HttpRequest, code: str) -> tuple[Any, dict[str, Any]]:
    survey = selectors.survey_get(actor=request.user, code=code)
    table = selectors.export_table(actor=request.user, survey=survey)
    audit(actor=request.user, action="survey.export", obj=survey)
    return survey, table


@login_required
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    survey, table = _export(request, code)
    return xlsx_response(
        xlsx_file(
            [
                (_("Answers"), table["header"], table["rows"]()),
                (_("Codebook"), [_("column"), _("meaning")], table["codebook"]),
            ]
        ),
        download_filename(survey.title, _("answers"), ext="xlsx"),
    )


@login_required
def export_csv(request: HttpRequest, code: str) -> HttpResponse:
    survey, table = _export(request, code)
    return csv_response(
        table["header"], table["rows"](), download_filename(survey.title, _("answers"), ext="csv")
    )
