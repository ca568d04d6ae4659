"""The composition and voting rules of 《企业民主管理规定》(2012), with exact arithmetic.

Every number comes from an organisation's :class:`~.models.CongressRules` (the nearest row on the
path from the organisation up to the root; the defaults of the rules' text when there is none).
Shares are compared as fractions, never floats, so a boundary (20 % of 30 = 6) is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from .models import CongressRules


def rules_for(organization: Any) -> CongressRules:
    """The rules in force for ``organization``: its own, else its nearest ancestor's, else the
    defaults (an unsaved row)."""
    step = organization.SEGMENT
    prefixes = [organization.path[:i] for i in range(step, len(organization.path) + 1, step)]
    found = (
        CongressRules.objects.filter(organization__path__in=prefixes)
        .select_related("organization")
        .order_by("-organization__depth")
        .first()
    )
    return found or CongressRules(organization=organization)


def _ceil(value: Fraction) -> int:
    return math.ceil(value)


def required_delegates(workforce: int, rules: CongressRules) -> int:
    """At least ``min_delegate_share`` of the workforce and at least ``min_delegates``; the part
    above ``negotiable_above`` is agreed between enterprise and union, so the floor stops there;
    never more than the workforce itself."""
    by_share = _ceil(Fraction(workforce) * Fraction(rules.min_delegate_share))
    floor = max(rules.min_delegates, min(by_share, rules.negotiable_above))
    return min(floor, workforce)


def required_in_proportion(group: int, workforce: int, delegates: int, rules: CongressRules) -> int:
    """Delegates a group (women, dispatched workers) needs: none without such workers; otherwise at
    least one, and at least ``proportion_floor`` × the group's share of the workforce × delegates."""
    if group <= 0 or workforce <= 0:
        return 0
    share = Fraction(group, workforce) * Fraction(rules.proportion_floor) * delegates
    return max(1, _ceil(share))


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    actual: int
    required: str
    ok: bool
    share: Fraction | None = None

    @property
    def percent(self) -> str:
        return "" if self.share is None else f"{float(self.share) * 100:.1f}%"

    def as_detail(self) -> dict[str, str]:
        return {"field": self.key, "error": f"{self.label}: {self.actual} / {self.required}"}


@dataclass(frozen=True)
class Counts:
    workforce: int
    workforce_women: int
    workforce_dispatched: int
    delegates: int
    management: int
    women: int
    dispatched: int


def composition_checks(
    counts: Counts, rules: CongressRules, *, assembly: bool = False
) -> list[Check]:
    """Each rule with the actual number, what it requires, and whether it holds."""
    checks: list[Check] = []
    d = counts.delegates
    if not assembly:
        need = required_delegates(counts.workforce, rules)
        checks.append(
            Check(
                "delegates",
                _("Number of delegates"),
                d,
                _("at least %(n)s") % {"n": need},
                d >= need and d > 0,
                Fraction(d, counts.workforce) if counts.workforce else None,
            )
        )
    cap = Fraction(rules.max_management_share)
    most = math.floor(cap * d)
    checks.append(
        Check(
            "management",
            _("Management and leaders"),
            counts.management,
            _("at most %(n)s") % {"n": most},
            Fraction(counts.management, d) <= cap if d else True,
            Fraction(counts.management, d) if d else None,
        )
    )
    for key, label, group, actual in (
        ("women", _("Women"), counts.workforce_women, counts.women),
        ("dispatched", _("Dispatched workers"), counts.workforce_dispatched, counts.dispatched),
    ):
        need = required_in_proportion(group, counts.workforce, d, rules)
        checks.append(
            Check(
                key,
                label,
                actual,
                _("at least %(n)s") % {"n": need},
                actual >= need,
                Fraction(actual, d) if d else None,
            )
        )
    return checks


def quorate(present: int, delegates: int, rules: CongressRules) -> bool:
    """At least ``quorum`` (two thirds) of all delegates present."""
    return delegates > 0 and Fraction(present) >= rules.quorum * delegates


def passed(votes_for: int, present: int, delegates: int, rules: CongressRules) -> bool:
    """Quorate, and more than half of all delegates (not of those present) voted for."""
    return quorate(present, delegates, rules) and 2 * votes_for > delegates
