"""The household document of a file: parsing and checking what a worker or an officer entered.

Errors name the field and the rule, never the value entered (values may be health or income data).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gongjiang.core.errors import ApplicationError

from .assess import Member, half_up

MAX_MEMBERS = 20
MAX_MONEY = Decimal("9999999.99")


class Cause:
    CHOICES = (
        ("illness", "illness"),
        ("disability", "disability"),
        ("accident", "accident"),
        ("unemployment", "unemployment of a member"),
        ("schooling", "schooling costs"),
        ("disaster", "disaster"),
    )
    KEYS = {key for key, _label in CHOICES}


def cause_labels() -> dict[str, str]:
    return {
        "illness": _("illness"),
        "disability": _("disability"),
        "accident": _("accident"),
        "unemployment": _("unemployment of a member"),
        "schooling": _("schooling costs"),
        "disaster": _("disaster"),
    }


def _bad(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        _("The household data is not valid."),
        code="invalid_household",
        status=422,
        details=[{"field": field, "error": message}],
    )


def _money(value: Any, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    if isinstance(value, bool | float):
        raise _bad(field, _("Give the amount as a decimal number with at most two decimals."))
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _bad(
            field, _("Give the amount as a decimal number with at most two decimals.")
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
        raise _bad(field, _("The amount must be between 0 and 9,999,999.99 yuan."))
    if amount != half_up(amount):
        raise _bad(field, _("An amount has at most two decimals (fen)."))
    return half_up(amount)


def _date(value: Any, field: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _bad(field, _("Give the date as YYYY-MM-DD.")) from None


def clean_household(data: dict[str, Any]) -> dict[str, Any]:
    """The household document, normalised: members, housing, debts, causes, sudden event, note."""
    members_in = data.get("members") or []
    if not isinstance(members_in, list) or not members_in:
        raise _bad("members", _("A household has at least one member."))
    if len(members_in) > MAX_MEMBERS:
        raise _bad("members", _("At most 20 household members."))
    members = []
    for i, raw in enumerate(members_in):
        prefix = f"members.{i}"
        relation = str(raw.get("relation", "")).strip()[:20]
        if not relation:
            raise _bad(f"{prefix}.relation", _("Give the member's relation to the worker."))
        members.append(
            {
                "relation": relation,
                "birth_date": _date(raw.get("birth_date"), f"{prefix}.birth_date"),
                "monthly_income": str(
                    _money(raw.get("monthly_income"), f"{prefix}.monthly_income")
                ),
                "works": bool(raw.get("works")),
                "health": str(raw.get("health", "")).strip()[:100],
                "illness_costs_monthly": str(
                    _money(raw.get("illness_costs_monthly"), f"{prefix}.illness_costs_monthly")
                ),
            }
        )
    causes = [c for c in (data.get("causes") or []) if c in Cause.KEYS]
    return {
        "members": members,
        "housing": str(data.get("housing", "")).strip()[:200],
        "debts": str(_money(data.get("debts"), "debts")),
        "causes": sorted(set(causes)),
        "sudden_event": bool(data.get("sudden_event")),
        "note": str(data.get("note", "")).strip()[:500],
    }


def members_of(document: dict[str, Any]) -> list[Member]:
    return [
        Member(
            relation=m["relation"],
            monthly_income=Decimal(m["monthly_income"]),
            birth_date=dt.date.fromisoformat(m["birth_date"]) if m.get("birth_date") else None,
            works=bool(m.get("works")),
            illness_costs_monthly=Decimal(m.get("illness_costs_monthly") or "0"),
        )
        for m in document.get("members", [])
    ]
