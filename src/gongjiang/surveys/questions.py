"""The questionnaire format, its checks, skip logic and the checking of a respondent's answers.

A questionnaire is a list of questions, each a dict::

    {"key": "q1", "type": "single", "text": "…", "section": "…", "required": True,
     "options": [{"key": "a", "text": "…"}, …],         # single, multiple, ranking
     "rows": [{"key": "r1", "text": "…"}, …],           # matrix (each row answered on 1–5)
     "show_if": {"question": "q0", "in": ["a", "b"]}}   # simple skip logic (optional)

``scale`` questions are answered 1–5 (``low``/``high`` name the ends); ``open`` questions take
text up to ``MAX_TEXT`` characters. A question with ``show_if`` is asked only when the earlier
single, multiple or scale question ``question`` was answered with one of ``in``; otherwise it is
skipped, and an answer sent for it is dropped.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TYPES = {
    "single": gettext_lazy("single choice"),
    "multiple": gettext_lazy("multiple choice"),
    "scale": gettext_lazy("scale 1–5"),
    "matrix": gettext_lazy("matrix (rows on 1–5)"),
    "ranking": gettext_lazy("ranking"),
    "open": gettext_lazy("open question"),
}
WITH_OPTIONS = {"single", "multiple", "ranking"}
SCALE = ("1", "2", "3", "4", "5")
MAX_QUESTIONS = 200
MAX_OPTIONS = 30
MAX_TEXT = 2000
KEY = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
OPTION_KEY = re.compile(r"^[a-z0-9_]{1,20}$")


def _err(message: str) -> ValidationError:
    return ValidationError({"questions": [message]})


def _items(q: dict[str, Any], field: str, key: str) -> list[dict[str, str]]:
    raw = q.get(field) or []
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_OPTIONS:
        raise _err(_("Question %(key)s needs 2 to %(max)d choices.") % {"key": key, "max": 30})
    out, seen = [], set()
    for item in raw:
        if not isinstance(item, dict):
            raise _err(_("Question %(key)s has a malformed choice.") % {"key": key})
        okey, text = str(item.get("key", "")), str(item.get("text", "")).strip()
        if not OPTION_KEY.match(okey) or okey in seen or not text or len(text) > 200:
            raise _err(_("Question %(key)s has a malformed choice.") % {"key": key})
        seen.add(okey)
        out.append({"key": okey, "text": text})
    return out


def clean_questions(raw: Any) -> list[dict[str, Any]]:
    """Check and normalise a questionnaire; raises ValidationError naming what is wrong."""
    if not isinstance(raw, list) or len(raw) > MAX_QUESTIONS:
        raise _err(_("A questionnaire is a list of at most 200 questions."))
    out: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for q in raw:
        if not isinstance(q, dict):
            raise _err(_("A question must be an object."))
        key = str(q.get("key", ""))
        if not KEY.match(key) or key in by_key:
            raise _err(_("Question key %(key)r is malformed or repeated.") % {"key": key})
        qtype = q.get("type")
        if qtype not in TYPES:
            raise _err(_("Question %(key)s has an unknown type.") % {"key": key})
        text = str(q.get("text", "")).strip()
        if not text or len(text) > 500:
            raise _err(_("Question %(key)s needs a text of at most 500 characters.") % {"key": key})
        clean: dict[str, Any] = {
            "key": key,
            "type": qtype,
            "text": text,
            "section": str(q.get("section", "")).strip()[:100],
            "required": bool(q.get("required", False)),
        }
        if qtype in WITH_OPTIONS:
            clean["options"] = _items(q, "options", key)
        if qtype == "matrix":
            clean["rows"] = _items(q, "rows", key)
        if qtype == "scale":
            clean["low"] = str(q.get("low", "")).strip()[:40]
            clean["high"] = str(q.get("high", "")).strip()[:40]
        show_if = q.get("show_if")
        if show_if:
            target = (
                by_key.get(str(show_if.get("question", ""))) if isinstance(show_if, dict) else None
            )
            if target is None or target["type"] not in ("single", "multiple", "scale"):
                raise _err(
                    _(
                        "Question %(key)s may depend only on an earlier single, multiple or scale question."
                    )
                    % {"key": key}
                )
            allowed = option_keys(target)
            values = [str(v) for v in show_if.get("in") or []]
            if not values or any(v not in allowed for v in values):
                raise _err(
                    _("Question %(key)s depends on answers that do not exist.") % {"key": key}
                )
            clean["show_if"] = {"question": target["key"], "in": values}
        by_key[key] = clean
        out.append(clean)
    return out


def option_keys(q: dict[str, Any]) -> list[str]:
    """The answer codes a question's counts are kept under (rollup ``option`` column)."""
    if q["type"] in ("single", "multiple"):
        return [o["key"] for o in q["options"]]
    if q["type"] == "scale":
        return list(SCALE)
    return []


def shown(q: dict[str, Any], answers: dict[str, Any]) -> bool:
    rule = q.get("show_if")
    if not rule:
        return True
    given = answers.get(rule["question"])
    chosen = given if isinstance(given, list) else [given]
    return any(str(c) in rule["in"] for c in chosen if c is not None)


def clean_answers(questions: list[dict[str, Any]], raw: Any) -> dict[str, Any]:
    """Check a respondent's answers against the questionnaire; skipped questions are dropped.
    Raises ValidationError with the question key as the field."""
    if not isinstance(raw, dict):
        raise ValidationError({"answers": [_("Answers must be an object.")]})
    known = {q["key"] for q in questions}
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise ValidationError({str(unknown[0]): [_("There is no such question.")]})
    out: dict[str, Any] = {}
    for q in questions:
        key = q["key"]
        if not shown(q, out):
            continue
        value = raw.get(key)
        if value in (None, "", [], {}):
            if q["required"]:
                raise ValidationError({key: [_("Please answer this question.")]})
            continue
        out[key] = _clean_one(q, value)
    return out


def _clean_one(q: dict[str, Any], value: Any) -> Any:
    key, qtype = q["key"], q["type"]

    def bad() -> ValidationError:  # built only when raised (every answer passes through here)
        return ValidationError({key: [_("This answer is not one of the choices.")]})

    if qtype == "single":
        if str(value) not in option_keys(q):
            raise bad()
        return str(value)
    if qtype == "scale":
        if str(value) not in SCALE:
            raise bad()
        return str(value)
    if qtype == "multiple":
        if not isinstance(value, list):
            raise bad()
        chosen = sorted({str(v) for v in value})
        if any(c not in option_keys(q) for c in chosen):
            raise bad()
        return chosen
    if qtype == "matrix":
        rows = {r["key"] for r in q["rows"]}
        if not isinstance(value, dict) or any(k not in rows for k in value):
            raise bad()
        out = {str(k): str(v) for k, v in value.items() if v not in (None, "")}
        if any(v not in SCALE for v in out.values()):
            raise bad()
        if q["required"] and set(out) != rows:
            raise ValidationError({key: [_("Please answer every row.")]})
        return out
    if qtype == "ranking":
        items = [o["key"] for o in q["options"]]
        if not isinstance(value, list) or sorted(str(v) for v in value) != sorted(items):
            raise ValidationError({key: [_("Rank every choice once.")]})
        return [str(v) for v in value]
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({key: [_("At most 2000 characters.")]})
    return text


def counted(questions: list[dict[str, Any]], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The (question, option) counters one response adds 1 to.

    single/scale: (q, choice); multiple: (q, each choice); matrix: (q, "row:value");
    ranking: (q, "item:rank"); open: (q, "answered") — the text itself is never counted by stratum.
    ``("_n", "")`` counts the respondent."""
    out = [("_n", "")]
    for q in questions:
        value = answers.get(q["key"])
        if value is None:
            continue
        key, qtype = q["key"], q["type"]
        if qtype in ("single", "scale"):
            out.append((key, value))
        elif qtype == "multiple":
            out += [(key, v) for v in value]
        elif qtype == "matrix":
            out += [(key, f"{row}:{v}") for row, v in sorted(value.items())]
        elif qtype == "ranking":
            out += [(key, f"{item}:{rank}") for rank, item in enumerate(value, start=1)]
        else:
            out.append((key, "answered"))
    return out
