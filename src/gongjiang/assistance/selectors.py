"""Reads of the assistance app: every list starts from ``visible_to`` under the hardship-data
permission, so the counts a viewer sees are the counts of what they may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.ledger.models import Fund, LedgerEntry

from .models import (
    VIEW,
    ZERO,
    Campaign,
    FileDocument,
    HardshipFile,
    Reassessment,
    Standard,
    SupportLine,
    SupportRecord,
    Visit,
)

CENT = Decimal("0.01")
NOTICE_ENDING_DAYS = 2
VERIFY_SOON_DAYS = 30


def require_view(actor: Any) -> None:
    """Anyone without the hardship-data permission gets 404, as if nothing were here."""
    if not access.can(actor, VIEW):
        raise Http404("assistance")


def files(*, actor: Any) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.visible_to(actor).select_related("organization", "notice")


def file_get(*, actor: Any, code: str) -> HardshipFile:
    return get_visible_or_404(
        HardshipFile.objects.select_related("organization", "worker", "notice"), actor, code=code
    )


def own_file_get(*, actor: Any, code: str) -> HardshipFile:
    found = (
        HardshipFile.objects.select_related("organization", "worker", "notice")
        .filter(code=code, worker__user_id=getattr(actor, "pk", None))
        .first()
    )
    if found is None or not getattr(actor, "is_authenticated", False):
        raise Http404("file")
    return found


def own_files(*, actor: Any) -> QuerySet[HardshipFile]:
    if not getattr(actor, "is_authenticated", False):
        return HardshipFile.objects.none()
    return HardshipFile.objects.filter(worker__user_id=actor.pk).select_related("notice")


def document_get(*, actor: Any, code: str) -> FileDocument:
    return get_visible_or_404(FileDocument.objects.select_related("file"), actor, code=code)


def standards() -> QuerySet[Standard]:
    return Standard.objects.select_related("region").order_by("-year", "region_id")


def reassessments(*, actor: Any) -> QuerySet[Reassessment]:
    return Reassessment.objects.visible_to(actor).select_related("file", "standard")


def lines_for(*, actor: Any, file: HardshipFile | None = None) -> QuerySet[SupportLine]:
    qs = SupportLine.objects.visible_to(actor).filter(is_active=True)
    if file is not None:
        # a file may use the lines of its union and of the unions above it
        path = file.organization.path
        step = 7
        qs = SupportLine.objects.filter(
            is_active=True,
            organization__path__in=[path[: i + step] for i in range(0, len(path), step)],
        )
    return qs.select_related("organization")


def line_get(*, actor: Any, code: str) -> SupportLine:
    return get_visible_or_404(SupportLine.objects.select_related("organization"), actor, code=code)


def support_records(*, actor: Any) -> QuerySet[SupportRecord]:
    return SupportRecord.objects.visible_to(actor).select_related("line", "file", "fund")


def support_get(*, actor: Any, code: str) -> SupportRecord:
    return get_visible_or_404(
        SupportRecord.objects.select_related("line", "file", "organization"), actor, code=code
    )


def funds_for(*, actor: Any) -> QuerySet[Fund]:
    require_view(actor)
    return Fund.objects.visible_to(actor, "core.view_fund").select_related("organization")


def fund_get(*, actor: Any, code: str) -> Fund:
    require_view(actor)
    return get_visible_or_404(
        Fund.objects.select_related("organization"), actor, "core.view_fund", code=code
    )


def campaigns(*, actor: Any) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(actor).select_related("organization", "fund")


def campaign_get(*, actor: Any, code: str) -> Campaign:
    return get_visible_or_404(
        Campaign.objects.select_related("organization", "fund"), actor, code=code
    )


def visits(*, actor: Any, campaign: Campaign) -> QuerySet[Visit]:
    return Visit.objects.visible_to(actor).filter(campaign=campaign).select_related("file")


# ------------------------------------------------------------------------------- to-dos
def files_to_check(*, actor: Any) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.visible_to(actor, "assistance.check").filter(
        status=HardshipFile.Status.APPLIED
    )


def files_to_approve(*, actor: Any) -> QuerySet[HardshipFile]:
    today = timezone.localdate()
    return HardshipFile.objects.visible_to(actor, "assistance.approve").filter(
        status=HardshipFile.Status.NOTICE, notice__ends_on__lt=today
    )


def verifications_due(*, actor: Any, on: dt.date | None = None) -> QuerySet[HardshipFile]:
    day = (on or timezone.localdate()) + dt.timedelta(days=VERIFY_SOON_DAYS)
    return HardshipFile.objects.visible_to(actor, "assistance.check").filter(
        status=HardshipFile.Status.FILED, verify_due_on__lte=day
    )


def notices_ending(*, actor: Any, on: dt.date | None = None) -> QuerySet[HardshipFile]:
    day = on or timezone.localdate()
    return HardshipFile.objects.visible_to(actor).filter(
        status=HardshipFile.Status.NOTICE,
        notice__ends_on__gte=day,
        notice__ends_on__lte=day + dt.timedelta(days=NOTICE_ENDING_DAYS),
    )


# ------------------------------------------------------------------------------ reports
def dashboard(*, actor: Any) -> dict[str, Any]:
    qs = files(actor=actor)
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    by_category = dict(
        qs.filter(status=HardshipFile.Status.FILED)
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    filed = by_status.get(HardshipFile.Status.FILED, 0)
    exited = by_status.get(HardshipFile.Status.EXITED, 0)
    return {
        "by_status": by_status,
        "by_category": by_category,
        "filed": filed,
        "exited": exited,
        "exit_rate": exit_rate(filed, exited),
        "pending_reassessments": reassessments(actor=actor)
        .filter(status=Reassessment.Status.PENDING)
        .count(),
    }


def exit_rate(filed: int, exited: int) -> Decimal:
    """脱困率: exited files as a share of files filed or exited, in percent with one decimal."""
    total = filed + exited
    if not total:
        return Decimal("0.0")
    return (Decimal(exited) * 100 / total).quantize(Decimal("0.1"))


def support_by(*, actor: Any, year: int, field: str) -> list[dict[str, Any]]:
    """Recipients (households) and amounts paid, by line, region or category, for a year."""
    key = {"line": "line__name", "region": "file__region__name", "category": "file__category"}[
        field
    ]
    rows = (
        support_records(actor=actor)
        .filter(year=year, status=SupportRecord.Status.PAID)
        .values(key)
        .annotate(households=Count("file", distinct=True), amount=Sum("amount"), n=Count("id"))
        .order_by(key)
    )
    return [
        {
            "key": r[key] or "",
            "households": r["households"],
            "records": r["n"],
            "amount": (r["amount"] or ZERO).quantize(CENT),
        }
        for r in rows
    ]


def money_per_fund(*, actor: Any, year: int) -> list[dict[str, Any]]:
    """Money received (credits) and spent (debits, net of reversals) per fund in a year."""
    out = []
    for fund in funds_for(actor=actor):
        entries = LedgerEntry.objects.filter(fund=fund, created_at__year=year)
        sums = entries.aggregate(
            credits=Sum("amount", filter=Q(kind="credit", reverses__isnull=True)),
            debits=Sum("amount", filter=Q(kind="debit", reverses__isnull=True)),
            back=Sum("amount", filter=Q(reverses__isnull=False, kind="credit")),
            undone=Sum("amount", filter=Q(reverses__isnull=False, kind="debit")),
        )
        received = (sums["credits"] or ZERO) - (sums["undone"] or ZERO)
        spent = (sums["debits"] or ZERO) - (sums["back"] or ZERO)
        out.append(
            {
                "fund": fund,
                "received": received.quantize(CENT),
                "spent": spent.quantize(CENT),
                "balance": fund.balance,
            }
        )
    return out
