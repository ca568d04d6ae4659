"""The conditions of an expert level in words a worker reads (the API keeps the codes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .words import level_name


def _years(text: str) -> tuple[str, str]:
    years, _at, level = text.partition("@")
    return years, level


def condition_need(c: dict[str, Any]) -> str:
    rule, required = c["rule"], c["required"]
    if rule == "on_the_job":
        return _("on the job")
    if rule == "not_yet_held":
        return _("not already an expert of this level or a higher one")
    if rule == "skill_level":
        return _("skill level %(level)s or above") % {"level": level_name(required)}
    if rule == "years_at_skill_level":
        years, level = _years(required)
        return _("%(years)s full years at %(level)s or above") % {
            "years": years,
            "level": level_name(level),
        }
    if rule == "document":
        from .experts_document_kinds import KINDS

        return _("document attached: %(kind)s") % {"kind": KINDS.get(required, required)}
    return str(required)


def condition_have(c: dict[str, Any]) -> str:
    rule, actual = c["rule"], c["actual"]
    if rule == "on_the_job":
        return _("on the job") if c["met"] else _("not on the job")
    if rule == "not_yet_held":
        return _("holds a level of rank %(rank)s") % {"rank": actual} if actual else "—"
    if rule == "skill_level":
        return level_name(actual)
    if rule == "years_at_skill_level":
        years, _level = _years(actual)
        return _("%(years)s full years") % {"years": years}
    if rule == "document":
        return _("attached") if c["met"] else _("missing")
    return str(actual)


def condition_text(c: dict[str, Any]) -> str:
    """“need …（now: …）”."""
    return _("%(need)s (now: %(have)s)") % {"need": condition_need(c), "have": condition_have(c)}


def described(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"need": condition_need(c), "have": condition_have(c), "met": c["met"]} for c in conditions
    ]
