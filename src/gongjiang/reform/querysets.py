"""Who sees what in the reform app (the ``visible_to`` of each model).

* A plan is visible to users whose scope covers its owner; to users whose scope covers the owner of
  a plan derived from it, directly or through several levels (read-only for them); and to users
  whose scope covers a lead or cooperating unit of one of its tasks (read-only).
* Items and progress reports follow their plan.
* Findings, rectifications, notices and escalations have two sides (the body that acts and the
  unit concerned): either side's scope sees them.
* An inspection is visible to the inspecting body's scope and to the scope of each organisation visited.

The plan rules (``visible_plan_ids``, ``PlanQuerySet``, ``ViaPlanQuerySet``) read Plan and PlanItem,
so they live beside them in ``models.py``; this module sits below the model modules.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gongjiang.core.access import scope_paths
from gongjiang.core.scoping import ScopedQuerySet, prefix_q

VIEW = "reform.view"


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
