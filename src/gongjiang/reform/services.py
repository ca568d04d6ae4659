"""Acts on plans, tasks and progress reports (supervision and rollout live in their own modules).

Every service takes keyword-only arguments starting with ``actor``, checks permission at the door
(``core.access``), runs in one transaction, validates with ``full_clean()`` and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import user_or_none
from gongjiang.core.audit import audit_record
from gongjiang.core.duties import DutyConflict, acts_only_for, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import Organization

from .models import Attachment, Notification, Plan, PlanItem, ProgressReport, TaskMilestone

ITEM_FIELDS = (
    "title",
    "description",
    "lead_unit",
    "owner",
    "start",
    "deadline",
    "year",
    "status",
    "report_cycle",
    "tags",
    "remarks",
    "position",
    "implements",
)


def _today() -> dt.date:
    return timezone.localdate()


def notify(
    *,
    organizations: Iterable[Organization],
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    perm: str = "reform.report",
) -> list[Notification]:
    """Notify the users who hold ``perm`` directly at each organisation (once per user and ``key``).

    Returns the notifications created (an e-mail goes out after commit, see reminders.send_mail)."""
    from gongjiang.core.models import Membership

    orgs = {o.pk: o for o in organizations}
    if not orgs:
        return []
    roles = access.roles_with(perm)
    rows = Membership.objects.filter(organization_id__in=orgs, role__in=roles).values_list(
        "user_id", "organization_id"
    )
    targets = {}
    for user_id, org_id in rows:
        targets.setdefault(user_id, org_id)
    existing = set(
        Notification.objects.filter(key=key, user_id__in=targets).values_list("user_id", flat=True)
    )
    new = [
        Notification(
            user_id=u,
            organization_id=o,
            kind=kind,
            key=key[:120],
            title=title[:300],
            body=body,
            url=url,
        )
        for u, o in targets.items()
        if u not in existing
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return new


@dataclass
class Message:
    """One notification to the reporting users of an organisation (see ``notify_many``)."""

    organization_id: int
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""


def notify_many(messages: list[Message], *, perm: str = "reform.report") -> list[Notification]:
    """Bulk ``notify``: three queries whatever the number of messages."""
    from gongjiang.core.models import Membership

    if not messages:
        return []
    roles = access.roles_with(perm)
    users: dict[int, list[int]] = {}
    for user_id, org_id in Membership.objects.filter(
        organization_id__in={m.organization_id for m in messages}, role__in=roles
    ).values_list("user_id", "organization_id"):
        users.setdefault(org_id, []).append(user_id)
    keys = {m.key[:120] for m in messages}
    existing = set(Notification.objects.filter(key__in=keys).values_list("user_id", "key"))
    new: list[Notification] = []
    for m in messages:
        for user_id in dict.fromkeys(users.get(m.organization_id, [])):
            if (user_id, m.key[:120]) in existing:
                continue
            existing.add((user_id, m.key[:120]))
            new.append(
                Notification(
                    user_id=user_id,
                    organization_id=m.organization_id,
                    kind=m.kind,
                    key=m.key[:120],
                    title=m.title[:300],
                    body=m.body,
                    url=m.url,
                )
            )
    Notification.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return new


# ------------------------------------------------------------------------------------ plans


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    description: str = "",
    parent: Plan | None = None,
    issued_on: dt.date | None = None,
) -> Plan:
    access.require(actor, "reform.change_plan", organization)
    plan = Plan(
        organization=organization,
        title=title,
        description=description,
        parent=parent,
        issued_on=issued_on,
    )
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor,
        action="reform.plan.create",
        obj=plan,
        organization=organization,
        details={"title": title, "parent": parent.code if parent else None},
    )
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, **fields: Any) -> Plan:
    access.require(actor, "reform.change_plan", plan.organization)
    unknown = set(fields) - {"title", "description", "issued_on"}
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor,
        action="reform.plan.update",
        obj=plan,
        organization=plan.organization,
        details={k: str(v) for k, v in fields.items()},
    )
    return plan


def _check_implements(plan: Plan, implements: PlanItem | None) -> None:
    if implements is not None and implements.plan_id != plan.parent_id:
        raise ApplicationError(
            _("An item can only implement an item of the plan this plan derives from."),
            code="implements_outside_parent",
            details=[{"field": "implements", "error": _("not in the parent plan")}],
        )


@transaction.atomic
def plan_item_create(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    title: str,
    parent: PlanItem | None = None,
    cooperating_units: Iterable[Organization] = (),
    **fields: Any,
) -> PlanItem:
    access.require(actor, "reform.change_plan", plan.organization)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _check_implements(plan, fields.get("implements"))
    if fields.get("position") is None:
        last = PlanItem.objects.filter(plan=plan, parent=parent).aggregate(m=Max("position"))["m"]
        fields["position"] = (last or 0) + 1
    if kind == PlanItem.Kind.TASK and not fields.get("year") and fields.get("deadline"):
        fields["year"] = fields["deadline"].year
    fields["tags"] = list(fields.get("tags") or [])
    item = PlanItem(plan=plan, kind=kind, title=title, parent=parent, **fields)
    item.full_clean()
    item.save()
    if cooperating_units:
        item.cooperating_units.set(list(cooperating_units))
    audit_record(
        actor=actor,
        action="reform.item.create",
        obj=item,
        organization=plan.organization,
        details={"kind": kind, "title": title},
    )
    return item


@transaction.atomic
def plan_item_update(
    *,
    actor: Any,
    item: PlanItem,
    cooperating_units: Iterable[Organization] | None = None,
    **fields: Any,
) -> PlanItem:
    access.require(actor, "reform.change_plan", item.plan.organization)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "implements" in fields:
        _check_implements(item.plan, fields["implements"])
    # work on the current row: the caller's copy may predate an accepted report
    item = (
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("plan__organization")
        .get(pk=item.pk)
    )
    before = {k: str(getattr(item, k)) for k in fields}
    for key, value in fields.items():
        setattr(item, key, value)
    if item.status == PlanItem.Status.DONE and not item.completed_on:
        item.completed_on = _today()
    item.full_clean()
    item.save()
    if cooperating_units is not None:
        item.cooperating_units.set(list(cooperating_units))
    audit_record(
        actor=actor,
        action="reform.item.update",
        obj=item,
        organization=item.plan.organization,
        details={k: [before[k], str(v)] for k, v in fields.items()},
    )
    return item


@transaction.atomic
def plan_derive(
    *,
    actor: Any,
    parent: Plan,
    organization: Organization,
    title: str,
    issued_on: dt.date | None = None,
) -> Plan:
    """Start a plan that implements ``parent``: its areas and measures are copied, each mapped to the
    parent item it implements (tasks are the deriving organisation's own work)."""
    plan = plan_create(
        actor=actor,
        organization=organization,
        title=title,
        parent=parent,
        issued_on=issued_on,
        description=_("Implements “%(t)s”.") % {"t": parent.title},
    )
    source = list(
        PlanItem.objects.filter(plan=parent, kind__in=["area", "measure"]).order_by(
            "kind", "position", "id"
        )
    )
    areas = {}
    for item in (i for i in source if i.kind == "area"):
        areas[item.pk] = PlanItem(
            plan=plan, kind="area", title=item.title, position=item.position, implements=item
        )
    PlanItem.objects.bulk_create(areas.values())
    measures = [
        PlanItem(
            plan=plan,
            kind="measure",
            title=i.title,
            position=i.position,
            implements=i,
            parent=areas[i.parent_id],
        )
        for i in source
        if i.kind == "measure" and i.parent_id in areas
    ]
    PlanItem.objects.bulk_create(measures)
    audit_record(
        actor=actor,
        action="reform.plan.derive",
        obj=plan,
        organization=organization,
        details={"parent": parent.code, "items": len(areas) + len(measures)},
    )
    return plan


@transaction.atomic
def task_milestone_add(*, actor: Any, task: PlanItem, title: str, due: dt.date) -> TaskMilestone:
    access.require(actor, "reform.change_plan", task.plan.organization)
    milestone = TaskMilestone(task=task, title=title, due=due)
    milestone.full_clean()
    milestone.save()
    audit_record(
        actor=actor,
        action="reform.milestone.add",
        obj=task,
        organization=task.plan.organization,
        details={"title": title, "due": due},
    )
    return milestone


@transaction.atomic
def task_milestone_done(
    *, actor: Any, milestone: TaskMilestone, done_on: dt.date | None
) -> TaskMilestone:
    task = milestone.task
    if not (
        access.can(actor, "reform.change_plan", task.plan.organization)
        or (task.lead_unit_id and access.can(actor, "reform.report", task.lead_unit))
    ):
        raise PermissionDenied("reform.report")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    audit_record(
        actor=actor,
        action="reform.milestone.done",
        obj=task,
        organization=task.plan.organization,
        details={"title": milestone.title, "done_on": done_on},
    )
    return milestone


def may_report(actor: Any, task: PlanItem) -> bool:
    """The lead unit reports on its task (the plan owner may report for it)."""
    if task.kind != PlanItem.Kind.TASK:
        return False
    if task.lead_unit_id and access.can(actor, "reform.report", task.lead_unit):
        return True
    return access.can(actor, "reform.report", task.plan.organization)


@transaction.atomic
def attachment_add(
    *,
    actor: Any,
    organization: Organization,
    file: File,
    name: str = "",
    task: PlanItem | None = None,
    report: ProgressReport | None = None,
    rectification: Any = None,
    milestone: Any = None,
) -> Attachment:
    """Store an evidence file. The caller has checked the right to change the object it belongs to."""
    from django.conf import settings

    if getattr(file, "size", 0) and file.size > settings.MAX_UPLOAD_SIZE:
        raise ApplicationError(_("The file is too large."), code="too_large")
    att = Attachment(
        organization=organization,
        name=(name or getattr(file, "name", "file"))[:200],
        task=task,
        report=report,
        rectification=rectification,
        milestone=milestone,
        uploaded_by=user_or_none(actor),
    )
    att.file.save(att.name, file, save=False)
    att.save()
    audit_record(
        actor=actor,
        action="reform.evidence.add",
        obj=att,
        organization=organization,
        details={"name": att.name},
    )
    return att


@transaction.atomic
def task_evidence_add(*, actor: Any, task: PlanItem, file: File, name: str = "") -> Attachment:
    if not may_report(actor, task):
        raise PermissionDenied("reform.report")
    return attachment_add(
        actor=actor,
        organization=task.lead_unit or task.plan.organization,
        file=file,
        name=name,
        task=task,
    )


# --------------------------------------------------------------------------------- progress

PERIOD = {
    "monthly": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "quarterly": re.compile(r"^\d{4}-Q[1-4]$"),
}


def period_of(day: dt.date, cycle: str) -> str:
    if cycle == PlanItem.Cycle.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_end(period: str) -> dt.date:
    year = int(period[:4])
    month = (int(period[-1]) * 3) if "Q" in period else int(period[5:])
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@transaction.atomic
def progress_report_submit(
    *,
    actor: Any,
    task: PlanItem,
    period: str,
    text: str,
    percent: int,
    problems: str = "",
    next_steps: str = "",
    files: Iterable[File] = (),
) -> ProgressReport:
    """Report on a task for one period. A returned report for the same period is resubmitted."""
    task = (
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("plan__organization", "lead_unit")
        .get(pk=task.pk)
    )
    if not may_report(actor, task):
        raise PermissionDenied("reform.report")
    if not PERIOD[task.report_cycle].match(period or ""):
        raise ApplicationError(
            _("The period must look like %(example)s.")
            % {"example": "2018-06" if task.report_cycle == "monthly" else "2018-Q2"},
            code="bad_period",
            details=[{"field": "period", "error": _("bad period")}],
        )
    if not (0 <= percent <= 100):
        raise ApplicationError(
            _("The percentage must be between 0 and 100."),
            code="bad_percent",
            details=[{"field": "percent", "error": _("0 to 100")}],
        )
    report = (
        ProgressReport.objects.filter(task=task, period=period).exclude(status="accepted").first()
    )
    if (
        report is None
        and ProgressReport.objects.filter(task=task, period=period, status="accepted").exists()
    ):
        raise ConflictError(
            _("The report for this period was already accepted."), code="already_accepted"
        )
    if report is None:
        report = ProgressReport(task=task, period=period)
    report.organization = task.lead_unit or task.plan.organization
    report.text, report.percent, report.problems, report.next_steps = (
        text,
        percent,
        problems,
        next_steps,
    )
    report.status = ProgressReport.Status.SUBMITTED
    report.submitted_by = user_or_none(actor)
    report.submitted_at = timezone.now()
    report.full_clean()
    report.save()
    for f in files:
        attachment_add(
            actor=actor, organization=report.organization, file=f, report=report, task=task
        )
    audit_record(
        actor=actor,
        action="reform.report.submit",
        obj=report,
        organization=task.plan.organization,
        details={"task": task.code, "period": period, "percent": percent},
    )
    return report


def report_review_refusal(actor: Any, report: ProgressReport) -> str | None:
    """Why ``actor`` may not review ``report`` under separation of duties (None when free to).

    The submitter never reviews their own report. Review belongs to the body that supervises the
    task: someone whose review roles all sit inside the reporting unit acts only for that unit and
    is refused (when the plan's owner leads the task itself, its coordinating body reviews — another
    person than the submitter).
    """
    if same_person(actor, report.submitted_by_id):
        return _("You submitted this report: someone else must accept or return it.")
    unit = report.organization
    if unit.pk != report.task.plan.organization_id and acts_only_for(actor, "reform.review", unit):
        return _(
            "You act for the reporting unit (%(unit)s): the body that supervises the task "
            "reviews its report."
        ) % {"unit": unit.name}
    return None


def may_review_report(actor: Any, report: ProgressReport) -> bool:
    return access.can(
        actor, "reform.review", report.task.plan.organization
    ) and not report_review_refusal(actor, report)


@audited_refusals
@transaction.atomic
def progress_report_review(
    *, actor: Any, report: ProgressReport, accept: bool, comment: str = ""
) -> ProgressReport:
    """The coordinating body (the plan owner) accepts a report — the task takes its percentage —
    or returns it with a comment for the unit to resubmit. Separation of duties: see
    :func:`report_review_refusal` (a refusal answers 403 and is audited)."""
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("task__plan__organization", "organization")
        .get(pk=report.pk)
    )
    task = report.task
    refusal = report_review_refusal(actor, report)
    if refusal:
        raise DutyConflict(
            refusal,
            action="reform.report.review",
            obj=report,
            organization=task.plan.organization,
            reason="own_report" if same_person(actor, report.submitted_by_id) else "own_unit",
            details={"task": task.code, "accept": accept},
        )
    access.require(actor, "reform.review", task.plan.organization)
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ConflictError(_("Only a submitted report can be reviewed."), code="not_submitted")
    if not accept and not comment.strip():
        raise ApplicationError(
            _("Say why the report is returned."),
            code="comment_required",
            details=[{"field": "comment", "error": _("required")}],
        )
    report.status = ProgressReport.Status.ACCEPTED if accept else ProgressReport.Status.RETURNED
    report.review_comment = comment
    report.times_returned += 0 if accept else 1
    report.reviewed_by = user_or_none(actor)
    report.reviewed_at = timezone.now()
    report.save()
    if accept:
        task.percent = report.percent
        if report.percent >= 100:
            task.status = PlanItem.Status.DONE
            task.completed_on = task.completed_on or _today()
        elif task.status == PlanItem.Status.NOT_STARTED:
            task.status = PlanItem.Status.IN_PROGRESS
        task.save(update_fields=["percent", "status", "completed_on"])
    verb = _("accepted") if accept else _("returned")
    notify(
        organizations=[report.organization],
        kind=Notification.Kind.REVIEW,
        key=f"review:{report.code}:{report.reviewed_at.isoformat()}",
        title=_("Report on “%(task)s” (%(period)s) %(verb)s")
        % {"task": task.title, "period": report.period, "verb": verb},
        body=comment,
        url=reverse("reform:task_detail", args=[task.code]),
    )
    audit_record(
        actor=actor,
        action="reform.report.accept" if accept else "reform.report.return",
        obj=report,
        organization=task.plan.organization,
        details={"task": task.code, "comment": comment},
    )
    return report


@transaction.atomic
def notification_read(*, actor: Any, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise PermissionDenied("notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
