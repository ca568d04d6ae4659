"""Item statistics pages: an exam session's, and a question bank's on demand; each with charts
and an Excel export (``?format=xlsx``).

A large session or bank is computed in a background job (:mod:`.jobs`): the page then shows
the job's progress (polled with htmx: ``?job=<code>``, answered with the progress bar, or with a
refresh once the job has finished) and, once it is done, the stored figures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import xlsx_bytes, xlsx_response

from .. import selectors
from ..bank.views import _orgs, _require_any
from ..models import Attempt
from .jobs import (
    StatsOutcome,
    StatsTarget,
    bank_target,
    item_statistics_get,
    job_active,
    session_target,
    stats_job_get,
)
from .services import (
    ITEM_STATS_MIN_ATTEMPTS,
    SAMPLE_SENSITIVE_EXAM,
    ItemStatistics,
    bank_knowledge_points,
)

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


def _unreliable_note() -> str:
    return _("unreliable: fewer than %(min)d attempts") % {"min": ITEM_STATS_MIN_ATTEMPTS}


def _export(stats: ItemStatistics, filename: str) -> HttpResponse:
    exam_rows: list[tuple[Any, ...]] = [
        (
            label,
            value,
            None if stats.reliable or key not in SAMPLE_SENSITIVE_EXAM else _unreliable_note(),
        )
        for key, label, value in exam_figures(stats)
    ]
    exam_rows += [(_("Warning"), w, None) for w in stats.warnings()]
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
            None if stats.reliable and q["reliable"] else _unreliable_note(),
        )
        for q in stats.questions
    ]
    data = xlsx_bytes(
        [
            (_("Exam"), [_("figure"), _("value"), _("note")], exam_rows),
            (_("Questions"), [*question_headers(), _("note")], question_rows),
        ]
    )
    return xlsx_response(data, filename)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


CHART_STEM_LENGTH = 12


def chart_label(number: int, stem: str) -> str:
    """A question on a chart's axis: its number in the table and the start of its stem."""
    short = stem if len(stem) <= CHART_STEM_LENGTH else stem[: CHART_STEM_LENGTH - 1] + "…"
    return f"{number}. {short}".strip()


def _charts(stats: ItemStatistics) -> dict[str, Any]:
    return {
        "codes": [chart_label(n, q["stem"]) for n, q in enumerate(stats.questions, start=1)],
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


def _query(request: HttpRequest, **changes: str | None) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


def _export_query(request: HttpRequest) -> str:
    return _query(request, format="xlsx", job=None)


def _poll(request: HttpRequest, target: StatsTarget) -> HttpResponse | None:
    """The progress bar's poll (htmx, ``?job=<code>``): the bar while the job runs, a refresh of
    the page once it has finished (the page then shows its figures, or its failure)."""
    code = request.GET.get("job", "")[:20]
    if not (request.htmx and code):
        return None
    job = stats_job_get(target=target, code=code)
    if not job_active(job):  # finished (or lost: the page starts another)
        return HttpResponseClientRefresh()
    return render(
        request,
        "learning/_item_stats_job.html",
        {"job": job, "poll_query": _query(request, job=job.code, format=None)},
    )


def _respond(
    request: HttpRequest,
    outcome: StatsOutcome,
    context: dict[str, Any],
    filename: str,
) -> HttpResponse:
    stats = outcome.stats
    if request.GET.get("format") == "xlsx":
        if stats is None:  # nothing stored yet: the page shows the progress
            query = _query(request, format=None, job=None)
            return redirect(f"{request.path}?{query}" if query else request.path)
        return _export(stats, filename)
    job = outcome.job
    context.update(
        stats=stats,
        job=job,
        computed_by=outcome.computed_by,
        computed_at=outcome.computed_at,
        export_query=_export_query(request),
    )
    if job is not None:
        context["poll_query"] = _query(request, job=job.code, format=None)
    if stats is not None:
        context.update(
            figures=exam_figures(stats),
            charts=_charts(stats),
            sample_sensitive=SAMPLE_SENSITIVE_EXAM,
            min_attempts=ITEM_STATS_MIN_ATTEMPTS,
        )
    return render(request, "learning/item_stats.html", context)


@login_required
def session_statistics(request: HttpRequest, code: str) -> HttpResponse:
    session = selectors.session_get(actor=request.user, code=code)
    target = session_target(session=session)
    polled = _poll(request, target)
    if polled is not None:
        return polled
    outcome = item_statistics_get(actor=request.user, target=target)
    awaiting = Attempt.objects.filter(session=session, status=Attempt.Status.MARKING).count()
    return _respond(
        request,
        outcome,
        {"session": session, "title": session.title, "awaiting": awaiting},
        download_filename(_("Item statistics"), session.title, ext="xlsx"),
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
    org = selectors.org_for(request.user, code, BANK_PERM)
    target = bank_target(organization=org, knowledge_point=kp, occupation=occupation)
    polled = _poll(request, target)
    if polled is not None:
        return polled
    outcome = item_statistics_get(actor=request.user, target=target)
    context.update(
        organization=org,
        knowledge_points=bank_knowledge_points(organization=org),
        title=_("Question bank statistics") + " · " + org.name,
    )
    return _respond(
        request,
        outcome,
        context,
        download_filename(_("Question bank statistics"), org.name, ext="xlsx"),
    )
