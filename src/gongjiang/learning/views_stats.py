"""Item statistics pages: an exam session's, and a question bank's on demand; each with charts
and an Excel export (``?format=xlsx``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.models import Organization
from gongjiang.core.spreadsheets import xlsx_bytes
from gongjiang.core.views import xlsx_response

from . import selectors
from .models import Attempt
from .statistics import ItemStatistics, bank_item_statistics, bank_knowledge_points
from .statistics import session_item_statistics as session_stats
from .views import _orgs, _require_any

BANK_PERM = "learning.view_question"


def exam_figures(stats: ItemStatistics) -> list[tuple[str, str, Any]]:
    """(key, label with unit, value) for the exam summary and the export."""
    labels = [
        ("count", _("Attempts")),
        ("mean", _("Mean total (marks)")),
        ("median", _("Median total (marks)")),
        ("sd", _("Standard deviation (marks)")),
        ("skewness", _("Skewness")),
        ("kurtosis", _("Kurtosis")),
        ("alpha", _("Cronbach's alpha (%)")),
        ("error_ratio", _("Error ratio (%)")),
        ("standard_error", _("Standard error (marks)")),
    ]
    return [(key, label, stats.exam[key]) for key, label in labels]


def question_headers() -> list[str]:
    return [
        _("question"),
        _("question type"),
        _("knowledge point"),
        _("stem"),
        _("maximum mark"),
        _("attempts"),
        _("facility (%)"),
        _("standard deviation (marks)"),
        _("discrimination index (%)"),
        _("discriminative efficiency (%)"),
        _("effective weight (%)"),
        _("flag"),
    ]


def _export(stats: ItemStatistics, filename: str) -> HttpResponse:
    exam_rows = [(label, value) for _key, label, value in exam_figures(stats)]
    question_rows = [
        (
            q["code"],
            q["qtype_display"],
            q["knowledge_point"],
            q["stem"],
            q["max_mark"],
            q["count"],
            q["facility_percent"],
            q["sd"],
            q["discrimination_index"],
            q["discriminative_efficiency"],
            q["effective_weight"],
            q["flag_reason"] or None,
        )
        for q in stats.questions
    ]
    data = xlsx_bytes(
        [
            (_("Exam"), [_("figure"), _("value")], exam_rows),
            (_("Questions"), question_headers(), question_rows),
        ]
    )
    return xlsx_response(data, filename)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _charts(stats: ItemStatistics) -> dict[str, Any]:
    codes = [q["code"] for q in stats.questions]
    return {
        "codes": codes,
        "facility": [_round(q["facility_percent"]) for q in stats.questions],
        "discrimination": [_round(q["discrimination_index"]) for q in stats.questions],
        "flags": [q["flag"] or "" for q in stats.questions],
        "histogram": stats.histogram,
        "labels": {
            "facility": _("facility (%)"),
            "discrimination": _("discrimination index (%)"),
            "attempts": _("attempts"),
            "total": _("total (marks)"),
        },
    }


def _render(request: HttpRequest, stats: ItemStatistics, context: dict[str, Any]) -> HttpResponse:
    return render(
        request,
        "learning/item_stats.html",
        {
            "stats": stats,
            "figures": exam_figures(stats),
            "charts": _charts(stats),
            "export_query": _export_query(request),
            **context,
        },
    )


def _export_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "xlsx"
    return query.urlencode()


@login_required
def session_statistics(request: HttpRequest, code: str) -> HttpResponse:
    session = selectors.session_get(actor=request.user, code=code)
    stats = session_stats(session=session)
    if request.GET.get("format") == "xlsx":
        return _export(stats, f"item-statistics-{session.code}.xlsx")
    awaiting = Attempt.objects.filter(session=session, status=Attempt.Status.MARKING).count()
    return _render(
        request, stats, {"session": session, "title": session.title, "awaiting": awaiting}
    )


@login_required
def bank_statistics(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, BANK_PERM)
    orgs = _orgs(request.user, BANK_PERM)
    code = request.GET.get("organization", "")[:20]
    kp = request.GET.get("kp", "")[:100]
    occupation = request.GET.get("occupation", "")[:20]
    context: dict[str, Any] = {
        "organizations": orgs,
        "bank": True,
        "kp": kp,
        "occupation": occupation,
        "title": _("Question bank statistics"),
    }
    if not code:
        return render(request, "learning/item_stats.html", context)
    org = access.get_visible_or_404(Organization.objects.all(), request.user, BANK_PERM, code=code)
    stats = bank_item_statistics(organization=org, knowledge_point=kp, occupation=occupation)
    if request.GET.get("format") == "xlsx":
        return _export(stats, f"item-statistics-{org.code}.xlsx")
    context.update(
        organization=org,
        knowledge_points=bank_knowledge_points(organization=org),
        title=_("Question bank statistics") + " · " + org.name,
    )
    return _render(request, stats, context)
