"""Rollout tracking: which organisations reached which milestone by a given date ("18 of 31")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import pgettext

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.models import Organization

from .models import MilestoneType, RolloutMilestone


@transaction.atomic
def milestone_type_save(
    *, actor: Any, code: str, name: str, position: int = 0, is_active: bool = True
) -> MilestoneType:
    """Milestone types are shared by every organisation: only a national-level officer configures them."""
    roots = Organization.objects.filter(parent__isnull=True, kind="national")
    if not any(access.can(actor, "reform.rollout", r) for r in roots) and not getattr(
        actor, "is_superuser", False
    ):
        raise PermissionDenied("reform.rollout")
    mt = MilestoneType.objects.filter(code=code).first() or MilestoneType(code=code)
    mt.name, mt.position, mt.is_active = name, position, is_active
    mt.full_clean()
    mt.save()
    audit_record(actor=actor, action="reform.milestone_type.save", obj=mt, details={"name": name})
    return mt


@transaction.atomic
def rollout_record(
    *,
    actor: Any,
    organization: Organization,
    milestone_type: MilestoneType,
    reached_on: dt.date,
    document: str = "",
    note: str = "",
    file: Any = None,
) -> RolloutMilestone:
    """Record (or correct) the date an organisation reached a milestone."""
    access.require(actor, "reform.rollout", organization)
    row = RolloutMilestone.objects.filter(
        organization=organization, milestone_type=milestone_type
    ).first()
    row = row or RolloutMilestone(organization=organization, milestone_type=milestone_type)
    row.reached_on, row.document, row.note = reached_on, document, note
    row.full_clean()
    row.save()
    if file is not None:
        from .services import attachment_add

        attachment_add(actor=actor, organization=organization, file=file, milestone=row)
    audit_record(
        actor=actor,
        action="reform.rollout.record",
        obj=row,
        organization=organization,
        details={"milestone": milestone_type.code, "reached_on": reached_on},
    )
    return row


@transaction.atomic
def rollout_remove(*, actor: Any, milestone: RolloutMilestone) -> None:
    access.require(actor, "reform.rollout", milestone.organization)
    audit_record(
        actor=actor,
        action="reform.rollout.remove",
        obj=milestone,
        organization=milestone.organization,
        details={"milestone": milestone.milestone_type.code},
    )
    milestone.delete()


@dataclass
class RolloutColumn:
    milestone_type: MilestoneType
    reached: list[Organization] = field(default_factory=list)
    missing: list[Organization] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.reached)


@dataclass
class RolloutOverview:
    parent: Organization
    on: dt.date
    units: list[Organization]
    columns: list[RolloutColumn]
    matrix: list[tuple[Organization, list[RolloutMilestone | None]]]

    @property
    def total(self) -> int:
        return len(self.units)


def rollout_units(parent: Organization, kind: str | None = None) -> Any:
    """The organisations an overview counts: the parent's direct children (not departments)."""
    qs = Organization.objects.filter(parent=parent, is_active=True).exclude(kind="department")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region_id", "path")


def rollout_overview(
    *, actor: Any, parent: Organization, on: dt.date, kind: str | None = None
) -> RolloutOverview:
    """How many of ``parent``'s children reached each milestone on ``on`` and who has not.
    The caller fetched ``parent`` through ``visible_to``; children outside the actor's scope are left out."""
    units = list(
        rollout_units(parent, kind).filter(
            pk__in=Organization.objects.visible_to(actor, "reform.view").values("pk")
        )
    )
    types = list(MilestoneType.objects.filter(is_active=True))
    reached: dict[tuple[int, int], RolloutMilestone] = {
        (m.organization_id, m.milestone_type_id): m
        for m in RolloutMilestone.objects.filter(
            organization__in=units, reached_on__lte=on
        ).prefetch_related("attachments")
    }
    columns = []
    for mt in types:
        col = RolloutColumn(mt)
        for unit in units:
            (col.reached if (unit.pk, mt.pk) in reached else col.missing).append(unit)
        columns.append(col)
    matrix = [(u, [reached.get((u.pk, mt.pk)) for mt in types]) for u in units]
    return RolloutOverview(parent=parent, on=on, units=units, columns=columns, matrix=matrix)


def rollout_chart(overview: RolloutOverview) -> dict[str, Any]:
    """ECharts option for a bar chart: reached vs not yet, per milestone."""
    names = [c.milestone_type.name for c in overview.columns]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [pgettext("reform", "reached"), pgettext("reform", "not yet")]},
        "grid": {"left": 40, "right": 20, "bottom": 80},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 20}},
        "yAxis": {"type": "value", "max": overview.total, "minInterval": 1},
        "series": [
            {
                "name": pgettext("reform", "reached"),
                "type": "bar",
                "stack": "t",
                "data": [c.count for c in overview.columns],
                "label": {"show": True},
            },
            {
                "name": pgettext("reform", "not yet"),
                "type": "bar",
                "stack": "t",
                "data": [len(c.missing) for c in overview.columns],
            },
        ],
    }
