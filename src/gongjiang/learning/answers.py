"""What a candidate's answer may be, and how the letters a candidate saw map back to the bank.

**Displayed labels, never bank keys.** A candidate sees the options of a choice question in the
attempt's own order (``AttemptItem.option_order``, the bank keys in displayed order), labelled A, B,
C… as shown. The browser and the API only ever carry those labels, and the stored response is the
labels the candidate chose; grading maps them back to bank keys from the stored order
(``response_keys``). So a bank whose right answer is mostly "A" gives nothing away.

**Size limits per question type** (also stated in docs/learning.md):

* single choice: one displayed label (``"B"``) of an option that exists;
* multiple choice: distinct labels of existing options (``["A", "C"]`` or ``"AC"``), so at most the
  option count;
* true/false: a boolean (or 对/错, T/F);
* fill in the blank: at most one text per blank, each at most ``FILL_BLANK_MAX_CHARS`` characters;
* short answer and practical task: text of at most ``TEXT_ANSWER_MAX_CHARS`` characters;
* the request body of one save at most ``ANSWER_BODY_MAX_BYTES`` bytes (checked before parsing).

``answer_fit`` turns a response into the question types it fits and the option and blank counts it
needs; the save statement stores it only when the item's question meets them, so the check costs no
extra statement (``exams._answer_store``). ``answer_check`` names the problem for one question.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .grading import as_bool

TEXT_ANSWER_MAX_CHARS = 10_000
FILL_BLANK_MAX_CHARS = 200
MAX_OPTIONS = 26
ANSWER_BODY_MAX_BYTES = 128 * 1024

LABELS = string.ascii_uppercase
ALL_TYPES = ("single", "multiple", "true_false", "fill", "short", "practical")


@dataclass(frozen=True)
class AnswerFit:
    """The question types a response fits, and what the question must have for it."""

    qtypes: frozenset[str]
    need_options: int = 0  # single/multiple: the highest label used, as a count
    need_blanks: int = 0  # fill: how many blanks were answered

    @property
    def fits_any(self) -> bool:
        return bool(self.qtypes)

    def sql_types(self) -> str:
        """The types as ",single,multiple," for the save statement's test."""
        return "," + ",".join(sorted(self.qtypes)) + ","


def _labels(value: Any) -> list[str] | None:
    """Distinct displayed labels from ``["A", "C"]`` or ``"AC"``; None when it is not that."""
    items = list(value) if isinstance(value, str) else value
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_OPTIONS:
        return None
    if not all(isinstance(x, str) and len(x) == 1 and x in LABELS for x in items):
        return None
    if len(set(items)) != len(items):
        return None
    return items


def _need(labels: list[str]) -> int:
    return max(LABELS.index(x) for x in labels) + 1


def answer_fit(response: Any) -> AnswerFit:
    """The question types ``response`` is a well-formed, within-limits answer to."""
    if response is None or response == "" or response == []:
        return AnswerFit(frozenset(ALL_TYPES))  # clearing an answer
    if isinstance(response, bool):
        return AnswerFit(frozenset({"true_false"}))
    types: set[str] = set()
    need_options = need_blanks = 0
    if isinstance(response, str):
        if len(response) <= TEXT_ANSWER_MAX_CHARS:
            types |= {"short", "practical"}
        if len(response) <= FILL_BLANK_MAX_CHARS:
            types.add("fill")  # a one-blank answer given as text
            need_blanks = 1
        if len(response) <= 10 and as_bool(response) is not None:
            types.add("true_false")
        labels = _labels(response)
        if labels is not None:
            types |= {"single", "multiple"} if len(labels) == 1 else {"multiple"}
            need_options = _need(labels)
    elif isinstance(response, list):
        labels = _labels(response)
        if labels is not None:
            types.add("multiple")
            need_options = _need(labels)
        if len(response) <= MAX_OPTIONS * 2 and all(
            x is None or (isinstance(x, str) and len(x) <= FILL_BLANK_MAX_CHARS) for x in response
        ):
            types.add("fill")
            need_blanks = len(response)
    return AnswerFit(frozenset(types), need_options, need_blanks)


def option_count(options: Any) -> int:
    return len(options) if isinstance(options, list) else 0


def blank_count(qtype: str, answer: Any) -> int:
    if qtype != "fill":
        return 0
    return max(1, len(answer)) if isinstance(answer, list) else 1


def answer_problem(qtype: str, options: Any, answer: Any, response: Any) -> str | None:
    """Why ``response`` is not an acceptable answer to this question (None when it is)."""
    fit = answer_fit(response)
    n_options = option_count(options)
    if qtype in fit.qtypes:
        if qtype in {"single", "multiple"} and fit.need_options > n_options:
            return _("Choose among the options shown (A to %(last)s).") % {
                "last": LABELS[max(0, n_options - 1)]
            }
        if qtype == "fill" and fit.need_blanks > blank_count(qtype, answer):
            return _("This question has %(n)d blanks; more answers were sent.") % {
                "n": blank_count(qtype, answer)
            }
        return None
    if qtype == "single":
        return _("A single-choice answer is one option letter (A to %(last)s).") % {
            "last": LABELS[max(0, n_options - 1)]
        }
    if qtype == "multiple":
        return _(
            "A multiple-choice answer is a list of different option letters (A to %(last)s)."
        ) % {"last": LABELS[max(0, n_options - 1)]}
    if qtype == "true_false":
        return _("A true/false answer is true or false.")
    if qtype == "fill":
        return _("A fill-in answer is one text per blank, each at most %(n)d characters.") % {
            "n": FILL_BLANK_MAX_CHARS
        }
    return _("A written answer is text of at most %(n)d characters.") % {"n": TEXT_ANSWER_MAX_CHARS}


def answer_check(qtype: str, options: Any, answer: Any, response: Any) -> None:
    """Raise a ValidationError on ``response`` naming what is wrong with it."""
    problem = answer_problem(qtype, options, answer, response)
    if problem is not None:
        raise ValidationError({"response": [problem]})


def displayed_keys(options: Any, order: list[str] | None) -> list[str]:
    """The bank keys in the order the candidate saw them (label A is the first)."""
    keys = [o["key"] for o in options or []]
    shown = [k for k in (order or []) if k in keys]
    return shown or keys


def labels_to_keys(qtype: str, options: Any, order: list[str] | None, response: Any) -> Any:
    """A response in displayed labels as bank keys (for grading). A label that names no option
    maps to nothing, so it can never score."""
    if qtype not in {"single", "multiple"} or response is None:
        return response
    keys = displayed_keys(options, order)

    def key(label: Any) -> str | None:
        if isinstance(label, str) and len(label) == 1 and label in LABELS:
            index = LABELS.index(label)
            return keys[index] if index < len(keys) else None
        return None

    if qtype == "single":
        return key(response.strip().upper()) if isinstance(response, str) else None
    labels = list(response) if isinstance(response, str) else response
    if not isinstance(labels, list):
        return None
    mapped = [key(x.strip().upper() if isinstance(x, str) else x) for x in labels]
    return [k for k in mapped if k is not None]


def keys_to_labels(qtype: str, options: Any, order: list[str] | None, value: Any) -> Any:
    """Bank keys as the labels this candidate saw (the inverse of ``labels_to_keys``)."""
    if qtype not in {"single", "multiple"} or value is None:
        return value
    label = {k: LABELS[i] for i, k in enumerate(displayed_keys(options, order))}
    if qtype == "single":
        return label.get(str(value))
    items = list(value) if isinstance(value, str) else value
    return [label[k] for k in items if k in label] if isinstance(items, list) else value


def response_keys(item: Any) -> Any:
    """An attempt item's stored response (displayed labels) as bank keys."""
    v = item.version
    return labels_to_keys(v.qtype, v.options, item.option_order, item.response)
