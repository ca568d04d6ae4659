"""The category calculator (the public contract of ``POST /api/v1/assistance/assess``).

The rule, exactly:

* income per head = sum of monthly incomes / members, rounded half up to the fen;
* edge line = standard × edge multiple, rounded half up to the fen;
* ``deep`` when income per head < standard; else ``relative`` when it is < the edge line; else
  ``sudden`` when there was a sudden event and (sum of incomes − sum of illness costs) / members
  < the edge line (compared exactly, without rounding); else ``none``.

The standard is the one in force for the region and year: the nearest enclosing region that has
one (county, then city, then province). No side effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext as _

from gongjiang.core.errors import ApplicationError

from .models import Category, Standard

FEN = Decimal("0.01")


def half_up(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """Money as a decimal string in yuan with two places."""
    return f"{half_up(value):.2f}"


@dataclass(frozen=True)
class Member:
    relation: str
    monthly_income: Decimal
    birth_date: dt.date | None = None
    works: bool = False
    illness_costs_monthly: Decimal = Decimal("0")


@dataclass
class Assessment:
    income_per_head: Decimal
    standard: Decimal
    edge_line: Decimal
    category: str
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "income_per_head": yuan(self.income_per_head),
            "standard": yuan(self.standard),
            "edge_line": yuan(self.edge_line),
            "category": self.category,
            "reasons": list(self.reasons),
        }


def categorise(
    members: Sequence[Member],
    *,
    standard: Decimal,
    edge_multiple: Decimal,
    sudden_event: bool,
) -> Assessment:
    if not members:
        raise ApplicationError(
            _("A household has at least one member."),
            code="no_members",
            status=422,
            details=[{"field": "members", "error": _("A household has at least one member.")}],
        )
    n = len(members)
    with localcontext() as ctx:
        ctx.prec = 60
        total = sum((m.monthly_income for m in members), Decimal("0"))
        costs = sum((m.illness_costs_monthly for m in members), Decimal("0"))
        per_head = half_up(total / n)
        edge = half_up(standard * edge_multiple)
        facts = {
            "income": yuan(per_head),
            "standard": yuan(standard),
            "edge": yuan(edge),
            "multiple": f"{edge_multiple:.2f}",
        }
        if per_head < standard:
            return Assessment(
                per_head,
                standard,
                edge,
                Category.DEEP,
                [
                    _(
                        "Income per head %(income)s yuan is below the local minimum-living "
                        "standard of %(standard)s yuan."
                    )
                    % facts
                ],
            )
        if per_head < edge:
            return Assessment(
                per_head,
                standard,
                edge,
                Category.RELATIVE,
                [
                    _(
                        "Income per head %(income)s yuan is at or above the standard "
                        "%(standard)s yuan but below the edge line %(edge)s yuan "
                        "(%(multiple)s × the standard)."
                    )
                    % facts
                ],
            )
        # (total − costs) / n < edge  ⇔  total − costs < edge × n  (exact, no rounding)
        if sudden_event and total - costs < edge * n:
            facts["after"] = yuan((total - costs) / n)
            return Assessment(
                per_head,
                standard,
                edge,
                Category.SUDDEN,
                [
                    _(
                        "Income per head %(income)s yuan is at or above the edge line %(edge)s "
                        "yuan, but after the costs of the sudden event %(after)s yuan a head is "
                        "left, below the edge line."
                    )
                    % facts
                ],
            )
        return Assessment(
            per_head,
            standard,
            edge,
            Category.NONE,
            [
                _("Income per head %(income)s yuan is at or above the edge line %(edge)s yuan.")
                % facts
            ],
        )


def enclosing_regions(code: str) -> list[str]:
    """The region itself, then its city, then its province (GB/T 2260), without repeats."""
    out: list[str] = []
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        if candidate not in out:
            out.append(candidate)
    return out


def standard_for(region: str, year: int) -> Standard:
    """The standard in force: the nearest enclosing region that has one for ``year``."""
    region = (region or "").strip()
    if len(region) != 6 or not region.isdigit():
        message = _("Give the region as a six-digit GB/T 2260 code.")
        raise ApplicationError(
            message,
            code="invalid_region",
            status=422,
            details=[{"field": "region", "error": message}],
        )
    candidates = enclosing_regions(region)
    found = {s.region_id: s for s in Standard.objects.filter(region_id__in=candidates, year=year)}
    for candidate in candidates:
        if candidate in found:
            return found[candidate]
    message = _(
        "No minimum-living standard is recorded for region %(region)s or a region enclosing it "
        "in %(year)s."
    ) % {"region": region, "year": year}
    raise ApplicationError(
        message, code="no_standard", status=422, details=[{"field": "region", "error": message}]
    )


def assess(*, region: str, year: int, members: Sequence[Member], sudden_event: bool) -> Assessment:
    standard = standard_for(region, year)
    return categorise(
        members,
        standard=standard.monthly_minimum,
        edge_multiple=standard.edge_multiple,
        sudden_event=sudden_event,
    )
