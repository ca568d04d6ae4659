"""Tables of the reform ledger (改革台账) and supervision (督查督办).

A plan (方案) is a tree of items: areas (领域/方面) → measures (举措) → tasks (任务, any depth below a
measure). A plan may derive from a parent plan; each of its items may name the parent-plan item it
implements. Visibility rules live in the querysets' ``visible_to`` (see docs/reform.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.access import scope_paths
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.models import Organization
from gongjiang.core.scoping import ScopedQuerySet, prefix_q

from .models_base import ReformRecord, responsible_person_field
from .querysets import VIEW, ReformScopedQuerySet, TwoSidedQuerySet


# ------------------------------------------------------------------ plan visibility
# (here, not in querysets.py: they read Plan and PlanItem, and querysets.py sits below this module)
def visible_plan_ids(user: Any, perm: str | None = None) -> set[int] | None:
    """Ids of the plans ``user`` may read; None means every plan (superuser)."""
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


# --------------------------------------------------------------------------------- plans


class Plan(ReformRecord):
    """A reform plan (改革方案 / 实施方案) owned by one organisation."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="reform_plans",
        verbose_name=pgettext_lazy("reform", "owner"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
        verbose_name=_("derives from"),
    )
    title = models.CharField(pgettext_lazy("reform", "title"), max_length=200)
    description = models.TextField(pgettext_lazy("reform", "description"), blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "title"]
        verbose_name = pgettext_lazy("reform", "plan")
        verbose_name_plural = _("plans")

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A plan cannot derive from itself.")})


class PlanItem(ReformRecord):
    """An area, a measure or a task of a plan. Tasks carry the ledger fields."""

    class Kind(models.TextChoices):
        AREA = "area", pgettext_lazy("reform", "area")
        MEASURE = "measure", pgettext_lazy("reform", "measure")
        TASK = "task", pgettext_lazy("reform", "task")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", pgettext_lazy("reform", "not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("reform", "in progress")
        DONE = "done", pgettext_lazy("reform", "done")
        AT_RISK = "at_risk", pgettext_lazy("reform", "at risk")

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", pgettext_lazy("reform", "monthly")
        QUARTERLY = "quarterly", pgettext_lazy("reform", "quarterly")

    OVERDUE = "overdue"

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=pgettext_lazy("reform", "plan"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=pgettext_lazy("reform", "parent"),
    )
    kind = models.CharField(pgettext_lazy("reform", "kind"), max_length=10, choices=Kind.choices)
    position = models.PositiveIntegerField(pgettext_lazy("reform", "position"), default=0)
    title = models.CharField(pgettext_lazy("reform", "title"), max_length=300)
    description = models.TextField(pgettext_lazy("reform", "description"), blank=True)
    implements = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implemented_by",
        verbose_name=_("implements"),
    )
    lead_unit = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reform_led_items",
        verbose_name=_("lead unit"),
    )
    cooperating_units = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="reform_cooperating_items",
        verbose_name=_("cooperating units"),
    )
    owner = responsible_person_field()
    start = models.DateField(pgettext_lazy("reform", "start"), null=True, blank=True)
    deadline = models.DateField(pgettext_lazy("reform", "deadline"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        pgettext_lazy("reform", "year"), null=True, blank=True, db_index=True
    )
    status = models.CharField(
        pgettext_lazy("reform", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.NOT_STARTED,
    )
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    report_cycle = models.CharField(
        _("report cycle"), max_length=10, choices=Cycle.choices, default=Cycle.QUARTERLY
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    remarks = models.CharField(_("remarks"), max_length=300, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "parent_id", "position", "id"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        indexes = [models.Index(fields=["plan", "kind"]), models.Index(fields=["deadline"])]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        parent = self.parent if self.parent_id else None
        if parent is not None:
            if parent.plan_id != self.plan_id:
                errors["parent"] = [_("The parent item belongs to another plan.")]
            allowed = {"area": set(), "measure": {"area"}, "task": {"measure", "task"}}[self.kind]
            if parent.kind not in allowed:
                errors["kind"] = [
                    _("A %(kind)s cannot sit under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": parent.get_kind_display()}
                ]
        elif self.kind != self.Kind.AREA:
            errors["parent"] = [_("Only an area may sit at the top of a plan.")]
        if self.percent > 100:
            errors["percent"] = [_("At most 100.")]
        if self.start and self.deadline and self.deadline < self.start:
            errors["deadline"] = [_("The deadline is before the start.")]
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, on: dt.date) -> bool:
        """Overdue is derived, never stored: past the deadline and not done."""
        return bool(self.deadline and self.deadline < on and self.status != self.Status.DONE)

    def status_on(self, on: dt.date) -> str:
        return self.OVERDUE if self.is_overdue(on) else self.status

    def status_label_on(self, on: dt.date) -> str:
        return (
            str(pgettext_lazy("reform", "overdue"))
            if self.is_overdue(on)
            else self.get_status_display()
        )

    @property
    def organization(self) -> Organization:
        return self.plan.organization


class TaskMilestone(models.Model):
    task = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=pgettext_lazy("reform", "task"),
    )
    title = models.CharField(pgettext_lazy("reform", "title"), max_length=200)
    due = models.DateField(pgettext_lazy("reform", "due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("task milestone")
        verbose_name_plural = _("task milestones")

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------------- progress


class ProgressReport(ReformRecord):
    """A unit's report on one task for one period (月报/季报), reviewed by the plan owner."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("reform", "submitted")
        ACCEPTED = "accepted", pgettext_lazy("reform", "accepted")
        RETURNED = "returned", pgettext_lazy("reform", "returned")

    task = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=pgettext_lazy("reform", "task"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting unit")
    )
    period = models.CharField(
        pgettext_lazy("reform", "period"), max_length=7, help_text=_("2018-06 or 2018-Q2")
    )
    text = models.TextField(pgettext_lazy("reform", "progress"))
    problems = models.TextField(pgettext_lazy("reform", "problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    percent = models.PositiveSmallIntegerField(_("percent done"))
    status = models.CharField(
        pgettext_lazy("reform", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.SUBMITTED,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    times_returned = models.PositiveSmallIntegerField(_("times returned"), default=0)

    objects = ViaPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.task} · {self.period}"

    def clean(self) -> None:
        if self.percent is not None and self.percent > 100:
            raise ValidationError({"percent": _("At most 100.")})


class Attachment(ReformRecord):
    """Evidence (佐证材料): a file attached to a task, report, rectification or rollout milestone."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # evidence may show people (minutes, sign-in sheets, photos): encrypted at rest like job files
    file = models.FileField(
        pgettext_lazy("reform", "file"), upload_to="reform/%Y/%m/", storage=private_file_storage
    )
    name = models.CharField(pgettext_lazy("reform", "name"), max_length=200)
    task = models.ForeignKey(
        PlanItem, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    rectification = models.ForeignKey(
        "Rectification", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    milestone = models.ForeignKey(
        "RolloutMilestone",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ReformScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class Notification(ReformRecord):
    """An in-app message (reminder, escalation, notice). ``key`` keeps reminders from repeating."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("deadline approaching")
        MISSING_REPORT = "missing_report", _("report missing")
        OVERDUE = "overdue", pgettext_lazy("reform", "overdue")
        ESCALATION = "escalation", _("escalation")
        REVIEW = "review", _("report reviewed")
        NOTICE = "notice", _("supervision notice")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reform_notifications"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(pgettext_lazy("reform", "kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=120)
    title = models.CharField(pgettext_lazy("reform", "title"), max_length=300)
    body = models.TextField(pgettext_lazy("reform", "message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="reform_notification_once")
        ]


class Escalation(ReformRecord):
    """An overdue task escalated to the lead unit's parent organisation (one row per task and level)."""

    task = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=pgettext_lazy("reform", "task"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("escalated to")
    )
    from_unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit")
    )
    on = models.DateField(pgettext_lazy("reform", "date"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    resolved_at = models.DateTimeField(null=True, blank=True)

    SIDES = ("organization__path", "from_unit__path")
    objects = TwoSidedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["task", "organization"], name="reform_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.organization}"


from .supervision.models import (  # noqa: E402  (split for size; Django finds them through this module)
    Finding,
    Inspection,
    MilestoneType,
    Rectification,
    RolloutMilestone,
    ScoringScheme,
    SupervisionNotice,
)

__all__ = [
    "Attachment",
    "Escalation",
    "Finding",
    "Inspection",
    "MilestoneType",
    "Notification",
    "Plan",
    "PlanItem",
    "ProgressReport",
    "Rectification",
    "RolloutMilestone",
    "ScoringScheme",
    "SupervisionNotice",
    "TaskMilestone",
]
