"""Reads for pages, the API and exports; every one starts from ``visible_to(actor)``.

Progress roll-up rule: a task without sub-tasks counts its accepted percentage (100 when done);
every other item — a task with sub-tasks, a measure, an area — is the plain mean of its children
that have a value, each child weighted equally; the plan is the mean of its areas. An item with no
tasks below it has no value and is left out of its parent's mean.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.models import Organization

from .models import (
    Escalation,
    Finding,
    Inspection,
    Notification,
    Plan,
    PlanItem,
    ProgressReport,
    Rectification,
    SupervisionNotice,
)


def plan_list(*, actor: Any) -> QuerySet[Plan]:
    return Plan.objects.visible_to(actor).select_related("organization", "parent")


def plan_get(*, actor: Any, code: str) -> Plan:
    return get_visible_or_404(
        Plan.objects.select_related("organization", "parent__organization"), actor, code=code
    )


def item_get(*, actor: Any, code: str) -> PlanItem:
    qs = PlanItem.objects.select_related(
        "plan__organization", "plan__parent", "parent", "lead_unit", "owner", "implements__plan"
    )
    return get_visible_or_404(qs, actor, code=code)


def report_get(*, actor: Any, code: str) -> ProgressReport:
    qs = ProgressReport.objects.select_related(
        "task__plan__organization", "task__lead_unit", "organization"
    )
    return get_visible_or_404(qs, actor, code=code)


def may_change_plan(actor: Any, plan: Plan) -> bool:
    return access.can(actor, "reform.change_plan", plan.organization)


def may_review(actor: Any, plan: Plan) -> bool:
    return access.can(actor, "reform.review", plan.organization)


# ----------------------------------------------------------------------------- roll-up


def rollup(items: list[PlanItem]) -> dict[int, float | None]:
    """Rolled-up percentage of every item (see the module docstring); key None is the plan."""
    children: dict[int | None, list[PlanItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    out: dict[int | None, float | None] = {}

    def visit(item: PlanItem) -> float | None:
        kids = children.get(item.pk, [])
        values = [v for v in (visit(k) for k in kids) if v is not None]
        if values:
            value: float | None = sum(values) / len(values)
        elif item.kind == PlanItem.Kind.TASK and not kids:
            value = 100.0 if item.status == PlanItem.Status.DONE else float(item.percent)
        else:
            value = None
        out[item.pk] = value
        return value

    tops = [v for v in (visit(a) for a in children.get(None, [])) if v is not None]
    out[None] = sum(tops) / len(tops) if tops else None
    return out


@dataclass
class TreeRow:
    item: PlanItem
    depth: int
    number: str
    percent: float | None
    status: str


CN_NUMBERS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 20:
        return "十" + CN_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMBERS[tens - 1] + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def plan_items(plan: Plan) -> list[PlanItem]:
    return list(
        PlanItem.objects.filter(plan=plan)
        .select_related("lead_unit", "owner", "implements")
        .prefetch_related(
            Prefetch(
                "cooperating_units",
                queryset=Organization.objects.only("id", "name", "code", "kind", "path"),
            )
        )
        .order_by("position", "id")
    )


def plan_tree(
    *, plan: Plan, on: dt.date, items: list[PlanItem] | None = None
) -> tuple[list[TreeRow], float | None]:
    """Depth-first rows with the conventional numbering (一、 / （一） / 1. / 1.1) and rolled percentages."""
    items = plan_items(plan) if items is None else items
    values = rollup(items)
    children: dict[int | None, list[PlanItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    rows: list[TreeRow] = []
    task_counter = [0]

    def walk(parent_id: int | None, depth: int, prefix: str) -> None:
        for n, item in enumerate(children.get(parent_id, []), start=1):
            if item.kind == PlanItem.Kind.AREA:
                number = f"{cn_number(n)}、"
            elif item.kind == PlanItem.Kind.MEASURE:
                number = f"（{cn_number(n)}）"
            elif prefix:
                number = f"{prefix}.{n}"
            else:
                task_counter[0] += 1
                number = str(task_counter[0])
            rows.append(TreeRow(item, depth, number, values.get(item.pk), item.status_on(on)))
            walk(item.pk, depth + 1, number if item.kind == PlanItem.Kind.TASK else "")

    walk(None, 0, "")
    return rows, values.get(None)


def plan_summary(*, plans: list[Plan], on: dt.date) -> list[dict[str, Any]]:
    """Per plan: rolled percentage and how many tasks are in each status on ``on`` (2 queries)."""
    items = list(
        PlanItem.objects.filter(plan__in=plans).only(
            "id", "plan_id", "parent_id", "kind", "status", "percent", "deadline"
        )
    )
    by_plan: dict[int, list[PlanItem]] = defaultdict(list)
    for item in items:
        by_plan[item.plan_id].append(item)
    out = []
    for plan in plans:
        plan_items_ = by_plan.get(plan.pk, [])
        counts: dict[str, int] = defaultdict(int)
        for item in plan_items_:
            if item.kind == PlanItem.Kind.TASK:
                counts[item.status_on(on)] += 1
        out.append(
            {
                "plan": plan,
                "percent": rollup(plan_items_).get(None),
                "counts": dict(counts),
                "tasks": sum(counts.values()),
            }
        )
    return out


# ----------------------------------------------------------------------------- tasks


def task_list(
    *,
    actor: Any,
    plan: Plan | None = None,
    unit: Organization | None = None,
    year: int | None = None,
    status: str = "",
    on: dt.date | None = None,
    q: str = "",
) -> QuerySet[PlanItem]:
    qs = (
        PlanItem.objects.visible_to(actor)
        .filter(kind="task")
        .select_related("plan__organization", "lead_unit")
    )
    if plan is not None:
        qs = qs.filter(plan=plan)
    if unit is not None:
        qs = qs.filter(Q(lead_unit=unit) | Q(cooperating_units=unit)).distinct()
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(title__icontains=q)
    if status == PlanItem.OVERDUE and on is not None:
        qs = qs.filter(deadline__lt=on).exclude(status="done")
    elif status:
        qs = qs.filter(status=status)
        if on is not None and status != "done":
            qs = qs.exclude(deadline__lt=on)
    return qs.order_by("deadline", "plan_id", "position", "id")


def responsibility_list(
    *, actor: Any, unit: Organization, year: int | None = None
) -> list[dict[str, Any]]:
    """The tasks a unit leads or cooperates on (责任清单), in visible plans."""
    tasks = (
        task_list(actor=actor, unit=unit, year=year)
        .select_related("parent__parent", "plan")
        .prefetch_related("cooperating_units")
    )
    return [
        {"task": t, "role": "lead" if t.lead_unit_id == unit.pk else "cooperate"} for t in tasks
    ]


def latest_accepted(tasks: list[PlanItem]) -> dict[int, ProgressReport]:
    out: dict[int, ProgressReport] = {}
    for r in ProgressReport.objects.filter(task__in=tasks, status="accepted").order_by(
        "task_id", "-period", "-id"
    ):
        out.setdefault(r.task_id, r)
    return out


def reports_to_review(*, actor: Any) -> QuerySet[ProgressReport]:
    paths = access.scope_paths(actor, "reform.review")
    # separation of duties: one's own reports are for someone else to review
    qs = ProgressReport.objects.visible_to(actor).filter(status="submitted")
    if getattr(actor, "pk", None) is not None:
        qs = qs.exclude(submitted_by=actor)
    if paths is not None:
        from gongjiang.core.scoping import prefix_q

        qs = qs.filter(prefix_q("task__plan__organization__path", paths))
    return qs.select_related("task__plan", "organization", "submitted_by")


def notifications_for(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=actor).select_related("organization")
    return qs.filter(read_at__isnull=True) if unread_only else qs


# ------------------------------------------------------------------------------ supervision


def inspection_list(*, actor: Any) -> QuerySet[Inspection]:
    return (
        Inspection.objects.visible_to(actor)
        .select_related("organization")
        .prefetch_related("visited")
    )


def inspection_get(*, actor: Any, code: str) -> Inspection:
    return get_visible_or_404(Inspection.objects.select_related("organization"), actor, code=code)


def findings_of(*, actor: Any, inspection: Inspection) -> QuerySet[Finding]:
    """All findings for the inspecting body's scope; a visited unit sees the findings about itself."""
    qs = Finding.objects.filter(inspection=inspection).select_related("organization", "task")
    if access.can(actor, "reform.view", inspection.organization):
        return qs.prefetch_related("rectifications__organization")
    return qs.filter(pk__in=Finding.objects.visible_to(actor).values("pk")).prefetch_related(
        "rectifications__organization"
    )


def finding_get(*, actor: Any, code: str) -> Finding:
    return get_visible_or_404(
        Finding.objects.select_related("inspection__organization", "organization"), actor, code=code
    )


def rectification_get(*, actor: Any, code: str) -> Rectification:
    return get_visible_or_404(
        Rectification.objects.select_related("finding__inspection__organization", "organization"),
        actor,
        code=code,
    )


def rectification_list(*, actor: Any, status: str = "") -> QuerySet[Rectification]:
    qs = Rectification.objects.visible_to(actor).select_related(
        "finding__inspection", "organization"
    )
    return qs.filter(status=status) if status else qs


def notice_list(*, actor: Any, status: str = "") -> QuerySet[SupervisionNotice]:
    qs = SupervisionNotice.objects.visible_to(actor).select_related(
        "organization", "target", "task"
    )
    return qs.filter(status=status) if status else qs


def notice_get(*, actor: Any, code: str) -> SupervisionNotice:
    return get_visible_or_404(
        SupervisionNotice.objects.select_related("organization", "target", "task"), actor, code=code
    )


def escalation_list(*, actor: Any) -> QuerySet[Escalation]:
    return Escalation.objects.visible_to(actor).select_related(
        "task__plan", "organization", "from_unit"
    )


def organization_get(*, actor: Any, code: str) -> Organization:
    """An organisation for a reform screen: inside the actor's scope, or a unit of a visible task."""
    visible = Organization.objects.visible_to(actor, "reform.view")
    org = visible.filter(code=code).first()
    if org is None:
        tasks = PlanItem.objects.visible_to(actor)
        org = (
            Organization.objects.filter(code=code)
            .filter(
                Q(pk__in=tasks.values("lead_unit")) | Q(pk__in=tasks.values("cooperating_units"))
            )
            .first()
        )
    if org is None:
        from django.http import Http404

        raise Http404("organization")
    return org


def plan_items_visible(*, actor: Any, qs: QuerySet[PlanItem]) -> QuerySet[PlanItem]:
    return qs.filter(pk__in=PlanItem.objects.visible_to(actor).values("pk"))


def attachment_get(*, actor: Any, code: str) -> Any:
    """An evidence file, readable by whoever may read what it is attached to (else 404)."""
    from django.http import Http404

    from .models import Attachment, RolloutMilestone

    att = Attachment.objects.filter(code=code).first()
    if att is not None:
        if att.task_id and PlanItem.objects.visible_to(actor).filter(pk=att.task_id).exists():
            return att
        if (
            att.rectification_id
            and Rectification.objects.visible_to(actor).filter(pk=att.rectification_id).exists()
        ):
            return att
        if (
            att.milestone_id
            and RolloutMilestone.objects.visible_to(actor, "reform.view")
            .filter(pk=att.milestone_id)
            .exists()
        ):
            return att
    raise Http404("attachment")


def owner_by_username(*, plan: Plan, username: str, lead_unit: Organization | None = None) -> Any:
    """The responsible person for an item: a user with a role in the plan owner's or the lead unit's
    subtree (anyone else answers a validation error on the field)."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from gongjiang.core.models import Membership

    paths = [plan.organization.path] + ([lead_unit.path] if lead_unit is not None else [])
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(organization__path__startswith=p)
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not Membership.objects.filter(q, user=user).exists():
        raise ValidationError(
            {"owner": ["no such user in the plan's or the lead unit's organisations"]}
        )
    return user
