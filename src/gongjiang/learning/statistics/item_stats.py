"""Classical item statistics of an exam, computed as Moodle's quiz statistics report does.

The figures and their null rules follow Moodle's ``quiz_statistics\\calculator`` (test figures)
and ``core_question\\statistics\\questions\\calculator`` (question figures); see
docs/learning-item-statistics.md for the formulas and the few documented departures.

Two entry points:

* :func:`item_statistics` takes rows ``(attempt_id, question, mark, max_mark)``;
* :func:`item_statistics_matrix` takes a dense ``attempts x questions`` array (``NaN`` where an
  attempt did not include a question) and does all the work in vectorised numpy.

Every figure that Moodle would leave empty is ``None``; percentages are on a 0-100 scale except
``facility``, which is a fraction 0-1.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "DISCRIMINATIVE_EFFICIENCY_THRESHOLD",
    "FLAG_LOW_DISCRIMINATIVE_EFFICIENCY",
    "FLAG_NEGATIVE_DISCRIMINATION",
    "MarksCollector",
    "MarksError",
    "build_marks_matrix",
    "item_statistics",
    "item_statistics_matrix",
]

#: Moodle marks a question as "dubious" when its discriminative efficiency is below this (percent).
DISCRIMINATIVE_EFFICIENCY_THRESHOLD = 15.0
FLAG_NEGATIVE_DISCRIMINATION = "negative_discrimination"
FLAG_LOW_DISCRIMINATIVE_EFFICIENCY = "low_discriminative_efficiency"


class MarksError(ValueError):
    """Inconsistent marks. ``index`` is the 0-based position of the offending row, if known."""

    def __init__(self, message: str, index: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.index = index
        self.column = column


class MarksCollector:
    """Collect marks row by row in compact arrays, then make the dense matrix.

    Attempt ids and question names are numbered in order of first appearance.
    """

    def __init__(self) -> None:
        self.attempt_index: dict[Hashable, int] = {}
        self.question_index: dict[Hashable, int] = {}
        self._attempts = array("q")
        self._questions = array("q")
        self._marks = array("d")
        self._maxima = array("d")

    def __len__(self) -> int:
        return len(self._marks)

    def add(self, attempt_id: Hashable, question: Hashable, mark: float, max_mark: float) -> None:
        a = self.attempt_index.get(attempt_id)
        if a is None:
            a = self.attempt_index[attempt_id] = len(self.attempt_index)
        q = self.question_index.get(question)
        if q is None:
            q = self.question_index[question] = len(self.question_index)
        self._attempts.append(a)
        self._questions.append(q)
        self._marks.append(mark)
        self._maxima.append(max_mark)

    def matrix(self) -> tuple[np.ndarray, np.ndarray, list[Hashable], list[Hashable]]:
        """``(matrix, max_marks, question_names, attempt_ids)``; see :func:`build_marks_matrix`."""
        n_attempts, n_questions = len(self.attempt_index), len(self.question_index)
        a_idx = np.frombuffer(self._attempts, dtype=np.int64).astype(np.intp)
        q_idx = np.frombuffer(self._questions, dtype=np.int64).astype(np.intp)
        mark_arr = np.frombuffer(self._marks, dtype=float)
        max_arr = np.frombuffer(self._maxima, dtype=float)

        max_marks = np.full(n_questions, np.nan)
        if len(q_idx):
            # The first row of each question fixes its maximum mark; later rows must agree.
            first = np.full(n_questions, len(q_idx), dtype=np.intp)
            np.minimum.at(first, q_idx, np.arange(len(q_idx)))
            max_marks = max_arr[first]
            differs = np.flatnonzero(max_arr != max_marks[q_idx])
            if len(differs):
                i = int(differs[0])
                raise MarksError(
                    f"max_mark {max_arr[i]:g} differs from {max_marks[q_idx[i]]:g} given earlier "
                    f"for the same question",
                    index=i,
                    column="max_mark",
                )

        matrix = np.full((n_attempts, n_questions), np.nan)
        if len(a_idx):
            linear = a_idx * n_questions + q_idx
            counts = np.bincount(linear, minlength=n_attempts * n_questions)
            if counts.max() > 1:
                # Report the first row that repeats an (attempt, question) pair.
                order = np.argsort(linear, kind="stable")
                repeats = order[1:][linear[order[1:]] == linear[order[:-1]]]
                raise MarksError(
                    "this attempt already has a mark for this question", index=int(repeats.min())
                )
            matrix.ravel()[linear] = mark_arr

        return matrix, max_marks, list(self.question_index), list(self.attempt_index)


def build_marks_matrix(
    marks: Iterable[Sequence[Any]],
) -> tuple[np.ndarray, np.ndarray, list[Hashable], list[Hashable]]:
    """Turn rows ``(attempt_id, question, mark, max_mark)`` into a dense matrix.

    Returns ``(matrix, max_marks, question_names, attempt_ids)``: ``matrix`` has one row per
    attempt and one column per question (both in order of first appearance), ``NaN`` where an
    attempt has no mark for a question. Raises :class:`MarksError` (with the 0-based ``index``
    of the offending row) for a repeated ``(attempt, question)`` pair or a question whose
    ``max_mark`` changes between rows.
    """
    collector = MarksCollector()
    for attempt_id, question, mark, max_mark in marks:
        collector.add(attempt_id, question, mark, max_mark)
    return collector.matrix()


def item_statistics(marks: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """Item statistics from rows ``(attempt_id, question, mark, max_mark)``.

    The total of an attempt is the sum of its marks. Questions are reported in the order in
    which they first appear in the input. See :func:`item_statistics_matrix` for the result.
    """
    matrix, max_marks, names, _ = build_marks_matrix(marks)
    return item_statistics_matrix(matrix, max_marks, names)


def _maybe(value: float, defined: bool) -> float | None:
    if not defined or not math.isfinite(value):
        return None
    return float(value)


def _exam_statistics(totals: np.ndarray, sum_of_mark_variance: float, p: int) -> dict[str, Any]:
    """Test figures, as in Moodle's ``quiz_statistics\\calculator::calculate``."""
    s = int(totals.size)
    exam: dict[str, Any] = {
        "count": s,
        "mean": None,
        "median": None,
        "sd": None,
        "skewness": None,
        "kurtosis": None,
        "alpha": None,
        "error_ratio": None,
        "standard_error": None,
    }
    if s == 0:
        return exam
    mean = float(totals.mean())
    exam["mean"] = mean
    exam["median"] = float(np.median(totals))
    if s < 2:
        return exam
    diff = totals - mean
    if totals.max() == totals.min():
        diff = np.zeros_like(totals)  # exactly constant totals: no rounding noise in the moments
    power2 = float(np.dot(diff, diff))
    sd = math.sqrt(power2 / (s - 1))
    exam["sd"] = sd
    if s < 3:
        return exam
    m2 = power2 / s
    m3 = float(np.sum(diff**3)) / s
    m4 = float(np.sum(diff**4)) / s
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    if k2 == 0:
        return exam
    exam["skewness"] = k3 / k2**1.5
    if s > 3:
        k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
        exam["kurtosis"] = k4 / (k2 * k2)
    if p > 1:
        alpha = (100.0 * p / (p - 1)) * (1 - sum_of_mark_variance / k2)
        exam["alpha"] = alpha
        # Moodle stores NaN (alpha above 100 by rounding) as null.
        if 1 - alpha / 100 >= 0:
            error_ratio = 100 * math.sqrt(1 - alpha / 100)
            exam["error_ratio"] = error_ratio
            exam["standard_error"] = error_ratio * sd / 100
    return exam


def _flag(discrimination: float | None, efficiency: float | None) -> str | None:
    # Negative discrimination first: it implies a negative (so low) efficiency, and is the worse.
    if discrimination is not None and discrimination < 0:
        return FLAG_NEGATIVE_DISCRIMINATION
    if efficiency is not None and efficiency < DISCRIMINATIVE_EFFICIENCY_THRESHOLD:
        return FLAG_LOW_DISCRIMINATIVE_EFFICIENCY
    return None


def _constant_columns(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Columns whose present values are all exactly equal (or that have none)."""
    big = np.finfo(float).max
    low = np.min(np.where(present, values, big), axis=0, initial=big)
    high = np.max(np.where(present, values, -big), axis=0, initial=-big)
    return (low == high) | ~present.any(axis=0)


def item_statistics_matrix(
    matrix: np.ndarray | Sequence[Sequence[float]],
    max_marks: np.ndarray | Sequence[float],
    question_names: Sequence[Hashable],
) -> dict[str, Any]:
    """Item statistics from a dense ``attempts x questions`` array of marks.

    ``NaN`` marks a question that an attempt did not include; rows that are entirely ``NaN`` are
    ignored. Returns ``{"exam": {...}, "questions": [{...}, ...]}`` (see the module docstring and
    docs/learning-item-statistics.md for every key).
    """
    x = np.array(matrix, dtype=float, copy=True)
    if x.ndim != 2:
        raise ValueError("matrix must be two-dimensional (attempts x questions)")
    max_marks = np.asarray(max_marks, dtype=float).reshape(-1)
    names = list(question_names)
    if x.shape[1] != len(max_marks) or x.shape[1] != len(names):
        raise ValueError("matrix columns, max_marks and question_names must have the same length")

    if np.isinf(x).any():
        raise ValueError("marks must be finite numbers (NaN for a question not in the attempt)")
    present = ~np.isnan(x)
    kept = present.any(axis=1)
    x, present = x[kept], present[kept]
    p = x.shape[1]

    x0 = np.where(present, x, 0.0)
    totals = x0.sum(axis=1)
    s = present.sum(axis=0)  # attempts per question
    safe_s = np.maximum(s, 1)
    mark_mean = x0.sum(axis=0) / safe_s
    # Rest of the test: the attempt's total without this question.
    other = np.where(present, totals[:, None] - x0, 0.0)
    other_mean = other.sum(axis=0) / safe_s
    dx = np.where(present, x0 - mark_mean, 0.0)
    do = np.where(present, other - other_mean, 0.0)

    # Columns that are exactly constant get exactly zero spread (no rounding noise).
    mark_const = _constant_columns(x0, present)
    other_const = _constant_columns(other, present)
    dx[:, mark_const] = 0.0
    do[:, other_const] = 0.0

    denom = np.maximum(s - 1, 1).astype(float)
    mark_var = np.einsum("ij,ij->j", dx, dx) / denom
    other_var = np.einsum("ij,ij->j", do, do) / denom
    covariance = np.einsum("ij,ij->j", dx, do) / denom
    # Covariance with the whole total; the total's own mean is irrelevant since dx sums to zero.
    cov_total = (dx * totals[:, None]).sum(axis=0) / denom
    cov_total[mark_const] = 0.0
    # Largest covariance these marks could have with these rest-scores: pair them both sorted.
    # Missing cells sort to the end (NaN) and are dropped by nansum.
    sorted_dx = np.sort(np.where(present, dx, np.nan), axis=0)
    sorted_do = np.sort(np.where(present, do, np.nan), axis=0)
    covariance_max = np.nansum(sorted_dx * sorted_do, axis=0) / denom
    covariance_max[mark_const | other_const] = 0.0

    has_spread = s > 1
    sum_of_mark_variance = float(mark_var[has_spread].sum())

    # Effective weight: Moodle leaves a question with negative covariance out (null) and shares
    # 100 % among the others in proportion to sqrt(covariance with the total).
    negcovar = has_spread & (cov_total < 0)
    root_cov = np.sqrt(np.where(has_spread & ~negcovar, cov_total, 0.0))
    sum_root_cov = float(root_cov.sum())

    questions: list[dict[str, Any]] = []
    for j in range(p):
        spread = bool(has_spread[j])
        var_product = float(mark_var[j] * other_var[j])
        discrimination = _maybe(
            100.0 * covariance[j] / math.sqrt(var_product) if var_product > 0 else math.nan,
            spread and var_product > 0,
        )
        efficiency = _maybe(
            100.0 * covariance[j] / covariance_max[j] if covariance_max[j] != 0 else math.nan,
            spread and covariance_max[j] != 0,
        )
        weight = _maybe(
            100.0 * root_cov[j] / sum_root_cov if sum_root_cov else math.nan,
            spread and sum_root_cov != 0 and not negcovar[j],
        )
        questions.append(
            {
                "question": names[j],
                "count": int(s[j]),
                "facility": _maybe(
                    mark_mean[j] / max_marks[j] if max_marks[j] else math.nan,
                    bool(s[j] > 0) and bool(max_marks[j] != 0),
                ),
                "sd": _maybe(math.sqrt(mark_var[j]), spread),
                "discrimination_index": discrimination,
                "discriminative_efficiency": efficiency,
                "effective_weight": weight,
                "flag": _flag(discrimination, efficiency),
            }
        )

    return {
        "exam": _exam_statistics(totals, sum_of_mark_variance, p),
        "questions": questions,
    }
