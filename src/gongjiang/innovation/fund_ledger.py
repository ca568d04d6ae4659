"""The ledger of a reward fund (奖励基金明细账): its entries one by one, read from the core ledger
(``core.ledger``: append-only, each entry with the balance it left).

Each entry is told by what it concerns:

* ``award`` — an award payment (``awards.award_pay``: a debit about a team member of the result);
* ``revenue`` — a revenue share paid (``revenue.revenue_year_pay``: a debit about a part);
* ``correction`` — the repayment of a corrected paid year (``revenue_corrections``): the
  reversal of a replaced part (a credit, 红字冲销) and the debit of its corrected part (蓝字重记);
* ``budget`` — money put into the fund (a credit about nothing: a grant, an allocation);
* ``other`` — anything else another app posted on the fund.

Scope: the fund is one the viewer sees (``fund_budgets.reward_fund_get``, 404 otherwise) and the
entries are read with ``LedgerEntry.objects.visible_to(actor, core.view_fund)``. The worker an
entry concerns is named only to a viewer who may see that worker's record
(``Worker.objects.visible_to``); anyone else sees the masked name (``core.validators.mask_name``,
the platform's one name mask) and no code. The memo of an entry is never shown: the innovation
services write the worker's full name into it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjiang.core.ledger.models import Fund, LedgerEntry
from gongjiang.core.validators import mask_name
from gongjiang.workforce.models import Worker

from .fund_budgets import VIEW
from .models import Result, RevenuePart, TeamMember

KINDS = ("award", "revenue", "correction", "budget", "other")


def kind_labels() -> dict[str, str]:
    return {
        "award": _("award payment"),
        "revenue": _("revenue share"),
        "correction": _("correction repayment"),
        "budget": pgettext("fund ledger", "money in (budget)"),
        "other": pgettext("fund ledger", "other entry"),
    }


@dataclass(frozen=True)
class Line:
    """One entry of the fund as the viewer may see it."""

    code: str
    at: Any  # datetime of the posting
    kind: str
    kind_label: str
    credit: bool
    amount: Decimal  # positive, to the fen
    balance: Decimal  # the fund's balance after the entry
    result: str  # title of the result it concerns ("" if none or not visible)
    worker: str  # the worker's name, masked unless the viewer may see the worker
    worker_code: str  # "" when masked
    reference: str
    reversed: bool  # a later entry reverses this one
    reversal: bool  # this entry reverses an earlier one

    @property
    def signed(self) -> Decimal:
        return self.amount if self.credit else -self.amount


def entries(*, actor: Any, fund: Fund) -> QuerySet[LedgerEntry]:
    """The fund's entries the viewer sees, newest first (``fund`` already read in scope)."""
    return (
        LedgerEntry.objects.visible_to(actor, VIEW)
        .filter(fund=fund)
        .select_related("content_type")
        .order_by("-id")
    )


def _subjects(
    actor: Any, rows: list[LedgerEntry]
) -> tuple[dict[str, TeamMember], dict[str, RevenuePart], set[int], set[int]]:
    """What the entries concern, fetched in a few queries: team members, revenue parts, and the
    workers and results among them that the viewer may see."""
    member_ct = ContentType.objects.get_for_model(TeamMember)
    part_ct = ContentType.objects.get_for_model(RevenuePart)
    member_codes = {e.object_code for e in rows if e.content_type_id == member_ct.pk}
    part_codes = {e.object_code for e in rows if e.content_type_id == part_ct.pk}
    members = {
        m.code: m
        for m in TeamMember.objects.filter(code__in=member_codes).select_related("worker", "result")
    }
    parts = {
        p.code: p
        for p in RevenuePart.objects.filter(code__in=part_codes).select_related(
            "worker", "year__scheme__result"
        )
    }
    worker_ids = {m.worker_id for m in members.values()} | {p.worker_id for p in parts.values()}
    result_ids = {m.result_id for m in members.values()} | {
        p.year.scheme.result_id for p in parts.values()
    }
    seen_workers = set(
        Worker.objects.visible_to(actor).filter(pk__in=worker_ids).values_list("pk", flat=True)
    )
    seen_results = set(
        Result.objects.visible_to(actor).filter(pk__in=result_ids).values_list("pk", flat=True)
    )
    return members, parts, seen_workers, seen_results


def lines(*, actor: Any, rows: Iterable[LedgerEntry]) -> list[Line]:
    """The entries told for the viewer (one batch: a page, or a chunk of the export)."""
    rows = list(rows)
    if not rows:
        return []
    members, parts, seen_workers, seen_results = _subjects(actor, rows)
    reversed_ids = set(
        LedgerEntry.objects.filter(reverses_id__in=[e.pk for e in rows]).values_list(
            "reverses_id", flat=True
        )
    )
    labels = kind_labels()
    out = []
    for e in rows:
        worker = result = None
        kind = "other"
        member = members.get(e.object_code) if e.content_type_id else None
        part = parts.get(e.object_code) if e.content_type_id else None
        if member is not None and e.content_type.model == "teammember":
            worker, result = member.worker, member.result
            kind = "award" if e.reverses_id is None else "other"
        elif part is not None and e.content_type.model == "revenuepart":
            worker, result = part.worker, part.year.scheme.result
            corrected = e.reverses_id is not None or part.correction_id is not None
            kind = "correction" if corrected else "revenue"
        elif e.content_type_id is None and e.kind == LedgerEntry.Kind.CREDIT and not e.reverses_id:
            kind = "budget"
        visible = worker is not None and worker.pk in seen_workers
        out.append(
            Line(
                code=e.code,
                at=e.created_at,
                kind=kind,
                kind_label=labels[kind],
                credit=e.kind == LedgerEntry.Kind.CREDIT,
                amount=e.amount,
                balance=e.balance_after,
                result=result.title if result is not None and result.pk in seen_results else "",
                worker=(worker.name if visible else mask_name(worker.name)) if worker else "",
                worker_code=worker.code if visible and worker else "",
                reference=e.reference,
                reversed=e.pk in reversed_ids,
                reversal=e.reverses_id is not None,
            )
        )
    return out


def all_lines(*, actor: Any, fund: Fund, chunk: int = 500) -> Iterator[Line]:
    """Every entry, oldest first (the export: an account book), told a chunk at a time."""
    qs = entries(actor=actor, fund=fund).order_by("id")
    batch: list[LedgerEntry] = []
    for entry in qs.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            yield from lines(actor=actor, rows=batch)
            batch = []
    if batch:
        yield from lines(actor=actor, rows=batch)
