"""The contest's rollups checked against, and rebuilt from, the entries themselves.

``campaign_tallies_verify`` recounts every organisation's entries and every province's and city's
subtree (``CampaignAreaTally.AREA_DEPTHS``) from ``ContestEntry`` in one consistent snapshot and
compares them, row for row and to the fen, with the tallies the service keeps. ``campaign_tallies_
rebuild`` writes the tallies afresh from the entries, set-based (after a restore, or for a data set
loaded in bulk). Command: ``gongjiang members_campaign_tallies <code> [--rebuild]``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Length, Substr

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.models import Organization

from .models import Campaign, CampaignAreaTally, CampaignOrgTally, ContestEntry

MANAGE = "members.manage_activity"
Figures = dict[str, tuple[int, Decimal]]


def _recount_units(campaign: Campaign) -> Figures:
    rows = (
        ContestEntry.objects.filter(campaign=campaign)
        .values("organization__path")
        .annotate(n=Count("id"), s=Sum("score"))
        .order_by()
    )
    return {r["organization__path"]: (r["n"], r["s"] or Decimal("0")) for r in rows}


def _areas_from(units: Figures) -> Figures:
    """Each province's and city's subtree totals, summed from per-unit figures."""
    out: dict[str, tuple[int, Decimal]] = {}
    step = Organization.SEGMENT
    for path, (n, s) in units.items():
        for depth in CampaignAreaTally.AREA_DEPTHS:
            width = (depth + 1) * step
            if len(path) >= width:
                key = path[:width]
                m, t = out.get(key, (0, Decimal("0")))
                out[key] = (m + n, t + s)
    return out


def _repeatable_read() -> bool:
    """Both reads in one snapshot while entries keep coming (PostgreSQL, when this is the outermost
    transaction — inside a request's or a test's transaction the isolation level is already set,
    and an entry committed between the two reads may show as a difference: check again)."""
    if connection.vendor != "postgresql":
        return True  # SQLite: one writer at a time, the transaction sees one state
    if connection.in_atomic_block:
        return False
    return True


def campaign_tallies_verify(*, campaign: Campaign) -> dict[str, Any]:
    """Recount from the entries and compare with both levels of tallies; lists the differences."""
    snapshot = _repeatable_read()
    with transaction.atomic():
        if snapshot and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        units = _recount_units(campaign)
        # the area recount groups the entries by their province's / city's path in the database
        areas: Figures = {}
        for depth in CampaignAreaTally.AREA_DEPTHS:
            width = (depth + 1) * Organization.SEGMENT
            rows = (
                ContestEntry.objects.filter(campaign=campaign)
                .annotate(plen=Length("organization__path"))
                .filter(plen__gte=width)
                .annotate(area=Substr("organization__path", 1, width))
                .values("area")
                .annotate(n=Count("id"), s=Sum("score"))
                .order_by()
            )
            areas.update({r["area"]: (r["n"], r["s"] or Decimal("0")) for r in rows})
        kept_units = {
            r[0]: (r[1], r[2])
            for r in CampaignOrgTally.objects.filter(campaign=campaign).values_list(
                "path", "participants", "total_score"
            )
        }
        kept_areas = {
            r[0]: (r[1], r[2])
            for r in CampaignAreaTally.objects.filter(campaign=campaign).values_list(
                "path", "participants", "total_score"
            )
        }
    zero = (0, Decimal("0"))
    mismatches = []
    for level, counted, kept in (("unit", units, kept_units), ("area", areas, kept_areas)):
        for path in sorted(set(counted) | set(kept)):
            a, b = counted.get(path, zero), kept.get(path, zero)
            if a[0] != b[0] or a[1] != b[1]:
                mismatches.append(
                    {"level": level, "path": path, "counted": list(a), "kept": list(b)}
                )
    return {
        "participants": sum(n for n, _s in units.values()),
        "unit_rows": len(set(units) | set(kept_units)),
        "area_rows": len(set(areas) | set(kept_areas)),
        "mismatches": mismatches,
        "snapshot": snapshot,
    }


def campaign_tallies_rebuild(*, actor: Any, campaign: Campaign) -> dict[str, int]:
    """Write both levels of tallies afresh from the entries. Locks the campaign row FOR UPDATE,
    which on PostgreSQL also holds back new entries (their foreign key takes a KEY SHARE lock on
    it) until the rebuild commits."""
    access.require(actor, MANAGE, campaign.organization)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        units = _recount_units(campaign)
        areas = _areas_from(units)
        orgs = dict(
            Organization.objects.filter(path__in=[*units, *areas]).values_list("path", "pk")
        )
        CampaignOrgTally.objects.filter(campaign=campaign).delete()
        CampaignAreaTally.objects.filter(campaign=campaign).delete()
        CampaignOrgTally.objects.bulk_create(
            [
                CampaignOrgTally(
                    campaign=campaign,
                    organization_id=orgs[p],
                    path=p,
                    participants=n,
                    total_score=s,
                )
                for p, (n, s) in units.items()
            ],
            batch_size=5000,
        )
        CampaignAreaTally.objects.bulk_create(
            [
                CampaignAreaTally(
                    campaign=campaign,
                    organization_id=orgs[p],
                    path=p,
                    depth=len(p) // Organization.SEGMENT - 1,
                    participants=n,
                    total_score=s,
                )
                for p, (n, s) in areas.items()
                if p in orgs
            ],
            batch_size=5000,
        )
        audit(
            actor=actor,
            action="members.campaign_tallies_rebuild",
            obj=campaign,
            organization=campaign.organization,
            details={"units": len(units), "areas": len(areas)},
        )
    return {"unit_rows": len(units), "area_rows": len(areas)}
