"""What a candidate sees of an attempt item, shared by API and pages.

Options carry their displayed label (A, B, C… in the attempt's order) and text only: never the bank
key, which the grading recovers from the stored order (``answers``). Results show only the parts the
session's review options allow at that moment (``review.attempt_review``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..answers import LABELS, displayed_keys, keys_to_labels, response_keys
from ..models import Attempt, AttemptItem, QuestionVersion
from ..review import attempt_review


def fill_blanks(version: QuestionVersion) -> int:
    if version.qtype != "fill":
        return 0
    return max(1, len(version.answer or []))


def ordered_options(version: QuestionVersion, order: list[str] | None) -> list[dict[str, str]]:
    """Options in the candidate's order, as shown: ``label`` (A, B, C…) and ``text``. The bank key
    stays on the server."""
    by_key = {o["key"]: o["text"] for o in version.options}
    keys = displayed_keys(version.options, order)
    return [{"label": LABELS[i], "text": by_key[k]} for i, k in enumerate(keys)]


def item_for_candidate(item: AttemptItem) -> dict[str, Any]:
    v = item.version
    return {
        "position": item.position,
        "qtype": v.qtype,
        "stem": v.stem,
        "options": ordered_options(v, item.option_order),
        "blanks": fill_blanks(v),
        "checklist": [c["item"] for c in v.checklist] if v.qtype == "practical" else [],
        "max_score": item.max_score,
        "response": item.response,
        "seq": item.seq,
    }


def attempt_for_candidate(attempt: Attempt) -> dict[str, Any]:
    items = attempt.items.select_related("version").order_by("position")
    return {
        "code": attempt.code,
        "session": attempt.session.code,
        "title": attempt.session.title,
        "status": attempt.status,
        "deadline": attempt.deadline,
        "seconds_left": attempt.seconds_left(),
        "last_position": attempt.last_position,
        "items": [item_for_candidate(i) for i in items],
    }


def _correctness(item: AttemptItem) -> str | None:
    """ "right", "partial" or "wrong" for a scored item (None before it is scored)."""
    if item.score is None:
        return None
    if item.score >= item.max_score:
        return "right"
    return "partial" if item.score > 0 else "wrong"


def attempt_result(
    attempt: Attempt, *, with_items: bool = True, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The candidate's result: what the session's review options allow now. Before the result is
    released (status complete), the status only."""
    released = attempt.status == Attempt.Status.COMPLETE
    review = attempt_review(attempt, now)
    marks = released and review.marks
    out: dict[str, Any] = {
        "code": attempt.code,
        "status": attempt.status,
        "released": released,
        "score": attempt.score if marks else None,
        "max_score": attempt.max_score,
        "percent": attempt.percent if marks else None,
        "passed": attempt.passed if marks else None,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "review": review.as_dict(),
        "items": [],
    }
    if released and with_items:
        for item in attempt.items.select_related("version").order_by("position"):
            v = item.version
            row: dict[str, Any] = {
                "position": item.position,
                "qtype": v.qtype,
                "stem": v.stem,
                "options": ordered_options(v, item.option_order),
                "response": item.response,
                "response_text": answer_text(v, response_keys(item), item.option_order),
                "max_score": item.max_score,
                "score": item.score if review.marks else None,
                "correct": _correctness(item) if review.correctness else None,
                "answer": None,
                "answer_text": None,
                "explanation": None,
            }
            if review.answers:
                row["answer"] = keys_to_labels(v.qtype, v.options, item.option_order, v.answer)
                row["answer_text"] = answer_text(v, v.answer, item.option_order)
            if review.explanations:
                row["explanation"] = v.explanation
            out["items"].append(row)
    return out


def answer_text(version: QuestionVersion, value: Any, order: list[str] | None = None) -> str:
    """An answer or a response given in bank keys as a person reads it: option letters as this
    candidate saw them, 对/错, blanks separated by "；" (alternatives by " / ")."""
    if value is None or value == "" or value == []:
        return "—"
    if version.qtype in {"single", "multiple"}:
        labels = keys_to_labels(version.qtype, version.options, order, value)
        if version.qtype == "single":
            return labels or "—"
        return "".join(sorted(labels)) if isinstance(labels, list) else "—"
    if version.qtype == "true_false":
        from ..grading import as_bool

        flag = as_bool(value)
        return "—" if flag is None else ("对" if flag else "错")
    if version.qtype == "fill":
        blanks = value if isinstance(value, list) else [value]
        return "；".join(
            " / ".join(str(a) for a in b) if isinstance(b, list) else str(b) for b in blanks
        )
    return str(value)
