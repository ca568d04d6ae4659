"""Grading of objective questions: pure functions, no database.

``grade(qtype, answer, response, max_score, rule)`` returns the score as a Decimal (two places), or
None for a subjective type (short answer, practical task), which people mark.

Answer and response shapes (the same in the API, the pages and the import):

* single: answer ``"B"``; response ``"B"``
* multiple: answer ``["A", "C"]``; response ``["C", "A"]`` (order does not matter). Rule ``all``:
  full score only for exactly the right set. Rule ``partial``: each right option chosen earns
  ``max/len(answer)``, each wrong option chosen loses as much, and the total never goes below 0.
* true_false: answer ``true``/``false``; response a boolean (or ``"T"``/``"F"``/``"对"``/``"错"``)
* fill: answer ``[["alt1", "alt2"], ["…"]]`` (alternatives per blank); response ``["…", "…"]``;
  each blank earns an equal share; text is compared after NFKC (full-width → half-width), case
  folding and whitespace collapsing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

SUBJECTIVE = {"short", "practical"}
TWO_PLACES = Decimal("0.01")
TRUE_WORDS = {"true", "t", "1", "yes", "y", "对", "正确", "是", "√", "✓"}
FALSE_WORDS = {"false", "f", "0", "no", "n", "错", "错误", "否", "×", "✗", "x"}


def to_decimal(value: Fraction | Decimal | int) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def normalize_text(text: Any) -> str:
    """NFKC (full-width letters/digits/punctuation become half-width), case-folded, spaces collapsed."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    word = normalize_text(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def as_keys(value: Any) -> set[str]:
    """A set of option keys from a list, or from text such as "AC" / "A,C" / "A、C"."""
    if value is None:
        return set()
    if isinstance(value, str):
        text = normalize_text(value).upper()
        return {c for c in text if c.isalpha()}
    if isinstance(value, Sequence):
        return {normalize_text(v).upper() for v in value if v is not None and str(v).strip()}
    return set()


def fraction_correct(qtype: str, answer: Any, response: Any, rule: str = "all") -> Fraction:
    """The share of the full score earned, 0…1."""
    if response is None:
        return Fraction(0)
    if qtype == "single":
        keys = as_keys(response)
        return Fraction(1) if len(keys) == 1 and keys == as_keys(answer) else Fraction(0)
    if qtype == "multiple":
        right = as_keys(answer)
        chosen = as_keys(response)
        if not right:
            return Fraction(0)
        if rule == "partial":
            hits = len(chosen & right)
            misses = len(chosen - right)
            return max(Fraction(0), Fraction(hits - misses, len(right)))
        return Fraction(1) if chosen == right else Fraction(0)
    if qtype == "true_false":
        given = as_bool(response)
        return Fraction(1) if given is not None and given == as_bool(answer) else Fraction(0)
    if qtype == "fill":
        blanks = list(answer or [])
        if not blanks:
            return Fraction(0)
        given = list(response) if isinstance(response, list | tuple) else [response]
        right = 0
        for index, alternatives in enumerate(blanks):
            if isinstance(alternatives, str):
                alternatives = [alternatives]
            value = normalize_text(given[index]) if index < len(given) else ""
            if value and value in {normalize_text(a) for a in alternatives}:
                right += 1
        return Fraction(right, len(blanks))
    raise ValueError(f"not an objective question type: {qtype!r}")


def grade(
    qtype: str, answer: Any, response: Any, max_score: Decimal | int | str, rule: str = "all"
) -> Decimal | None:
    """The score earned, or None when people must mark it."""
    if qtype in SUBJECTIVE:
        return None
    share = fraction_correct(qtype, answer, response, rule)
    return to_decimal(share * Fraction(str(max_score)))


def checklist_score(checklist: Sequence[dict[str, Any]], ticked: Sequence[int]) -> Decimal:
    """A practical task's score: the points of the ticked checklist items (by index)."""
    total = Decimal(0)
    for index in set(ticked):
        if 0 <= index < len(checklist):
            total += Decimal(str(checklist[index].get("points", 0)))
    return to_decimal(total)


def is_full_marks(score: Decimal | None, max_score: Decimal) -> bool:
    return score is not None and score >= max_score


def validate_answer(qtype: str, options: Sequence[dict[str, Any]], answer: Any) -> list[str]:
    """Reasons an answer key does not fit the question (empty when it does)."""
    keys = {str(o.get("key", "")).upper() for o in options}
    problems: list[str] = []
    if qtype in {"single", "multiple"}:
        if len(options) < 2:
            problems.append(_("Needs at least two options."))
        chosen = as_keys(answer)
        if not chosen:
            problems.append(_("The answer is empty."))
        elif not chosen <= keys:
            problems.append(_("The answer names an option that does not exist."))
        elif qtype == "single" and len(chosen) != 1:
            problems.append(_("A single-choice question has exactly one right option."))
    elif qtype == "true_false":
        if as_bool(answer) is None:
            problems.append(_("The answer must be true or false."))
    elif qtype == "fill":
        if not answer or not all(
            (isinstance(b, list) and any(str(a).strip() for a in b))
            or (isinstance(b, str) and b.strip())
            for b in answer
        ):
            problems.append(_("Every blank needs at least one answer."))
    return problems
