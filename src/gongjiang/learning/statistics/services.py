"""Item statistics as users see them: the marks of completed attempts, read from the database,
run through :func:`gongjiang.learning.statistics.item_stats.item_statistics`, and dressed for a page, an
export or the API.

Two scopes:

* an exam session (:func:`session_item_statistics`): every item of its complete attempts;
* a question bank (:func:`bank_item_statistics`): the questions owned by one organisation
  (optionally one knowledge point or occupation), over every complete attempt of any exam
  session that used them (practice mock exams are left out). An attempt's total is then the sum
  of its marks on those questions only.

A question whose maximum mark differs between attempts (edited between sessions, or scored
differently by two papers) has its marks rescaled to its largest maximum, so that the engine
sees one maximum per question.

Fewer than :data:`MIN_ATTEMPTS` attempts is a normal state (``enough`` is False), not an error.

Large sessions and banks are computed in a background job (:mod:`.jobs`), which stores
:meth:`ItemStatistics.stored` and shows it again through :meth:`ItemStatistics.from_stored`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet

from gongjiang.core.models import Organization

from ..models import Attempt, AttemptItem, ExamSession, Question
from ..sanitize import plain_text
from .item_stats import (
    DISCRIMINATIVE_EFFICIENCY_THRESHOLD,
    FLAG_LOW_DISCRIMINATIVE_EFFICIENCY,
    FLAG_NEGATIVE_DISCRIMINATION,
    item_statistics,
)

__all__ = [
    "EXAM_FIELDS",
    "ITEM_STATS_MIN_ATTEMPTS",
    "MIN_ATTEMPTS",
    "QUESTION_FIELDS",
    "ItemStatistics",
    "bank_item_statistics",
    "bank_items",
    "session_item_statistics",
    "session_items",
]

MIN_ATTEMPTS = 2
#: Below this many attempts (of the exam, or of one question) the figures that rest on the spread
#: of marks — Cronbach's alpha, error ratio, standard error, discrimination index, discriminative
#: efficiency, effective weight — swing wildly from one attempt to the next (three attempts once
#: gave alpha = -7.10 %): pages, exports and the API mark them unreliable
#: (docs/learning-item-statistics.md).
ITEM_STATS_MIN_ATTEMPTS = 30
#: the figures ``ITEM_STATS_MIN_ATTEMPTS`` is about
SAMPLE_SENSITIVE_EXAM = ("skewness", "kurtosis", "alpha", "error_ratio", "standard_error")
SAMPLE_SENSITIVE_QUESTION = (
    "discrimination_index",
    "discriminative_efficiency",
    "effective_weight",
)
STEM_LENGTH = 60
HISTOGRAM_BINS = 10
#: ``progress(rows read)`` is called after every this many answer rows
PROGRESS_ROWS = 5000
#: keys of a question's dict that describe the question rather than its figures: not stored,
#: filled in again from the question when a stored result is shown (stems may have been edited
#: since, and the words are in the reader's language)
DESCRIPTION_KEYS = (
    "code",
    "reliable",
    "stem",
    "qtype",
    "qtype_display",
    "knowledge_point",
    "facility_percent",
    "flag_reason",
)
EXAM_FIELDS = (
    "count",
    "mean",
    "median",
    "sd",
    "skewness",
    "kurtosis",
    "alpha",
    "error_ratio",
    "standard_error",
)
QUESTION_FIELDS = (
    "question",
    "count",
    "facility",
    "sd",
    "discrimination_index",
    "discriminative_efficiency",
    "effective_weight",
    "flag",
)


@dataclass
class ItemStatistics:
    """The engine's result (``exam``, ``questions``) plus what a page needs to show it.

    Each question dict carries the engine's keys (``question`` is the question's code) and
    ``code``, ``stem`` (plain text, truncated), ``qtype``, ``qtype_display``,
    ``knowledge_point``, ``max_mark``, ``facility_percent`` and ``flag_reason``.
    ``histogram`` is the distribution of attempt totals: ``{"labels", "counts", "max"}``.
    """

    exam: dict[str, Any]
    questions: list[dict[str, Any]]
    histogram: dict[str, Any] = field(default_factory=dict)

    @property
    def attempts(self) -> int:
        return int(self.exam["count"])

    @property
    def enough(self) -> bool:
        return self.attempts >= MIN_ATTEMPTS

    @property
    def flagged(self) -> int:
        return sum(1 for q in self.questions if q["flag"])

    @property
    def reliable(self) -> bool:
        """Enough attempts for alpha, discrimination and the like to mean something."""
        return self.attempts >= ITEM_STATS_MIN_ATTEMPTS

    @staticmethod
    def question_reliable(question: dict[str, Any]) -> bool:
        return int(question["count"]) >= ITEM_STATS_MIN_ATTEMPTS

    def warnings(self) -> list[str]:
        """Why some figures should not be trusted yet (in the reader's language); empty if none."""
        from django.utils.translation import gettext as _
        from django.utils.translation import ngettext

        out = []
        if not self.reliable:
            out.append(
                ngettext(
                    "Only %(n)d complete attempt: below %(min)d attempts, alpha, discrimination "
                    "and the other figures that rest on the spread of marks are unreliable.",
                    "Only %(n)d complete attempts: below %(min)d attempts, alpha, discrimination "
                    "and the other figures that rest on the spread of marks are unreliable.",
                    self.attempts,
                )
                % {"n": self.attempts, "min": ITEM_STATS_MIN_ATTEMPTS}
            )
        thin = sum(1 for q in self.questions if not self.question_reliable(q))
        if self.reliable and thin:
            out.append(
                _(
                    "%(n)d questions were answered fewer than %(min)d times: their discrimination "
                    "figures are unreliable."
                )
                % {"n": thin, "min": ITEM_STATS_MIN_ATTEMPTS}
            )
        return out

    def api_json(self) -> dict[str, Any]:
        """:meth:`as_json` plus the reliability marks of the API: ``reliable``, ``min_attempts``
        and ``warnings`` beside the figures, ``reliable`` on each question."""
        data = self.as_json()
        for row, q in zip(data["questions"], self.questions, strict=True):
            row["reliable"] = self.reliable and self.question_reliable(q)
        data["reliable"] = self.reliable
        data["min_attempts"] = ITEM_STATS_MIN_ATTEMPTS
        data["warnings"] = self.warnings()
        return data

    def as_json(self) -> dict[str, Any]:
        """Exactly the shape of ``gongjiang item-stats --json``."""
        return {
            "exam": {k: self.exam[k] for k in EXAM_FIELDS},
            "questions": [{k: q[k] for k in QUESTION_FIELDS} for q in self.questions],
        }

    def stored(self) -> dict[str, Any]:
        """What a background job keeps: the shape of :meth:`as_json` (every figure, in the order
        shown) plus each question's ``max_mark`` and the ``histogram``; no words."""
        return {
            "exam": dict(self.exam),
            "questions": [
                {k: v for k, v in q.items() if k not in DESCRIPTION_KEYS} for q in self.questions
            ],
            "histogram": dict(self.histogram),
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> ItemStatistics:
        """The statistics of :meth:`stored`, each question described again (one query)."""
        figures = data.get("questions", [])
        by_code = {
            q.code: q
            for q in Question.objects.filter(
                code__in=[f["question"] for f in figures]
            ).select_related("current")
        }
        questions = [_describe(by_code.get(f["question"]), f, f.get("max_mark")) for f in figures]
        return cls(
            exam=dict(data["exam"]), questions=questions, histogram=data.get("histogram", {})
        )


def flag_reason(flag: str | None) -> str:
    from django.utils.translation import gettext as _

    if flag == FLAG_NEGATIVE_DISCRIMINATION:
        return _(
            "Negative discrimination: weaker candidates did better on it than stronger ones. "
            "Check the answer key and the wording."
        )
    if flag == FLAG_LOW_DISCRIMINATIVE_EFFICIENCY:
        return _(
            "Discriminative efficiency below %(threshold)s%%: the question hardly separates "
            "stronger from weaker candidates."
        ) % {"threshold": f"{DISCRIMINATIVE_EFFICIENCY_THRESHOLD:g}"}
    return ""


def _compute(
    items: QuerySet[AttemptItem],
    order: list[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ItemStatistics:
    """Run the engine on ``items`` (already filtered to complete attempts; an unscored item of
    a complete attempt, which marking should never leave, is skipped). ``progress(n)`` is told
    every :data:`PROGRESS_ROWS` rows how many have been read, and once more after the last."""
    items = items.filter(score__isnull=False)
    maxima = {
        row["version__question_id"]: float(row["m"])
        for row in items.order_by()
        .values("version__question_id")
        .annotate(m=Max("max_score"))
        .values("version__question_id", "m")
    }
    totals: dict[int, float] = {}
    possible: dict[int, float] = {}

    def rows() -> Iterator[tuple[int, int, float, float]]:
        n = 0
        qs = items.order_by("attempt_id", "position").values_list(
            "attempt_id", "version__question_id", "score", "max_score"
        )
        for n, (attempt_id, question_id, score, max_score) in enumerate(
            qs.iterator(chunk_size=5000), 1
        ):
            if progress is not None and n % PROGRESS_ROWS == 0:
                progress(n)
            mark, top = float(score), float(max_score)
            # an attempt completed between the two queries may bring a question not seen yet
            reference = maxima.setdefault(question_id, top)
            if top != reference:
                mark = mark * reference / top if top else 0.0
            totals[attempt_id] = totals.get(attempt_id, 0.0) + mark
            possible[attempt_id] = possible.get(attempt_id, 0.0) + reference
            yield attempt_id, question_id, mark, reference
        if progress is not None:
            progress(n)  # every row read

    result = item_statistics(rows())
    questions = _dress(result["questions"], maxima, order)
    return ItemStatistics(
        exam=result["exam"],
        questions=questions,
        histogram=_histogram(list(totals.values()), max(possible.values(), default=0.0)),
    )


def _dress(
    figures: list[dict[str, Any]], maxima: dict[int, float], order: list[int] | None
) -> list[dict[str, Any]]:
    by_id = {
        q.pk: q
        for q in Question.objects.filter(pk__in=[f["question"] for f in figures]).select_related(
            "current"
        )
    }
    rank = {pk: i for i, pk in enumerate(order or [])}
    ranked = []
    for f in figures:
        q = by_id[f["question"]]
        key = (rank.get(q.pk, len(rank)), q.knowledge_point, q.pk)
        ranked.append((key, _describe(q, f, maxima[q.pk])))
    ranked.sort(key=lambda pair: pair[0])
    return [d for _key, d in ranked]


def _describe(q: Question | None, f: dict[str, Any], max_mark: float | None) -> dict[str, Any]:
    """The engine's figures of one question plus what describes it (``None``: a question deleted
    since its statistics were stored keeps its code and figures only)."""
    facility = f["facility"]
    code = q.code if q is not None else f["question"]
    stem = plain_text(q.current.stem) if q is not None and q.current_id else ""
    if len(stem) > STEM_LENGTH:
        stem = stem[: STEM_LENGTH - 1] + "…"
    return {
        **f,
        "question": code,
        "code": code,
        "stem": stem,
        "reliable": int(f["count"]) >= ITEM_STATS_MIN_ATTEMPTS,
        "qtype": q.qtype if q is not None else "",
        "qtype_display": q.get_qtype_display() if q is not None else "",
        "knowledge_point": q.knowledge_point if q is not None else "",
        "max_mark": max_mark,
        "facility_percent": None if facility is None else 100.0 * facility,
        "flag_reason": flag_reason(f["flag"]),
    }


def _histogram(totals: list[float], top: float) -> dict[str, Any]:
    """Counts of totals: one bar per mark when every total is a whole number and ``top`` is at
    most 20, else :data:`HISTOGRAM_BINS` equal bins from 0 to ``top`` (the last includes it)."""
    if not totals or top <= 0:
        return {"labels": [], "counts": [], "max": top}
    if top <= 2 * HISTOGRAM_BINS and top.is_integer() and all(t.is_integer() for t in totals):
        counts = [0] * (int(top) + 1)
        for t in totals:
            counts[min(int(top), max(0, int(t)))] += 1
        return {"labels": [str(i) for i in range(int(top) + 1)], "counts": counts, "max": top}
    width = top / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for t in totals:
        counts[min(HISTOGRAM_BINS - 1, max(0, math.floor(t / width)))] += 1
    labels = [f"{i * width:g}–{(i + 1) * width:g}" for i in range(HISTOGRAM_BINS)]
    return {"labels": labels, "counts": counts, "max": top}


def session_items(*, session: ExamSession) -> QuerySet[AttemptItem]:
    """The answer rows the statistics of ``session`` are computed from."""
    return AttemptItem.objects.filter(
        attempt__session=session, attempt__status=Attempt.Status.COMPLETE, score__isnull=False
    )


def session_item_statistics(
    *, session: ExamSession, progress: Callable[[int], None] | None = None
) -> ItemStatistics:
    """Statistics of one exam session. The caller fetched ``session`` through
    ``selectors.session_get`` (which scopes it to the user)."""
    order = list(session.paper.items.order_by("position").values_list("question_id", flat=True))
    return _compute(session_items(session=session), order, progress)


def bank_items(
    *, organization: Organization, knowledge_point: str = "", occupation: str = ""
) -> QuerySet[AttemptItem]:
    """The answer rows the statistics of ``organization``'s questions are computed from."""
    questions = Question.objects.filter(organization=organization)
    if knowledge_point:
        questions = questions.filter(knowledge_point=knowledge_point)
    if occupation:
        questions = questions.filter(occupation_id=occupation)
    return AttemptItem.objects.filter(
        version__question__in=questions,
        attempt__status=Attempt.Status.COMPLETE,
        attempt__session__is_mock=False,
        score__isnull=False,
    )


def bank_item_statistics(
    *,
    organization: Organization,
    knowledge_point: str = "",
    occupation: str = "",
    progress: Callable[[int], None] | None = None,
) -> ItemStatistics:
    """Statistics of the questions owned by ``organization`` (the caller checked that the user
    may view its questions), optionally one knowledge point and/or occupation code."""
    items = bank_items(
        organization=organization, knowledge_point=knowledge_point, occupation=occupation
    )
    return _compute(items, progress=progress)


def bank_knowledge_points(*, organization: Organization) -> list[str]:
    return list(
        Question.objects.filter(organization=organization)
        .exclude(knowledge_point="")
        .order_by("knowledge_point")
        .values_list("knowledge_point", flat=True)
        .distinct()
    )
