"""Who sees what in the reform app (the ``visible_to`` of each model).

* A plan is visible to users whose scope covers its owner; to users whose scope covers the owner of
  a plan derived from it, directly or through several levels (read-only for them); and to users
  whose scope covers a lead or cooperating unit of one of its tasks (read-only).
* Items and progress reports follow their plan.
* Findings, rectifications, notices and escalations have two sides (the body that acts and the
  unit concerned): either side's scope sees them.
* An inspection is visible to the inspecting body's scope and to the scope of each organisation visited.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gongjiang.core.access import scope_paths
from gongjiang.core.scoping import ScopedQuerySet, prefix_q

VIEW = "reform.view"


def visible_plan_ids(user: Any, perm: str | None = None) -> set[int] | None:
    """Ids of the plans ``user`` may read; None means every plan (superuser)."""
    from .models import Plan, PlanItem

    paths = scope_paths(user, perm or VIEW)
    if paths is None:
        return None
    ids = set(
        Plan.objects.filter(prefix_q("organization__path", paths)).values_list("id", flat=True)
    )
    ids |= set(
        PlanItem.objects.filter(
            prefix_q("lead_unit__path", paths) | prefix_q("cooperating_units__path", paths)
        )
        .values_list("plan_id", flat=True)
        .distinct()
    )
    frontier = set(ids)
    while frontier:  # the plans they derive from, any number of levels up
        parents = (
            set(
                Plan.objects.filter(pk__in=frontier, parent__isnull=False).values_list(
                    "parent_id", flat=True
                )
            )
            - ids
        )
        ids |= parents
        frontier = parents
    return ids


class PlanQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        ids = visible_plan_ids(user, perm)
        return self.all() if ids is None else self.filter(pk__in=ids)


class ViaPlanQuerySet(ScopedQuerySet):
    """Rows that belong to a plan (``PLAN_FIELD``) follow the plan's visibility."""

    plan_field = "task__plan_id"

    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        ids = visible_plan_ids(user, perm)
        return self.all() if ids is None else self.filter(**{f"{self.plan_field}__in": ids})


class PlanItemQuerySet(ViaPlanQuerySet):
    plan_field = "plan_id"

    def tasks(self) -> Any:
        return self.filter(kind="task")


class TwoSidedQuerySet(ScopedQuerySet):
    """Visible to the scope of any of the model's ``SIDES`` (organisation path lookups)."""

    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        paths = scope_paths(user, perm or VIEW)
        if paths is None:
            return self.all()
        q = models.Q(pk__in=[])
        for side in self.model.SIDES:
            q |= prefix_q(side, paths)
        return self.filter(q)


class InspectionQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        paths = scope_paths(user, perm or VIEW)
        if paths is None:
            return self.all()
        visited = self.model.visited.through.objects.filter(prefix_q("organization__path", paths))
        return self.filter(
            prefix_q("organization__path", paths) | models.Q(pk__in=visited.values("inspection_id"))
        )


class ReformScopedQuerySet(ScopedQuerySet):
    """Organisation-scoped rows read with the app's one view permission."""

    def default_perm(self) -> str:
        return VIEW
