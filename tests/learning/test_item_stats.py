"""Item statistics: hand-worked figures, Moodle's null rules, flags and a loop reference."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from gongjiang.learning.statistics.item_stats import (
    MarksError,
    build_marks_matrix,
    item_statistics,
    item_statistics_matrix,
)

# Five attempts at three questions (Q1 and Q3 out of 1 mark, Q2 out of 2).
#   attempt  Q1 Q2 Q3  total
#      a      1  2  0    3
#      b      1  1  1    3
#      c      0  0  0    0
#      d      1  2  1    4
#      e      0  1  1    2
MARKS = {
    "a": (1, 2, 0),
    "b": (1, 1, 1),
    "c": (0, 0, 0),
    "d": (1, 2, 1),
    "e": (0, 1, 1),
}
MAX = {"Q1": 1, "Q2": 2, "Q3": 1}


def rows():
    for attempt, marks in MARKS.items():
        for question, mark in zip(MAX, marks, strict=True):
            yield attempt, question, mark, MAX[question]


def approx(value):
    return pytest.approx(value, rel=1e-12, abs=1e-12)


def test_hand_worked_exam_figures():
    exam = item_statistics(rows())["exam"]
    # Totals 3, 3, 0, 4, 2: mean 12/5; sorted 0 2 3 3 4, median 3.
    assert exam["count"] == 5
    assert exam["mean"] == approx(2.4)
    assert exam["median"] == approx(3.0)
    # Deviations 0.6 0.6 -2.4 1.6 -0.4; squares sum to 9.2; variance 9.2 / 4 = 2.3.
    assert exam["sd"] == approx(math.sqrt(2.3))
    # Cubes sum to -9.36, fourth powers to 40.016: m2 = 1.84, m3 = -1.872, m4 = 8.0032.
    # k2 = 5 * 1.84 / 4 = 2.3;  k3 = 25 * -1.872 / (4 * 3) = -3.9;  skewness = k3 / k2^1.5.
    assert exam["skewness"] == approx(-3.9 / 2.3**1.5)
    # k4 = 25 * (6 * 8.0032 - 3 * 4 * 1.84^2) / (4 * 3 * 2) = 7.7;  kurtosis = k4 / k2^2.
    assert exam["kurtosis"] == approx(7.7 / 2.3**2)
    # Question variances 0.3, 0.7, 0.3 (sum 1.3): alpha = 100 * 3/2 * (1 - 1.3 / 2.3).
    alpha = 150 * (1 - 1.3 / 2.3)
    assert exam["alpha"] == approx(alpha)
    assert exam["error_ratio"] == approx(100 * math.sqrt(1 - alpha / 100))
    assert exam["standard_error"] == approx(math.sqrt(1 - alpha / 100) * math.sqrt(2.3))


def test_hand_worked_question_figures():
    q1, q2, q3 = item_statistics(rows())["questions"]
    assert [q["question"] for q in (q1, q2, q3)] == ["Q1", "Q2", "Q3"]
    assert [q["count"] for q in (q1, q2, q3)] == [5, 5, 5]
    # Facility = mean mark / max mark.
    assert q1["facility"] == approx(3 / 5)
    assert q2["facility"] == approx(6 / 5 / 2)
    assert q3["facility"] == approx(3 / 5)
    assert q1["sd"] == approx(math.sqrt(0.3))
    assert q2["sd"] == approx(math.sqrt(0.7))
    assert q3["sd"] == approx(math.sqrt(0.3))

    # Q1: marks 1 1 0 1 0 (mean 0.6), rest of test 2 2 0 3 2 (mean 1.8).
    # Deviations 0.4 0.4 -0.6 0.4 -0.6 and 0.2 0.2 -1.8 1.2 0.2: products sum to 1.6, cov 0.4.
    # Rest variance 4.8 / 4 = 1.2.  Discrimination = 100 * 0.4 / sqrt(0.3 * 1.2).
    assert q1["discrimination_index"] == approx(100 * 0.4 / math.sqrt(0.3 * 1.2))
    # Sorted marks 0 0 1 1 1 against sorted rest 0 2 2 2 3 give the same products: 100 %.
    assert q1["discriminative_efficiency"] == approx(100.0)

    # Q2: marks 2 1 0 2 1 (mean 1.2), rest 1 2 0 2 1 (mean 1.2).
    # Deviations 0.8 -0.2 -1.2 0.8 -0.2 and -0.2 0.8 -1.2 0.8 -0.2: products sum to 1.8.
    # Rest variance 2.8 / 4 = 0.7.  Sorted: 0 1 1 2 2 against 0 1 1 2 2: products sum to 2.8.
    assert q2["discrimination_index"] == approx(100 * (1.8 / 4) / math.sqrt(0.7 * 0.7))
    assert q2["discriminative_efficiency"] == approx(100 * 1.8 / 2.8)

    # Q3: marks 0 1 0 1 1 (mean 0.6), rest 3 2 0 3 1 (mean 1.8).
    # Deviations -0.6 0.4 -0.6 0.4 0.4 and 1.2 0.2 -1.8 1.2 -0.8: products sum to 0.6.
    # Rest variance 6.8 / 4 = 1.7.  Sorted: 0 0 1 1 1 against 0 1 2 3 3 give 2.6.
    assert q3["discrimination_index"] == approx(100 * 0.15 / math.sqrt(0.3 * 1.7))
    assert q3["discriminative_efficiency"] == approx(100 * 0.6 / 2.6)

    # Covariances with the total: 2.8/4, 4.6/4, 1.8/4; weights share 100 % by their roots.
    roots = [math.sqrt(0.7), math.sqrt(1.15), math.sqrt(0.45)]
    for q, root in zip((q1, q2, q3), roots, strict=True):
        assert q["effective_weight"] == approx(100 * root / sum(roots))
    assert all(q["flag"] is None for q in (q1, q2, q3))


def test_matrix_form_matches_row_form():
    matrix = np.array([MARKS[k] for k in MARKS], dtype=float)
    assert item_statistics_matrix(matrix, [1, 2, 1], ["Q1", "Q2", "Q3"]) == item_statistics(rows())


def test_public_shape():
    result = item_statistics(rows())
    assert set(result) == {"exam", "questions"}
    assert set(result["exam"]) == {
        "count",
        "mean",
        "median",
        "sd",
        "skewness",
        "kurtosis",
        "alpha",
        "error_ratio",
        "standard_error",
    }
    for q in result["questions"]:
        assert set(q) == {
            "question",
            "count",
            "facility",
            "sd",
            "discrimination_index",
            "discriminative_efficiency",
            "effective_weight",
            "flag",
        }


def test_single_attempt_leaves_spread_figures_null():
    result = item_statistics([("x", "Q1", 1, 2), ("x", "Q2", 0.5, 1)])
    exam = result["exam"]
    assert exam["count"] == 1
    assert exam["mean"] == 1.5
    assert exam["median"] == 1.5
    for key in ("sd", "skewness", "kurtosis", "alpha", "error_ratio", "standard_error"):
        assert exam[key] is None
    q1, q2 = result["questions"]
    assert q1["facility"] == 0.5
    assert q2["facility"] == 0.5
    for q in (q1, q2):
        for key in ("sd", "discrimination_index", "discriminative_efficiency", "effective_weight"):
            assert q[key] is None
        assert q["flag"] is None


def test_moments_need_enough_attempts():
    two = item_statistics([(a, "Q1", m, 1) for a, m in [(1, 0), (2, 1)]])["exam"]
    assert two["sd"] == approx(math.sqrt(0.5))
    assert two["skewness"] is None and two["kurtosis"] is None
    three = item_statistics([(a, "Q1", m, 1) for a, m in [(1, 0), (2, 1), (3, 1)]])["exam"]
    assert three["skewness"] is not None
    assert three["kurtosis"] is None
    # Only one question: no coefficient of internal consistency.
    assert three["alpha"] is None and three["error_ratio"] is None
    assert three["standard_error"] is None


def test_zero_variance_question_and_constant_totals():
    # Q2 is answered right by everyone: no spread, so no discrimination; covariance 0 -> weight 0.
    data = [(1, 1, 1), (0, 1, 0), (1, 1, 0), (0, 1, 1)]
    matrix = np.array(data, dtype=float)
    result = item_statistics_matrix(matrix, [1, 1, 1], ["Q1", "Q2", "Q3"])
    q2 = result["questions"][1]
    assert q2["facility"] == 1.0
    assert q2["sd"] == 0.0
    assert q2["discrimination_index"] is None
    assert q2["discriminative_efficiency"] is None
    assert q2["effective_weight"] == 0.0
    assert q2["flag"] is None

    # Every attempt has the same total: no skewness, kurtosis or alpha (Moodle needs k2 != 0).
    flat = np.array([(1, 0), (0, 1), (1, 0), (0, 1)], dtype=float)
    exam = item_statistics_matrix(flat, [1, 1], ["A", "B"])["exam"]
    assert exam["sd"] == 0.0
    for key in ("skewness", "kurtosis", "alpha", "error_ratio", "standard_error"):
        assert exam[key] is None

    # No question varies at all: no effective weight anywhere.
    same = np.ones((4, 2))
    for q in item_statistics_matrix(same, [1, 1], ["A", "B"])["questions"]:
        assert q["effective_weight"] is None


def test_negative_covariance_question_has_no_weight_and_is_flagged():
    # R is answered right exactly by those who miss the other three questions.
    data = [(1, 1, 1, 0), (1, 1, 1, 0), (0, 0, 0, 1), (0, 0, 0, 1), (1, 0, 1, 0), (0, 1, 0, 1)]
    result = item_statistics_matrix(np.array(data, float), [1] * 4, ["A", "B", "C", "R"])
    questions = {q["question"]: q for q in result["questions"]}
    assert questions["R"]["effective_weight"] is None
    assert questions["R"]["discrimination_index"] < 0
    assert questions["R"]["flag"] == "negative_discrimination"
    others = [questions[k]["effective_weight"] for k in "ABC"]
    assert sum(others) == approx(100.0)


def test_low_discriminative_efficiency_flag():
    # C is only weakly related to the rest of the test (A + B).
    data = [
        (1, 1, 1),
        (1, 1, 0),
        (1, 1, 1),
        (0, 0, 1),
        (0, 0, 0),
        (1, 1, 0),
        (0, 0, 1),
        (0, 0, 0),
        (1, 1, 1),
        (0, 1, 0),
    ]
    result = item_statistics_matrix(np.array(data, float), [1, 1, 1], ["A", "B", "C"])
    c = result["questions"][2]
    # C: marks 1 0 1 1 0 0 1 0 1 0 (mean 0.5), rest 2 2 2 0 0 2 0 0 2 1 (mean 1.1).
    # Rest deviations where C = 1: 0.9 0.9 -1.1 -1.1 0.9 (sum 0.5); where C = 0: sum -0.5.
    # Products sum to 0.5 * 0.5 - 0.5 * -0.5 = 0.5.
    # Sorted pairing: the five 0s meet rests 0 0 0 0 1, the five 1s meet 2 2 2 2 2:
    # -0.5 * (-4.4 - 0.1) + 0.5 * 4.5 = 4.5.
    assert c["discriminative_efficiency"] == approx(100 * 0.5 / 4.5)
    assert c["discrimination_index"] > 0
    assert c["flag"] == "low_discriminative_efficiency"


def test_order_of_first_appearance_and_missing_cells():
    data = [
        ("a", "Q10", 1, 1),
        ("a", "Q2", 0, 1),
        ("b", "Q2", 1, 1),
        ("b", "Q10", 0, 1),
        ("c", "Q2", 1, 1),  # c did not get Q10
    ]
    result = item_statistics(data)
    assert [q["question"] for q in result["questions"]] == ["Q10", "Q2"]
    assert [q["count"] for q in result["questions"]] == [2, 3]
    assert result["exam"]["count"] == 3
    assert result["exam"]["mean"] == approx(1.0)


def test_repeated_cell_and_changing_max_mark_are_rejected():
    with pytest.raises(MarksError) as repeated:
        build_marks_matrix([("a", "Q1", 1, 1), ("b", "Q1", 1, 1), ("a", "Q1", 0, 1)])
    assert repeated.value.index == 2
    with pytest.raises(MarksError) as changed:
        build_marks_matrix([("a", "Q1", 1, 1), ("b", "Q1", 1, 2)])
    assert changed.value.index == 1
    assert changed.value.column == "max_mark"


def test_empty_input():
    result = item_statistics([])
    assert result["questions"] == []
    assert result["exam"]["count"] == 0
    assert result["exam"]["mean"] is None


def _moodle_loops(table, max_marks):
    """Moodle's walkers transcribed to plain Python loops, over rows with missing cells."""
    attempts = [row for row in table if any(v is not None for v in row)]
    totals = [sum(v for v in row if v is not None) for row in attempts]
    out = []
    for j, max_mark in enumerate(max_marks):
        pairs = [
            (row[j], t - row[j])
            for row, t in zip(attempts, totals, strict=True)
            if row[j] is not None
        ]
        tot = [t for row, t in zip(attempts, totals, strict=True) if row[j] is not None]
        s = len(pairs)
        mean = sum(m for m, _ in pairs) / s
        other_mean = sum(o for _, o in pairs) / s
        var = sum((m - mean) ** 2 for m, _ in pairs) / (s - 1)
        other_var = sum((o - other_mean) ** 2 for _, o in pairs) / (s - 1)
        cov = sum((m - mean) * (o - other_mean) for m, o in pairs) / (s - 1)
        ms = sorted(m for m, _ in pairs)
        os_ = sorted(o for _, o in pairs)
        cov_max = sum((m - mean) * (o - other_mean) for m, o in zip(ms, os_, strict=True)) / (s - 1)
        cov_total = sum((m - mean) * t for (m, _), t in zip(pairs, tot, strict=True)) / (s - 1)
        out.append(
            {
                "facility": mean / max_mark,
                "var": var,
                "di": 100 * cov / math.sqrt(var * other_var),
                "de": 100 * cov / cov_max,
                "cov_total": cov_total,
            }
        )
    root_sum = sum(math.sqrt(q["cov_total"]) for q in out if q["cov_total"] >= 0)
    for q in out:
        q["ew"] = None if q["cov_total"] < 0 else 100 * math.sqrt(q["cov_total"]) / root_sum
    s = len(totals)
    mean = sum(totals) / s
    k2 = sum((t - mean) ** 2 for t in totals) / (s - 1)
    p = len(max_marks)
    alpha = 100 * p / (p - 1) * (1 - sum(q["var"] for q in out) / k2)
    return out, alpha


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_figures_match_a_loop_transcription(seed):
    rnd = random.Random(seed)
    max_marks = [1, 2, 3, 1, 5, 2]
    table = []
    for _ in range(40):
        ability = rnd.random()
        row = []
        for m in max_marks:
            if rnd.random() < 0.1:
                row.append(None)
            else:
                row.append(sum(rnd.random() < ability for _ in range(m)) * 1.0)
        table.append(row)
    matrix = np.array([[np.nan if v is None else v for v in row] for row in table])
    result = item_statistics_matrix(matrix, max_marks, list("ABCDEF"))
    expected, alpha = _moodle_loops(table, max_marks)
    assert result["exam"]["alpha"] == pytest.approx(alpha, rel=1e-9)
    for got, want in zip(result["questions"], expected, strict=True):
        assert got["facility"] == pytest.approx(want["facility"], rel=1e-9)
        assert got["sd"] == pytest.approx(math.sqrt(want["var"]), rel=1e-9)
        assert got["discrimination_index"] == pytest.approx(want["di"], rel=1e-9)
        assert got["discriminative_efficiency"] == pytest.approx(want["de"], rel=1e-9)
        if want["ew"] is None:
            assert got["effective_weight"] is None
        else:
            assert got["effective_weight"] == pytest.approx(want["ew"], rel=1e-9)


def test_matrix_arguments_are_checked():
    with pytest.raises(ValueError):
        item_statistics_matrix(np.array([[1.0, np.inf]]), [1, 1], ["A", "B"])
    with pytest.raises(ValueError):
        item_statistics_matrix(np.ones((2, 2)), [1, 1, 1], ["A", "B"])
    with pytest.raises(ValueError):
        item_statistics_matrix(np.ones(3), [1], ["A"])
