"""Yearly evaluation of the lead units of a plan with a configurable scoring scheme.

Four scores, each 0–100, combined as a weighted mean with the scheme's weights:

* completion — mean percentage done of the unit's tasks of the year (done counts 100);
* timeliness — share of its tasks that are on time on the evaluation date: not overdue, and if done,
  completed on or before the deadline;
* report quality — share of its reviewed reports accepted without ever being returned
  (0 when nothing was reported);
* inspection findings — 100 minus ``finding_penalty`` points for every problem found at the unit
  (or below it) during the year whose rectification is not closed (a serious problem counts twice),
  never below 0.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.models import Organization

from .models import Finding, Plan, PlanItem, ProgressReport, ScoringScheme


@dataclass
class UnitScore:
    unit: Organization
    tasks: int = 0
    completion: float = 0.0
    timeliness: float = 0.0
    quality: float = 0.0
    findings: float = 100.0
    open_problems: int = 0
    score: float = 0.0
    rank: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def default_scheme(organization: Organization) -> ScoringScheme:
    return ScoringScheme(organization=organization, name="默认方案")


@transaction.atomic
def scheme_save(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    w_completion: int,
    w_timeliness: int,
    w_quality: int,
    w_findings: int,
    finding_penalty: int = 20,
    scheme: ScoringScheme | None = None,
) -> ScoringScheme:
    if not access.can(actor, "reform.rollout", organization):
        raise PermissionDenied("reform.rollout")
    scheme = scheme or ScoringScheme(organization=organization)
    scheme.name, scheme.w_completion, scheme.w_timeliness = name, w_completion, w_timeliness
    scheme.w_quality, scheme.w_findings, scheme.finding_penalty = (
        w_quality,
        w_findings,
        finding_penalty,
    )
    scheme.full_clean()
    scheme.save()
    audit_record(
        actor=actor,
        action="reform.scheme.save",
        obj=scheme,
        organization=organization,
        details={"weights": [w_completion, w_timeliness, w_quality, w_findings]},
    )
    return scheme


def evaluate(
    *, plan: Plan, year: int, scheme: ScoringScheme, on: dt.date | None = None
) -> list[UnitScore]:
    """Rank the plan's lead units for ``year`` (the caller fetched ``plan`` through visible_to)."""
    on = on or min(dt.date(year, 12, 31), timezone.localdate())
    tasks = list(
        PlanItem.objects.filter(
            plan=plan, kind="task", year=year, lead_unit__isnull=False
        ).select_related("lead_unit")
    )
    by_unit: dict[int, list[PlanItem]] = defaultdict(list)
    units: dict[int, Organization] = {}
    for t in tasks:
        by_unit[t.lead_unit_id].append(t)
        units[t.lead_unit_id] = t.lead_unit
    reviewed: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for unit_id, status, returned in ProgressReport.objects.filter(
        task__in=tasks, status__in=["accepted", "returned"]
    ).values_list("task__lead_unit_id", "status", "times_returned"):
        reviewed[unit_id].append((status, returned))
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    q = Q(pk__in=[])
    for u in units.values():
        q |= Q(organization__path__startswith=u.path)
    findings = list(
        Finding.objects.filter(
            q,
            severity__in=["problem", "serious"],
            inspection__start__gte=start,
            inspection__start__lte=end,
        )
        .exclude(rectifications__status="closed")
        .select_related("organization")
    )
    scores = []
    weights = (scheme.w_completion, scheme.w_timeliness, scheme.w_quality, scheme.w_findings)
    total_w = sum(weights) or 1
    for unit_id, unit_tasks in by_unit.items():
        unit = units[unit_id]
        s = UnitScore(unit=unit, tasks=len(unit_tasks))
        s.completion = sum(100 if t.status == "done" else t.percent for t in unit_tasks) / len(
            unit_tasks
        )
        on_time = [
            t
            for t in unit_tasks
            if not t.is_overdue(on)
            and not (
                t.status == "done" and t.completed_on and t.deadline and t.completed_on > t.deadline
            )
        ]
        s.timeliness = 100 * len(on_time) / len(unit_tasks)
        reps = reviewed.get(unit_id, [])
        good = sum(1 for status, returned in reps if status == "accepted" and returned == 0)
        s.quality = 100 * good / len(reps) if reps else 0.0
        problems = sum(
            2 if f.severity == "serious" else 1
            for f in findings
            if f.organization.path.startswith(unit.path)
        )
        s.open_problems = problems
        s.findings = max(0.0, 100.0 - scheme.finding_penalty * problems)
        s.score = (
            weights[0] * s.completion
            + weights[1] * s.timeliness
            + weights[2] * s.quality
            + weights[3] * s.findings
        ) / total_w
        s.details = {
            "reports_reviewed": len(reps),
            "accepted_first_time": good,
            "on_time": len(on_time),
        }
        scores.append(s)
    scores.sort(key=lambda x: (-x.score, x.unit.name))
    for i, s in enumerate(scores, start=1):
        s.rank = i
    return scores
