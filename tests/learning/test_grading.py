from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gongjiang.learning.grading import (
    checklist_score,
    grade,
    normalize_text,
    validate_answer,
)

KEYS = "ABCDEFGH"


def test_single_choice() -> None:
    assert grade("single", "B", "B", 2) == Decimal("2.00")
    assert grade("single", "B", "C", 2) == Decimal("0.00")
    assert grade("single", "B", None, 2) == Decimal("0.00")
    assert grade("single", "B", ["B", "C"], 2) == Decimal("0.00")


@given(
    st.sets(st.sampled_from(KEYS), min_size=1),
    st.sets(st.sampled_from(KEYS)),
    st.decimals(min_value=1, max_value=100, places=2),
)
def test_multiple_choice_rules(right: set[str], chosen: set[str], max_score: Decimal) -> None:
    all_or_nothing = grade("multiple", sorted(right), sorted(chosen), max_score, "all")
    partial = grade("multiple", sorted(right), sorted(chosen), max_score, "partial")
    assert all_or_nothing in (Decimal(0), max_score.quantize(Decimal("0.01")))
    assert all_or_nothing == (max_score.quantize(Decimal("0.01")) if chosen == right else 0)
    # partial credit never goes below zero and never above the full score
    assert Decimal(0) <= partial <= max_score.quantize(Decimal("0.01"))
    assert partial >= all_or_nothing
    if chosen <= right:  # no wrong option: proportional credit
        expected = (Decimal(len(chosen)) / len(right) * max_score).quantize(Decimal("0.01"))
        assert abs(partial - expected) <= Decimal("0.01")


def test_multiple_partial_examples() -> None:
    assert grade("multiple", ["A", "C"], ["A"], 2, "partial") == Decimal("1.00")
    assert grade("multiple", ["A", "C"], ["A", "B"], 2, "partial") == Decimal("0.00")
    assert grade("multiple", ["A", "C"], ["B", "D"], 2, "partial") == Decimal("0.00")
    assert grade("multiple", ["A", "C"], "CA", 2, "all") == Decimal("2.00")


@given(
    st.booleans(),
    st.sampled_from([True, False, "对", "错", "T", "F", "正确", "错误", None, "maybe"]),
)
def test_true_false(answer: bool, response: object) -> None:
    words = {
        True: True,
        False: False,
        "对": True,
        "错": False,
        "T": True,
        "F": False,
        "正确": True,
        "错误": False,
    }
    expected = response in words and words[response] == answer  # type: ignore[index]
    assert grade("true_false", answer, response, 1) == (
        Decimal("1.00") if expected else Decimal("0.00")
    )


def test_fill_width_and_case() -> None:
    key = [["M10", "公制螺纹"], ["HRC"]]
    assert grade("fill", key, ["Ｍ１０", "hrc"], 4) == Decimal("4.00")  # full-width and case
    assert grade("fill", key, ["公制螺纹", "  H R C "], 4) == Decimal("2.00")
    assert grade("fill", key, ["m10"], 4) == Decimal("2.00")  # missing blank
    assert grade("fill", key, None, 4) == Decimal("0.00")


@given(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
)
def test_fill_full_width_equivalence(word: str) -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in word)  # the full-width forms of ASCII
    assert normalize_text(full) == normalize_text(word)
    assert grade("fill", [[word]], [full.upper()], 1) == grade("fill", [[word]], [word.lower()], 1)
    assert grade("fill", [[word]], [full], 1) == Decimal("1.00")


@given(
    st.lists(
        st.lists(
            st.text(min_size=1, max_size=5).filter(lambda s: s.strip()), min_size=1, max_size=3
        ),
        min_size=1,
        max_size=5,
    ),
    st.data(),
)
def test_fill_blank_shares(key: list[list[str]], data: st.DataObject) -> None:
    right = data.draw(st.lists(st.booleans(), min_size=len(key), max_size=len(key)))
    response = [alts[0] if ok else "\u2603never" for alts, ok in zip(key, right, strict=True)]
    score = grade("fill", key, response, 10)
    assert Decimal(0) <= score <= Decimal(10)
    assert score >= (Decimal(sum(right)) / len(key) * 10).quantize(Decimal("0.01")) - Decimal(
        "0.01"
    )


def test_subjective_is_not_graded() -> None:
    assert grade("short", "ref", "text", 5) is None
    assert grade("practical", None, None, 10) is None


def test_checklist_score() -> None:
    checklist = [
        {"item": "尺寸", "points": 6},
        {"item": "表面", "points": 4},
        {"item": "安全", "points": 2.5},
    ]
    assert checklist_score(checklist, [0, 2]) == Decimal("8.50")
    assert checklist_score(checklist, [0, 0, 9]) == Decimal("6.00")


def test_validate_answer() -> None:
    options = [{"key": "A", "text": "x"}, {"key": "B", "text": "y"}]
    assert validate_answer("single", options, "B") == []
    assert validate_answer("single", options, "C")
    assert validate_answer("single", options, ["A", "B"])
    assert validate_answer("true_false", [], "maybe")
    assert validate_answer("fill", [], [[""]])
