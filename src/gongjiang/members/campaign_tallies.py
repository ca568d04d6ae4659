"""The contest's rollups: kept by folding queued entries, checked against and rebuilt from the
entries themselves.

An entry does not touch the tallies: ``contest_submit`` queues one delta (``core.counters``,
target ``members.contest``: the unit, its path and the score) in the entry's transaction, and the
fold adds a batch of them to the province's and city's area rows and to the unit's row, one
upsert per table (``_expand``). ``campaign_tallies_verify`` folds the campaign's queue, then
recounts every organisation's entries and every province's and city's subtree
(``CampaignAreaTally.AREA_DEPTHS``) from ``ContestEntry`` in one consistent snapshot and compares
them, row for row and to the fen, with the tallies plus whatever is still queued.
``campaign_tallies_rebuild`` writes the tallies afresh from the entries, set-based (after a
restore, or for a data set loaded in bulk). Command: ``gongjiang members_campaign_tallies <code>
[--rebuild]``."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Length, Substr

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.counters import (
    CounterTable,
    Freshness,
    counter_delta_add,
    counter_target,
    counters_discard,
    counters_fold_all,
    counters_freshness,
    counters_unfolded,
    snapshot,
)
from gongjiang.core.models import Organization

from .audience import prefixes
from .models import Campaign, CampaignAreaTally, CampaignOrgTally, ContestEntry

MANAGE = "members.manage_activity"
Figures = dict[str, tuple[int, Decimal]]

TARGET = "members.contest"
AREAS = CounterTable(
    CampaignAreaTally,
    key=("campaign", "organization"),
    extra=("path", "depth"),
    sums=("participants", "total_score"),
)
UNITS = CounterTable(
    CampaignOrgTally,
    key=("campaign", "organization"),
    extra=("path",),
    sums=("participants", "total_score"),
)


def depth_of(path: str) -> int:
    return len(path) // Organization.SEGMENT - 1


def area_paths(path: str) -> list[str]:
    """The province's and city's paths above (or at) a unit's path."""
    return [p for p in prefixes(path) if depth_of(p) in CampaignAreaTally.AREA_DEPTHS]


def tally_queue(campaign: Campaign, organization: Organization, score: Decimal) -> None:
    """Queue one entry for the tallies (inside the entry's transaction: one INSERT)."""
    counter_delta_add(
        target=TARGET,
        scope=campaign.pk,
        payload={"o": organization.pk, "p": organization.path, "s": str(score)},
    )


def _expand(batch: list[tuple[int, Any]]) -> Iterator[tuple[CounterTable, tuple[Any, ...]]]:
    """Each entry: one participant and its score in its province's and city's area rows and in
    its unit's row (the areas' organisations found in one query for the batch)."""
    wanted = {a for _c, d in batch for a in area_paths(d["p"])}
    ids = dict(Organization.objects.filter(path__in=wanted).values_list("path", "pk"))
    for campaign_id, d in batch:
        score = Decimal(d["s"])
        for area in area_paths(d["p"]):
            if area in ids:
                yield AREAS, (campaign_id, ids[area], area, depth_of(area), 1, score)
        yield UNITS, (campaign_id, d["o"], d["p"], 1, score)


counter_target(TARGET, tables=[AREAS, UNITS], expand=_expand)


def tallies_freshness(campaign: Campaign) -> Freshness:
    """When the campaign's tallies were last folded and how many entries are not in them yet."""
    return counters_freshness(target=TARGET, scope=campaign.pk)


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


def _queued(campaign: Campaign) -> tuple[Figures, Figures]:
    """Units' and areas' figures of the entries still queued."""
    rows = counters_unfolded(target=TARGET, scope=campaign.pk)
    units = {head[2]: (n, s) for head, (n, s) in rows[UNITS].items()}
    areas = {head[2]: (n, s) for head, (n, s) in rows[AREAS].items()}
    return units, areas


def _plus(a: Figures, b: Figures) -> Figures:
    zero = (0, Decimal("0"))
    return {
        k: (a.get(k, zero)[0] + b.get(k, zero)[0], a.get(k, zero)[1] + b.get(k, zero)[1])
        for k in set(a) | set(b)
    }


def campaign_tallies_verify(*, campaign: Campaign) -> dict[str, Any]:
    """Fold the campaign's queued entries, then recount from the entries and compare with both
    levels of tallies (plus any entry queued meanwhile) in one snapshot; lists the differences."""
    counters_fold_all(target=TARGET, scope=campaign.pk)
    with snapshot() as consistent:
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
        queued_units, queued_areas = _queued(campaign)
        kept_units = _plus(
            {
                r[0]: (r[1], r[2])
                for r in CampaignOrgTally.objects.filter(campaign=campaign).values_list(
                    "path", "participants", "total_score"
                )
            },
            queued_units,
        )
        kept_areas = _plus(
            {
                r[0]: (r[1], r[2])
                for r in CampaignAreaTally.objects.filter(campaign=campaign).values_list(
                    "path", "participants", "total_score"
                )
            },
            queued_areas,
        )
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
        "pending": sum(n for n, _s in queued_units.values()),
        "mismatches": mismatches,
        "snapshot": consistent,
    }


def campaign_tallies_rebuild(*, actor: Any, campaign: Campaign) -> dict[str, int]:
    """Write both levels of tallies afresh from the entries. Locks the campaign row FOR UPDATE,
    which on PostgreSQL also holds back new entries (their foreign key takes a KEY SHARE lock on
    it) until the rebuild commits; the queued entries are counted by the recount, so their deltas
    are dropped."""
    access.require(actor, MANAGE, campaign.organization)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        counters_discard(target=TARGET, scope=campaign.pk)
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
