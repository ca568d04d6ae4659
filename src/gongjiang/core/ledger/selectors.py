"""Reads of funds: the list, one fund, its balance, its entries and a statement for a period —
each starting from ``visible_to(actor)`` (out of scope answers like missing: 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from ..access import get_visible_or_404
from .models import Fund, LedgerEntry


def fund_list(*, actor: Any) -> QuerySet[Fund]:
    return Fund.objects.visible_to(actor).select_related("organization")


def fund_get(*, actor: Any, code: str) -> Fund:
    return get_visible_or_404(Fund.objects.select_related("organization"), actor, code=code)


def fund_balance(*, actor: Any, fund: Fund) -> Decimal:
    """The balance on the fund row (what the services keep current)."""
    return fund_get(actor=actor, code=fund.code).balance


def ledger_entries(*, actor: Any, fund: Fund) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.visible_to(actor, "core.view_fund")
        .filter(fund=fund)
        .select_related("actor", "content_type", "reverses")
        .order_by("id")
    )


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass
class Statement:
    """A fund's account of one period (days ``since`` to ``until``, both included)."""

    fund: Fund
    since: dt.date
    until: dt.date
    opening: Decimal
    credits: Decimal
    debits: Decimal
    closing: Decimal
    entries: list[LedgerEntry] = field(default_factory=list)


def fund_statement(*, actor: Any, fund: Fund, since: dt.date, until: dt.date) -> Statement:
    """Opening balance, the period's entries with their totals, closing balance (local days)."""
    fund = fund_get(actor=actor, code=fund.code)
    if until < since:
        since, until = until, since
    start, end = _start(since), _start(until + dt.timedelta(days=1))
    base = ledger_entries(actor=actor, fund=fund)
    before = base.filter(created_at__lt=start).order_by("-id").first()
    opening = before.balance_after if before is not None else Decimal("0.00")
    period = base.filter(created_at__gte=start, created_at__lt=end)
    totals = period.aggregate(
        credits=Sum("amount", filter=Q(kind=LedgerEntry.Kind.CREDIT)),
        debits=Sum("amount", filter=Q(kind=LedgerEntry.Kind.DEBIT)),
    )
    credits = totals["credits"] or Decimal("0.00")
    debits = totals["debits"] or Decimal("0.00")
    return Statement(
        fund=fund,
        since=since,
        until=until,
        opening=opening,
        credits=credits,
        debits=debits,
        closing=opening + credits - debits,
        entries=list(period),
    )
