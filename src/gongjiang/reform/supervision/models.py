"""Tables of supervision (督查督办), rollout tracking and evaluation; re-exported by ``models``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.models import Organization

from ..models_base import ReformRecord, responsible_person_field
from ..querysets import InspectionQuerySet, ReformScopedQuerySet, TwoSidedQuerySet

# ------------------------------------------------------------------------------ supervision


class Inspection(ReformRecord):
    """An inspection mission (督查) by an inspecting body to organisations it visits."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspecting body")
    )
    title = models.CharField(pgettext_lazy("reform", "title"), max_length=200)
    scope = models.TextField(pgettext_lazy("reform", "scope"), blank=True)
    start = models.DateField(pgettext_lazy("reform", "start"))
    end = models.DateField(pgettext_lazy("reform", "end"))
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("reform", "team"),
    )
    team_note = models.CharField(_("team members (names)"), max_length=300, blank=True)
    visited = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="reform_inspections",
        verbose_name=_("organizations visited"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end is before the start.")})


class Finding(ReformRecord):
    """What an inspection found at one organisation, possibly about one task."""

    class Severity(models.TextChoices):
        NOTE = "note", pgettext_lazy("reform", "note")
        PROBLEM = "problem", _("problem")
        SERIOUS = "serious", _("serious problem")
        HIGHLIGHT = "highlight", _("good practice")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("reform", "organization"),
    )
    task = models.ForeignKey(
        "reform.PlanItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        verbose_name=pgettext_lazy("reform", "task"),
    )
    severity = models.CharField(
        pgettext_lazy("reform", "severity"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.PROBLEM,
    )
    text = models.TextField(_("finding"))

    SIDES = ("inspection__organization__path", "organization__path")
    objects = TwoSidedQuerySet.as_manager()

    class Meta:
        ordering = ["inspection_id", "id"]
        verbose_name = _("finding")
        verbose_name_plural = pgettext_lazy("reform", "findings")

    def __str__(self) -> str:
        return self.text[:60]


class Rectification(ReformRecord):
    """A rectification item (整改事项): the unit fixes, the inspecting body closes."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("reform", "open")
        SUBMITTED = "submitted", _("submitted for closure")
        CLOSED = "closed", pgettext_lazy("reform", "closed")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    owner = responsible_person_field()
    title = models.CharField(_("rectification"), max_length=300)
    deadline = models.DateField(pgettext_lazy("reform", "deadline"))
    status = models.CharField(
        pgettext_lazy("reform", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
    )
    response = models.TextField(_("what was done"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_comment = models.TextField(_("closing comment"), blank=True)

    SIDES = ("finding__inspection__organization__path", "organization__path")
    objects = TwoSidedQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")


class SupervisionNotice(ReformRecord):
    """A supervision notice (督办单) from an issuing body to a unit, with a reply deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting reply")
        REPLIED = "replied", pgettext_lazy("reform", "replied")
        CLOSED = "closed", pgettext_lazy("reform", "closed")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    target = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("reform", "to"),
    )
    task = models.ForeignKey(
        "reform.PlanItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=pgettext_lazy("reform", "task"),
    )
    title = models.CharField(pgettext_lazy("reform", "title"), max_length=200)
    body = models.TextField(pgettext_lazy("reform", "request"))
    issued_on = models.DateField(_("issued on"))
    reply_deadline = models.DateField(_("reply by"))
    status = models.CharField(
        pgettext_lazy("reform", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
    )
    reply = models.TextField(pgettext_lazy("reform", "reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    SIDES = ("organization__path", "target__path")
    objects = TwoSidedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")


# --------------------------------------------------------------------------------- rollout


class MilestoneType(models.Model):
    """A configurable rollout milestone (成立领导小组, 出台实施方案 …), shared by every organisation."""

    code = models.SlugField(pgettext_lazy("reform", "code"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("reform", "name"), max_length=100)
    position = models.PositiveSmallIntegerField(pgettext_lazy("reform", "position"), default=0)
    is_active = models.BooleanField(pgettext_lazy("reform", "active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("milestone type")
        verbose_name_plural = _("milestone types")

    def __str__(self) -> str:
        return self.name


class RolloutMilestone(ReformRecord):
    """The date an organisation reached one rollout milestone, with its document."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="reform_milestones",
        verbose_name=pgettext_lazy("reform", "organization"),
    )
    milestone_type = models.ForeignKey(
        MilestoneType,
        on_delete=models.PROTECT,
        related_name="reached",
        verbose_name=pgettext_lazy("reform", "milestone"),
    )
    reached_on = models.DateField(_("reached on"))
    document = models.CharField(pgettext_lazy("reform", "document"), max_length=300, blank=True)
    note = models.CharField(pgettext_lazy("reform", "note"), max_length=300, blank=True)

    objects = ReformScopedQuerySet.as_manager()

    class Meta:
        ordering = ["milestone_type__position", "reached_on"]
        verbose_name = _("rollout milestone")
        verbose_name_plural = _("rollout milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "milestone_type"], name="reform_milestone_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.milestone_type}"


# ------------------------------------------------------------------------------ evaluation


class ScoringScheme(ReformRecord):
    """Weights for ranking units in a year: completion, timeliness, report quality, findings."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("reform", "organization"),
    )
    name = models.CharField(pgettext_lazy("reform", "name"), max_length=100)
    w_completion = models.PositiveSmallIntegerField(_("weight: completion"), default=40)
    w_timeliness = models.PositiveSmallIntegerField(_("weight: timeliness"), default=30)
    w_quality = models.PositiveSmallIntegerField(_("weight: report quality"), default=15)
    w_findings = models.PositiveSmallIntegerField(_("weight: inspection findings"), default=15)
    finding_penalty = models.PositiveSmallIntegerField(_("points off per open problem"), default=20)

    objects = ReformScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.w_completion + self.w_timeliness + self.w_quality + self.w_findings == 0:
            raise ValidationError(_("At least one weight must be above zero."))
