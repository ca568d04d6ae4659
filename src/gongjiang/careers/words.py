"""The bridge's conditions and targets in words a worker reads (the API keeps the codes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .policy import HONOUR_RANK, SKILL_ZH, TITLE_LEVELS, TITLE_ZH, target_kind

HONOUR_WORDS = {
    "enterprise": gettext_lazy("enterprise-level"),
    "city": gettext_lazy("city-level"),
    "provincial": gettext_lazy("provincial-level"),
    "national": gettext_lazy("national-level"),
}

PATH_WORDS = {
    "standard": gettext_lazy("by years at the level"),
    "achievement": gettext_lazy("by outstanding achievement"),
    "ladder": gettext_lazy("the skills ladder"),
    "title": gettext_lazy("from a professional title"),
}


def path_name(path: str) -> str:
    """A path of the table in words (an enterprise's own path names are shown as written)."""
    return str(PATH_WORDS.get(path, path))


def level_name(code: str) -> str:
    """A skill or title level by its Chinese name (the registry's and the certificates' words)."""
    if not code:
        return "—"
    return SKILL_ZH.get(code) or TITLE_ZH.get(code) or code


def target_name(code: str) -> str:
    if target_kind(code) == "title":
        return _("%(level)s professional title") % {"level": TITLE_ZH[code]}
    return level_name(code)


def target_choices() -> list[tuple[str, str]]:
    titles = [(code, target_name(code)) for code, _label in TITLE_LEVELS]
    skills = [(code, target_name(code)) for code in SKILL_ZH if code != "APPRENTICE"]
    return titles + skills


def _years(text: str) -> tuple[str, str]:
    years, _at, level = text.partition("@")
    return years, level


def describe(condition: dict[str, Any]) -> dict[str, Any]:
    """``{"need": ..., "have": ..., "met": ...}`` for one condition (as stored or as answered)."""
    rule = condition["rule"]
    required, actual = condition["required"], condition["actual"]
    if rule == "not_yet_held":
        need = _("Not yet at %(target)s") % {"target": target_name(required)}
        have = level_name(actual)
    elif rule == "skill_level":
        need = _("Skill level %(level)s or above") % {"level": level_name(required)}
        have = level_name(actual)
    elif rule in ("years_at_skill_level", "years_at_title"):
        years, level = _years(required)
        need = _("%(years)s full years at %(level)s or above") % {
            "years": years,
            "level": level_name(level),
        }
        have = _("%(years)s years") % {"years": _years(actual)[0]} if actual else _("not reached")
    elif rule == "title_level":
        need = _("Professional title %(level)s or above") % {"level": level_name(required)}
        have = level_name(actual)
    elif rule == "occupation":
        need = _("Occupation in the field %(codes)s") % {"codes": required}
        have = actual or _("no occupation recorded")
    elif rule == "management_grade":
        need = _("Management grade %(grade)s or above") % {"grade": required}
        have = actual or _("none")
    elif rule == "years_at_grade":
        years, grade = _years(required)
        need = _("%(years)s full years at the management grade %(grade)s or above") % {
            "years": years,
            "grade": grade,
        }
        have = _("%(years)s years") % {"years": _years(actual)[0]} if actual else _("not reached")
    elif rule == "honour":
        need = _("An honour at %(level)s or above") % {"level": HONOUR_WORDS.get(required, "")}
        have = HONOUR_WORDS.get(actual, _("none")) if actual in HONOUR_RANK else _("none")
    else:
        need = _("A pathway to this target in the enterprise's table")
        have = _("none")
    return {"rule": rule, "need": need, "have": have, "met": condition["met"]}
