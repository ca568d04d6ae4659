"""Tables of model-worker and craftsman innovation studios (劳模和工匠人才创新工作室) and their
alliances (工作室联盟): studios with members, yearly plans and reports, assessments, renaming
requests and mentoring pairs (师带徒); alliances with member studios and joint projects (攻关项目)
with tasks and results attributed to several studios.

A studio belongs to the union organisation that hosts it; an alliance to the union that organises it
(its member studios come from that union's subtree, across enterprises and regions).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet

from .models_results import Result, code_field

VIEW_STUDIO = "innovation.view_studio"
LEVELS = ("enterprise", "city", "provincial", "national")  # low to high


class StudioQuerySet(ScopedQuerySet):
    def default_perm(self) -> str:
        return VIEW_STUDIO


class Studio(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", pgettext_lazy("studio level", "national")
        PROVINCIAL = "provincial", pgettext_lazy("studio level", "provincial")
        CITY = "city", pgettext_lazy("studio level", "city")
        ENTERPRISE = "enterprise", pgettext_lazy("studio level", "enterprise")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("naming proposed")
        NAMED = "named", _("named")
        MARKED = "marked", _("marked for revocation")
        REVOKED = "revoked", _("revoked")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="innovation_studios",
        verbose_name=_("host union"),
    )
    name = models.CharField(_("studio name"), max_length=100)
    level = models.CharField(pgettext_lazy("studio", "level"), max_length=10, choices=Level.choices)
    leader = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="led_studios",
        verbose_name=_("leader"),
    )
    fields = models.CharField(_("fields"), max_length=300, blank=True)
    site = models.CharField(_("site"), max_length=200, blank=True)
    funding = models.DecimalField(
        _("yearly funding (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        pgettext_lazy("innovation", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PROPOSED,
    )
    results = models.ManyToManyField(Result, blank=True, related_name="studios")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("innovation studio")
        verbose_name_plural = _("innovation studios")
        constraints = [
            models.CheckConstraint(condition=models.Q(funding__gte=0), name="innov_studio_funding"),
        ]

    def __str__(self) -> str:
        return self.name


class StudioMember(models.Model):
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="members")
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.PROTECT, related_name="studio_memberships"
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    SCOPE_PATH = "studio__organization__path"
    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "worker"], name="innov_studio_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.studio} · {self.worker}"


class StudioYear(models.Model):
    """The studio's plan for a year and, at its end, the report."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(
        pgettext_lazy("innovation", "year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    plan = models.TextField(_("yearly plan"), max_length=5000, blank=True)
    report = models.TextField(_("yearly report"), max_length=10000, blank=True)
    # the signed PDFs of the plan and the report, stored as result files are (encrypted at rest)
    plan_file = models.FileField(
        _("yearly plan (PDF)"),
        upload_to="innovation/studios/%Y/",
        storage=private_file_storage,
        blank=True,
    )
    report_file = models.FileField(
        _("yearly report (PDF)"),
        upload_to="innovation/studios/%Y/",
        storage=private_file_storage,
        blank=True,
    )

    SCOPE_PATH = "studio__organization__path"
    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "year"], name="innov_studio_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.studio} {self.year}"


class StudioRename(models.Model):
    """A renaming request, approved at the studio's level by someone other than who asked."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    code = code_field()
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="renames")
    old_name = models.CharField(max_length=100)
    new_name = models.CharField(_("new name"), max_length=100)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "studio__organization__path"
    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"


class StudioAssessment(models.Model):
    class Outcome(models.TextChoices):
        EXCELLENT = "excellent", _("excellent")
        PASS = "pass", pgettext_lazy("assessment", "pass")
        RECTIFY = "rectify", _("rectify")
        REVOKE = "revoke", _("revoke")

    FAILS = ("rectify", "revoke")

    code = code_field()
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(
        pgettext_lazy("innovation", "year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    scores = models.JSONField(default=dict)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "studio__organization__path"
    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "year"], name="innov_studio_assess_unique")
        ]

    def __str__(self) -> str:
        return f"{self.studio} {self.year} {self.outcome}"


class MentoringPair(models.Model):
    """师带徒: a mentor of the studio and a mentee, with the outcome."""

    class Outcome(models.TextChoices):
        ONGOING = "ongoing", _("ongoing")
        QUALIFIED = "qualified", _("completed (出师)")
        PROMOTED = "promoted", _("completed with a higher skill level")
        WITHDRAWN = "withdrawn", _("withdrawn")

    TRAINED = ("qualified", "promoted")

    code = code_field()
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey("workforce.Worker", on_delete=models.PROTECT, related_name="+")
    mentee = models.ForeignKey("workforce.Worker", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("started on"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.ONGOING
    )
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    SCOPE_PATH = "studio__organization__path"
    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "mentor", "mentee"], name="innov_mentoring_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"


class Alliance(models.Model):
    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="innovation_alliances",
        verbose_name=_("organising union"),
    )
    name = models.CharField(_("alliance name"), max_length=100)
    studios = models.ManyToManyField(Studio, blank=True, related_name="alliances")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("studio alliance")
        verbose_name_plural = _("studio alliances")

    def __str__(self) -> str:
        return self.name


class JointProject(models.Model):
    """攻关项目 of an alliance: several studios, tasks, results attributed to all of them."""

    code = code_field()
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(pgettext_lazy("innovation", "title"), max_length=200)
    goal = models.CharField(_("goal"), max_length=1000, blank=True)
    studios = models.ManyToManyField(Studio, related_name="joint_projects")
    results = models.ManyToManyField(Result, blank=True, related_name="joint_projects")
    done = models.BooleanField(_("completed"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "alliance__organization__path"
    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ProjectTask(models.Model):
    code = code_field()
    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(pgettext_lazy("innovation", "title"), max_length=200)
    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="+")
    done = models.BooleanField(_("completed"), default=False)

    SCOPE_PATH = "project__alliance__organization__path"
    objects = StudioQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
