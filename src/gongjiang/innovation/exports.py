"""Excel exports of the innovation lists: award rounds, revenue-sharing schemes, studios, alliances,
the results waiting for review, the technical exchange (questions and answers) and the ledger of
a reward fund.

Each export reads the same scoped selector as its page (nothing outside the user's subtree reaches
the file) and is written by :mod:`gongjiang.core.exports` (every text cell a string, never a formula)
to a temporary file in constant memory. Up to ``SYNC_ROWS`` rows the file is the response; a larger
one is written by a background job (``innovation.export``) whose page offers the download. Each
export is audited with its kind and row count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied
from django.core.files import File
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import get_language, override, pgettext
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import SheetSpec, xlsx_file
from gongjiang.core.jobs import Progress, job_handler, job_start
from gongjiang.core.models import Job

from . import exchange, fund_budgets, fund_ledger, revenue, selectors, studios
from .models import AwardRound, Studio

JOB_KIND = "innovation.export"
#: above this many rows the export runs as a background job
SYNC_ROWS = 5000
CHUNK = 500


@dataclass(frozen=True)
class ExportKind:
    key: str
    filename: Callable[[], str]
    allowed: Callable[[Any], bool]
    count: Callable[[Any, dict[str, Any]], int]
    sheets: Callable[[Any, dict[str, Any]], list[SheetSpec]]
    filters: Callable[[Any], dict[str, Any]] = lambda _get: {}


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


# ---------------------------------------------------------------------------------- award rounds
def _rounds(actor: Any) -> QuerySet[AwardRound]:
    return (
        AwardRound.objects.visible_to(actor)
        .select_related("organization", "fund")
        .annotate(n_nominations=Count("nominations", distinct=True))
        .order_by("-year", "title", "id")
    )


def _rounds_allowed(actor: Any) -> bool:
    return access.can(actor, "innovation.view_award") or _rounds(actor).exists()


def _rounds_sheets(actor: Any, _params: dict[str, Any]) -> list[SheetSpec]:
    header = [
        _("code"),
        _("title of the round"),
        _("year"),
        _("organiser"),
        _("stage"),
        _("reward fund"),
        _("nominations"),
    ]
    rows = (
        [
            r.code,
            r.title,
            r.year,
            r.organization.name,
            r.get_state_display(),
            r.fund.name if r.fund_id else "",
            r.n_nominations,
        ]
        for r in _rounds(actor).iterator(chunk_size=CHUNK)
    )
    return [(_("Innovation award rounds"), header, rows)]


# ---------------------------------------------------------------------------- revenue schemes
def _schemes_sheets(actor: Any, _params: dict[str, Any]) -> list[SheetSpec]:
    header = [
        _("code"),
        _("result"),
        _("employer"),
        _("how the result is commercialised"),
        _("sharing basis"),
        _("share for the team"),
        _("first year"),
        _("years"),
        _("shared so far (yuan)"),
    ]
    rows = (
        [
            s.code,
            s.result.title,
            s.result.employer.name,
            s.get_mode_display(),
            s.get_basis_display(),
            s.share,
            s.first_year,
            s.n_years,
            s.total_pool or Decimal("0.00"),
        ]
        for s in revenue.scheme_list(actor=actor).iterator(chunk_size=CHUNK)
    )
    return [(_("Revenue-sharing schemes"), header, rows)]


# ------------------------------------------------------------------------------------ studios
def _studios(actor: Any) -> QuerySet[Studio]:
    return studios.studio_list(actor=actor).order_by("name", "id")


def _studio_rows(actor: Any) -> Iterator[list[Any]]:
    from .models import MentoringPair, Result

    batch: list[Studio] = []

    def flush(rows: list[Studio]) -> Iterator[list[Any]]:
        ids = [s.pk for s in rows]
        results = studios.studio_result_ids(ids)
        all_results = set().union(*results.values()) if results else set()
        savings = dict(Result.objects.filter(pk__in=all_results).values_list("pk", "savings"))
        trained = dict(
            MentoringPair.objects.filter(studio_id__in=ids, outcome__in=MentoringPair.TRAINED)
            .values("studio_id")
            .annotate(n=Count("id"))
            .values_list("studio_id", "n")
        )
        for s in rows:
            yield [
                s.code,
                s.name,
                s.get_level_display(),
                s.organization.name,
                s.organization.region.name if s.organization.region_id else "",
                s.leader.name,
                s.get_status_display(),
                s.fields,
                s.funding,
                len(results[s.pk]),
                sum((savings.get(r) or Decimal(0) for r in results[s.pk]), Decimal(0)),
                trained.get(s.pk, 0),
            ]

    for studio in _studios(actor).iterator(chunk_size=CHUNK):
        batch.append(studio)
        if len(batch) >= CHUNK:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def _studios_sheets(actor: Any, _params: dict[str, Any]) -> list[SheetSpec]:
    header = [
        _("code"),
        _("studio name"),
        _("level of the studio"),
        _("organisation of the studio"),
        _("region"),
        _("leader"),
        _("status"),
        _("fields"),
        _("yearly funding (yuan)"),
        _("results"),
        _("savings (yuan)"),
        _("mentees trained"),
    ]
    return [(_("Innovation studios"), header, _studio_rows(actor))]


# ---------------------------------------------------------------------------------- alliances
def _alliance_rows(actor: Any) -> Iterator[list[Any]]:
    visible = studios.studio_list(actor=actor)
    for a in studios.alliance_list(actor=actor).iterator(chunk_size=CHUNK):
        names = list(
            visible.filter(alliances=a).order_by("name", "id").values_list("name", flat=True)
        )
        yield [a.code, a.name, a.organization.name, len(names), "、".join(names), a.n_projects]


def _alliances_sheets(actor: Any, _params: dict[str, Any]) -> list[SheetSpec]:
    header = [
        _("code"),
        _("alliance name"),
        _("organising union"),
        _("studios"),
        _("member studios"),
        _("joint projects"),
    ]
    return [(_("Studio alliances"), header, _alliance_rows(actor))]


# -------------------------------------------------------------------------------- review list
def _review_qs(actor: Any) -> QuerySet[Any]:
    return (
        selectors.results_to_review(actor=actor)
        .select_related("employer")
        .prefetch_related("members__worker")
        .order_by("submitted_at", "id")
    )


def _review_sheets(actor: Any, _params: dict[str, Any]) -> list[SheetSpec]:
    header = [
        _("code"),
        _("title of the result"),
        _("kind of result"),
        _("employer"),
        _("team and contributions"),
        _("submitted at"),
        _("yearly savings (yuan)"),
    ]
    rows = (
        [
            r.code,
            r.title,
            r.get_kind_display(),
            r.employer.name,
            "；".join(f"{m.worker.name} {m.contribution}%" for m in r.members.all()),
            r.submitted_at,
            r.savings,
        ]
        for r in _review_qs(actor).iterator(chunk_size=CHUNK)
    )
    return [(_("Results to review"), header, rows)]


# ----------------------------------------------------------------------------------- exchange
def _exchange_filters(get: Any) -> dict[str, Any]:
    return {
        "q": get.get("q", "").strip()[:50],
        "occupation": get.get("occupation", "").strip()[:20],
        "topic": get.get("topic", "").strip()[:40],
        "unanswered": get.get("open") == "1",
        "mine": get.get("mine") == "1",
    }


def _questions(actor: Any, params: dict[str, Any]) -> QuerySet[Any]:
    keys = ("q", "occupation", "topic", "unanswered", "mine")
    return exchange.question_list(actor=actor, **{k: params.get(k) or "" for k in keys}).order_by(
        "-created_at", "-id"
    )


def _exchange_sheets(actor: Any, params: dict[str, Any]) -> list[SheetSpec]:
    from .models import Answer

    questions = _questions(actor, params)
    q_header = [
        _("code"),
        pgettext("exchange", "question"),
        pgettext("exchange", "topic"),
        _("occupation"),
        pgettext("exchange", "text"),
        _("name"),
        _("employer"),
        _("asked at"),
        _("number of answers"),
        pgettext("exchange", "votes"),
        _("answer accepted"),
    ]
    q_rows = (
        [
            q.code,
            q.title,
            q.topic,
            q.occupation.name if q.occupation_id else "",
            q.body,
            q.author_name,
            q.author_employer,
            q.created_at,
            q.answer_count,
            q.score,
            _yes(q.accepted_answer_id is not None),
        ]
        for q in questions.iterator(chunk_size=CHUNK)
    )
    answers = (
        Answer.objects.filter(is_hidden=False, question__in=questions.order_by().values("pk"))
        .select_related("question")
        .order_by("question__created_at", "question_id", "created_at", "id")
    )
    a_header = [
        pgettext("exchange", "question"),
        _("code of the question"),
        _("answer"),
        _("name"),
        _("employer"),
        _("answered at"),
        pgettext("exchange", "votes"),
        _("the accepted answer"),
    ]
    a_rows = (
        [
            a.question.title,
            a.question.code,
            a.body,
            a.author_name,
            a.author_employer,
            a.created_at,
            a.score,
            _yes(a.question.accepted_answer_id == a.pk),
        ]
        for a in answers.iterator(chunk_size=CHUNK)
    )
    return [
        (_("Questions of the exchange"), q_header, q_rows),
        (_("Answers of the exchange"), a_header, a_rows),
    ]


# --------------------------------------------------------------------------- reward fund ledger
def _ledger_filters(get: Any) -> dict[str, Any]:
    """The fund and the page's filters (year, kind, worker, result); a bad one is a 400 naming
    the field (the page's own links never carry one)."""
    try:
        filters = fund_ledger.filters_clean(
            **{k: get.get(k, "") for k in ("year", "kind", "worker", "result")}
        )
    except ApplicationError as exc:
        raise BadRequest(exc.message) from exc
    return {"fund": get.get("fund", "").strip(), **filters.params()}


def _ledger_fund(actor: Any, params: dict[str, Any]) -> Any:
    """The fund in the viewer's scope (404 otherwise, in the page and in the job alike)."""
    return fund_budgets.reward_fund_get(actor=actor, code=str(params.get("fund") or ""))


def _ledger_of(params: dict[str, Any]) -> fund_ledger.Filters:
    return fund_ledger.filters_clean(
        **{k: params.get(k) for k in ("year", "kind", "worker", "result") if k in params}
    )


def _ledger_count(actor: Any, params: dict[str, Any]) -> int:
    fund = _ledger_fund(actor, params)
    return fund_ledger.entries(actor=actor, fund=fund, filters=_ledger_of(params)).count()


def _ledger_sheets(actor: Any, params: dict[str, Any]) -> list[SheetSpec]:
    fund = _ledger_fund(actor, params)
    header = [
        _("code"),
        _("time"),
        _("kind of entry"),
        _("result"),
        _("worker"),
        _("worker code"),
        _("amount (yuan)"),
        _("balance after (yuan)"),
        pgettext("ledger", "reference"),
        pgettext("fund ledger", "reversed"),
    ]
    rows = (
        [
            line.code,
            line.at,
            line.kind_label,
            line.result,
            line.worker,
            line.worker_code,
            line.signed,
            line.balance,
            line.reference,
            _yes(line.reversed),
        ]
        for line in fund_ledger.all_lines(
            actor=actor, fund=fund, filters=_ledger_of(params), chunk=CHUNK
        )
    )
    return [(_("Ledger of the fund"), header, rows)]


# ------------------------------------------------------------------------------ reward funds
def _funds_sheets(actor: Any, _params: dict[str, Any]) -> list[SheetSpec]:
    year = fund_budgets.payment_year()
    header = [
        _("code"),
        _("fund"),
        _("organisation of the fund"),
        _("balance (yuan)"),
        _("year"),
        _("budget of the year (yuan)"),
        _("used (yuan)"),
        _("remaining (yuan)"),
    ]

    def rows() -> Iterator[list[Any]]:
        for f in fund_budgets.reward_funds(actor=actor).iterator(chunk_size=CHUNK):
            summary = fund_budgets.year_summary(fund=f, year=year)
            yield [
                f.code,
                f.name,
                f.organization.name,
                f.balance,
                year,
                summary["amount"],
                summary["used"],
                summary["remaining"],
            ]

    return [(_("Reward funds"), header, rows())]


# ------------------------------------------------------------------- results per 100 workers
def _analytics_filters(get: Any) -> dict[str, Any]:
    by = get.get("by", "employer")
    return {"by": by if by in selectors.GROUPS else "employer"}


def _analytics_sheets(actor: Any, params: dict[str, Any]) -> list[SheetSpec]:
    header = [
        _("code"),
        _("name"),
        _("adopted results"),
        _("workers on the job"),
        _("per 100 workers"),
    ]
    rows = (
        [r["key"], r["name"], r["results"], r["workers"], r["per_100"]]
        for r in selectors.analytics(actor=actor, by=params.get("by", "employer"))
    )
    return [(_("Innovation per 100 workers"), header, rows)]


KINDS: dict[str, ExportKind] = {
    k.key: k
    for k in (
        ExportKind(
            "award-rounds",
            lambda: _("Innovation award rounds") + ".xlsx",
            _rounds_allowed,
            lambda actor, _p: _rounds(actor).count(),
            _rounds_sheets,
        ),
        ExportKind(
            "revenue-schemes",
            lambda: _("Revenue-sharing schemes") + ".xlsx",
            lambda actor: access.can(actor, revenue.VIEW),
            lambda actor, _p: revenue.RevenueScheme.objects.visible_to(actor).count(),
            _schemes_sheets,
        ),
        ExportKind(
            "studios",
            lambda: _("Innovation studios") + ".xlsx",
            lambda actor: access.can(actor, studios.VIEW),
            lambda actor, _p: _studios(actor).count(),
            _studios_sheets,
        ),
        ExportKind(
            "alliances",
            lambda: _("Studio alliances") + ".xlsx",
            lambda actor: access.can(actor, studios.VIEW),
            lambda actor, _p: studios.Alliance.objects.visible_to(actor).count(),
            _alliances_sheets,
        ),
        ExportKind(
            "review",
            lambda: _("Results to review") + ".xlsx",
            lambda actor: access.can(actor, "innovation.review_result"),
            lambda actor, _p: selectors.results_to_review(actor=actor).count(),
            _review_sheets,
        ),
        ExportKind(
            "exchange",
            lambda: _("Technical exchange") + ".xlsx",
            lambda actor: bool(getattr(actor, "is_authenticated", False)),
            lambda actor, p: _questions(actor, p).count(),
            _exchange_sheets,
            _exchange_filters,
        ),
        ExportKind(
            "funds",
            lambda: _("Reward funds") + ".xlsx",
            lambda actor: access.can(actor, fund_budgets.VIEW),
            lambda actor, _p: fund_budgets.reward_funds(actor=actor).count(),
            _funds_sheets,
        ),
        ExportKind(
            "analytics",
            lambda: _("Innovation per 100 workers") + ".xlsx",
            lambda actor: access.can(actor, selectors.ANALYTICS),
            # one row per employer, industry or region: two grouped counts, never a long list
            lambda actor, p: len(selectors.analytics(actor=actor, by=p.get("by", "employer"))),
            _analytics_sheets,
            _analytics_filters,
        ),
        ExportKind(
            "fund-ledger",
            lambda: _("Ledger of the fund") + ".xlsx",
            # a fund outside the viewer's scope is 404 (reward_fund_get), never a 403
            lambda actor: bool(getattr(actor, "is_authenticated", False)),
            _ledger_count,
            _ledger_sheets,
            _ledger_filters,
        ),
    )
}


def export_kind(key: str) -> ExportKind:
    from django.http import Http404

    kind = KINDS.get(key)
    if kind is None:
        raise Http404("export")
    return kind


def _require(actor: Any, kind: ExportKind) -> None:
    if not kind.allowed(actor):
        raise PermissionDenied(kind.key)


def export_write(*, actor: Any, kind: ExportKind, params: dict[str, Any]) -> tuple[Any, int]:
    """The workbook in a temporary file and the number of data rows written (audited)."""
    _require(actor, kind)
    counted = {"rows": 0}

    def counting(rows: Any) -> Iterator[Sequence[Any]]:
        for row in rows:
            counted["rows"] += 1
            yield row

    sheets = [(t, h, counting(rows)) for t, h, rows in kind.sheets(actor, params)]
    handle = xlsx_file(sheets)
    audit(
        actor=actor,
        action="innovation.export",
        details={"export": kind.key, "filters": params, "rows": counted["rows"]},
    )
    return handle, counted["rows"]


def export_start(*, actor: Any, kind: ExportKind, params: dict[str, Any]) -> Job | None:
    """None when the export is small enough to answer at once; else the queued job."""
    _require(actor, kind)
    if kind.count(actor, params) <= SYNC_ROWS:
        return None
    return job_start(
        actor=actor,
        kind=JOB_KIND,
        params={"export": kind.key, "filters": params, "language": get_language() or "zh-hans"},
    )


@job_handler(JOB_KIND)
def run_export(job: Job, progress: Progress) -> dict[str, Any]:
    actor = job.created_by
    with override(job.params.get("language", "zh-hans")):
        kind = export_kind(job.params.get("export", ""))
        progress(0, 1, _("writing the workbook"))
        handle, rows = export_write(actor=actor, kind=kind, params=job.params.get("filters", {}))
        with handle:
            job.output_file.save(f"innovation-{kind.key}.xlsx", File(handle), save=False)
        Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
        progress(1, 1, _("done"))
        return {
            "export": kind.key,
            "exported_rows": rows,
            "url": reverse("innovation:export_download", args=[job.code]),
            "url_label": _("Download the Excel file"),
        }
