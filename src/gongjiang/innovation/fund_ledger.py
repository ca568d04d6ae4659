"""The ledger of a reward fund (奖励基金明细账): its entries one by one, read from the core ledger
(``core.ledger``: append-only, each entry with the balance it left).

Each entry is told by what it concerns:

* ``award`` — an award payment (``awards.award_pay``: a debit about a team member of the result);
* ``revenue`` — a revenue share paid (``revenue.revenue_year_pay``: a debit about a part);
* ``correction`` — the repayment of a corrected paid year (``revenue_corrections``): the
  reversal of a replaced part (a credit, 红字冲销) and the debit of its corrected part (蓝字重记);
* ``budget`` — money put into the fund (a credit about nothing: a grant, an allocation);
* ``other`` — anything else another app posted on the fund.

Filters (the page, its Excel file and ``GET /api/v1/innovation/funds/{code}/ledger`` alike,
:class:`Filters` checked by :func:`filters_clean`): the calendar year the entry was posted in (local
time, the same bounds as a year's budget use), the kind above (told in SQL by :func:`kind_q`,
exactly as :func:`lines` tells it), the worker and the result it concerns. A worker or a result
the viewer may not see matches nothing (a code never uncovers a masked entry). The running balance
of a line is the fund's balance after that entry in the whole ledger (``balance_after``), never
recomputed within the filter: filtered lines keep the balances they have in the full ledger.

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
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjiang.core.errors import field_error
from gongjiang.core.ledger.models import Fund, LedgerEntry
from gongjiang.core.validators import mask_name
from gongjiang.workforce.models import Worker

from .fund_budgets import MAX_YEAR, MIN_YEAR, VIEW, year_bounds
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
    result_code: str  # "" if none or not visible
    worker: str  # the worker's name, masked unless the viewer may see the worker
    worker_code: str  # "" when masked
    reference: str
    reversed: bool  # a later entry reverses this one
    reversal: bool  # this entry reverses an earlier one

    @property
    def signed(self) -> Decimal:
        return self.amount if self.credit else -self.amount


@dataclass(frozen=True)
class Filters:
    """What the ledger is narrowed to (each empty: no narrowing)."""

    year: int | None = None
    kind: str = ""
    worker: str = ""  # a worker's code
    result: str = ""  # a result's code

    def params(self) -> dict[str, Any]:
        """The filters that are set, as query parameters (the export's and the pager's)."""
        out: dict[str, Any] = {"year": self.year} if self.year is not None else {}
        out.update(
            {
                k: v
                for k, v in (("kind", self.kind), ("worker", self.worker), ("result", self.result))
                if v
            }
        )
        return out


#: the longest code a worker or a result filter may name
CODE_MAX = 20


def filters_clean(
    *, year: Any = None, kind: Any = "", worker: Any = "", result: Any = ""
) -> Filters:
    """Check the filters as given (a query string, the export's job parameters): a year between
    2000 and 2100, one of :data:`KINDS`, codes of at most 20 characters; anything else is refused
    with 422 naming the field, never cut or ignored."""
    if year in (None, ""):
        year_value = None
    else:
        try:
            year_value = int(str(year).strip())
        except ValueError:
            raise field_error(
                "year", _("A year such as 2026."), "invalid_year", status=422
            ) from None
        if not MIN_YEAR <= year_value <= MAX_YEAR:
            raise field_error(
                "year", _("A year between 2000 and 2100."), "invalid_year", status=422
            )
    kind = str(kind or "").strip()
    if kind and kind not in KINDS:
        raise field_error("kind", _("Unknown kind of entry."), "invalid_kind", status=422)
    codes = {}
    for name, value in (("worker", worker), ("result", result)):
        code = str(value or "").strip()
        if len(code) > CODE_MAX:
            raise field_error(
                name,
                _("At most %(n)s characters.") % {"n": CODE_MAX},
                "too_long",
                status=422,
            )
        codes[name] = code
    return Filters(year=year_value, kind=kind, **codes)


def kind_q(kind: str) -> Q:
    """The entries of one kind, in SQL: the same rule as :func:`lines` (tests hold them equal)."""
    member_ct = ContentType.objects.get_for_model(TeamMember)
    part_ct = ContentType.objects.get_for_model(RevenuePart)
    award = Q(
        content_type=member_ct,
        reverses__isnull=True,
        object_code__in=TeamMember.objects.values("code"),
    )
    any_part = Q(content_type=part_ct, object_code__in=RevenuePart.objects.values("code"))
    corrected_part = Q(
        object_code__in=RevenuePart.objects.filter(correction__isnull=False).values("code")
    )
    correction = any_part & (Q(reverses__isnull=False) | corrected_part)
    revenue = any_part & Q(reverses__isnull=True) & ~corrected_part
    budget = Q(content_type__isnull=True, kind=LedgerEntry.Kind.CREDIT, reverses__isnull=True)
    told = {"award": award, "revenue": revenue, "correction": correction, "budget": budget}
    if kind == "other":
        return ~(award | correction | revenue | budget)
    return told[kind]


def _concerning(*, actor: Any, worker: str, result: str) -> Q:
    """Entries about the worker and/or the result named; one the viewer may not see: none."""
    member_ct = ContentType.objects.get_for_model(TeamMember)
    part_ct = ContentType.objects.get_for_model(RevenuePart)
    members = TeamMember.objects.all()
    parts = RevenuePart.objects.all()
    if worker:
        seen = Worker.objects.visible_to(actor).filter(code=worker).values("pk")
        members, parts = members.filter(worker__in=seen), parts.filter(worker__in=seen)
    if result:
        seen = Result.objects.visible_to(actor).filter(code=result).values("pk")
        members = members.filter(result__in=seen)
        parts = parts.filter(year__scheme__result__in=seen)
    return Q(content_type=member_ct, object_code__in=members.values("code")) | Q(
        content_type=part_ct, object_code__in=parts.values("code")
    )


def entries(*, actor: Any, fund: Fund, filters: Filters | None = None) -> QuerySet[LedgerEntry]:
    """The fund's entries the viewer sees, newest first (``fund`` already read in scope),
    narrowed by ``filters``."""
    qs = (
        LedgerEntry.objects.visible_to(actor, VIEW)
        .filter(fund=fund)
        .select_related("content_type")
        .order_by("-id")
    )
    f = filters or Filters()
    if f.year is not None:
        start, end = year_bounds(f.year)
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    if f.kind:
        qs = qs.filter(kind_q(f.kind))
    if f.worker or f.result:
        qs = qs.filter(_concerning(actor=actor, worker=f.worker, result=f.result))
    return qs


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
                result_code=result.code if result is not None and result.pk in seen_results else "",
                worker=(worker.name if visible else mask_name(worker.name)) if worker else "",
                worker_code=worker.code if visible and worker else "",
                reference=e.reference,
                reversed=e.pk in reversed_ids,
                reversal=e.reverses_id is not None,
            )
        )
    return out


def all_lines(
    *, actor: Any, fund: Fund, filters: Filters | None = None, chunk: int = 500
) -> Iterator[Line]:
    """Every entry (of the filter), oldest first (the export: an account book), a chunk at a time."""
    qs = entries(actor=actor, fund=fund, filters=filters).order_by("id")
    batch: list[LedgerEntry] = []
    for entry in qs.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) >= chunk:
            yield from lines(actor=actor, rows=batch)
            batch = []
    if batch:
        yield from lines(actor=actor, rows=batch)
