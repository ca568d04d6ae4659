"""What a candidate sees of an attempt item (no key, no explanation), shared by API and pages."""

from __future__ import annotations

import string
from typing import Any

from ..models import Attempt, AttemptItem, QuestionVersion


def fill_blanks(version: QuestionVersion) -> int:
    if version.qtype != "fill":
        return 0
    return max(1, len(version.answer or []))


def ordered_options(version: QuestionVersion, order: list[str] | None) -> list[dict[str, str]]:
    """Options in the candidate's order, labelled A, B, C… as shown; ``key`` is the original key
    the response uses (so shuffling never touches grading)."""
    by_key = {o["key"]: o["text"] for o in version.options}
    keys = [k for k in (order or []) if k in by_key] or list(by_key)
    return [
        {"key": k, "label": string.ascii_uppercase[i], "text": by_key[k]}
        for i, k in enumerate(keys)
    ]


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


def attempt_result(attempt: Attempt, *, with_items: bool = True) -> dict[str, Any]:
    """The candidate's result once released (status complete); before that, the status only."""
    released = attempt.status == Attempt.Status.COMPLETE
    out: dict[str, Any] = {
        "code": attempt.code,
        "status": attempt.status,
        "released": released,
        "score": attempt.score if released else None,
        "max_score": attempt.max_score,
        "percent": attempt.percent if released else None,
        "passed": attempt.passed if released else None,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "items": [],
    }
    if released and with_items:
        for item in attempt.items.select_related("version").order_by("position"):
            v = item.version
            out["items"].append(
                {
                    "position": item.position,
                    "qtype": v.qtype,
                    "stem": v.stem,
                    "options": ordered_options(v, item.option_order),
                    "response": item.response,
                    "answer": v.answer,
                    "response_text": answer_text(v, item.response, item.option_order),
                    "answer_text": answer_text(v, v.answer, item.option_order),
                    "explanation": v.explanation,
                    "score": item.score,
                    "max_score": item.max_score,
                }
            )
    return out


def answer_text(version: QuestionVersion, value: Any, order: list[str] | None = None) -> str:
    """An answer or a response as a person reads it: option letters as this candidate saw them,
    对/错, blanks separated by "；" (alternatives by " / ")."""
    if value is None or value == "" or value == []:
        return "—"
    labels = {o["key"]: o["label"] for o in ordered_options(version, order)}
    if version.qtype == "single":
        return labels.get(str(value), str(value))
    if version.qtype == "multiple":
        keys = value if isinstance(value, list) else [value]
        return "".join(sorted(labels.get(str(k), str(k)) for k in keys))
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
