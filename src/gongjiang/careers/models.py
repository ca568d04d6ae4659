"""Career channels: professional titles, the enterprise's versioned career tables (equivalence
across channels and bridge rules), skill-expert levels and bridge applications.

Every row is scoped through an organisation path: a worker's rows through the worker's union,
an enterprise's tables through the enterprise union.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet

from .policy import KIND_CHOICES, MAX_EXPERT_LEVELS, TITLE_LEVELS

TITLE_CHOICES = [(code, label) for code, label in TITLE_LEVELS]


class ProfessionalTitle(models.Model):
    """A professional title (职称) a worker holds: field, level, date and issuer."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.CASCADE,
        related_name="professional_titles",
        verbose_name=_("worker"),
    )
    field = models.CharField(_("field"), max_length=60)  # 工程 / 农业 / 经济 …
    name = models.CharField(_("title name"), max_length=60)  # 高级工程师
    level = models.CharField(_("title level"), max_length=16, choices=TITLE_CHOICES)
    date = models.DateField(_("date obtained"))
    issuer = models.CharField(_("issuer"), max_length=100)
    number = models.CharField(_("certificate number"), max_length=40, blank=True)
    source_ref = models.CharField(max_length=60, blank=True)
    revoked = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("professional title")
        verbose_name_plural = _("professional titles")

    def __str__(self) -> str:
        return self.name


class CareerTable(models.Model):
    """One version of an enterprise's career table, in force from ``effective_from`` until the next
    version. Versions are never changed once in force: an edit is a new version from today or later
    (edits apply forward only)."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("career table", "draft")
        IN_FORCE = "in_force", pgettext_lazy("career table", "approved")
        DISCARDED = "discarded", pgettext_lazy("career table", "not approved")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="career_tables",
        verbose_name=_("enterprise"),
    )
    effective_from = models.DateField(_("in force from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # a version is drafted by one person and approved by another; only approved versions apply
    status = models.CharField(
        pgettext_lazy("career table", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.IN_FORCE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "-effective_from"]
        verbose_name = _("career table")
        verbose_name_plural = _("career tables")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "effective_from"],
                condition=models.Q(status="in_force"),
                name="careers_table_org_date_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.effective_from:%Y-%m-%d}"


class EquivalenceRow(models.Model):
    """Which skill level stands with which title and management grade."""

    table = models.ForeignKey(CareerTable, on_delete=models.CASCADE, related_name="equivalences")
    skill_level = models.CharField(_("skill level"), max_length=30)
    title_level = models.CharField(_("title level"), max_length=16, choices=TITLE_CHOICES)
    management_grade = models.CharField(_("management grade"), max_length=30)
    source = models.CharField(_("source"), max_length=200, blank=True)

    SCOPE_PATH = "table__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["table_id", "id"]
        verbose_name = _("equivalence")
        verbose_name_plural = _("equivalences")

    def __str__(self) -> str:
        return f"{self.skill_level} = {self.title_level} = {self.management_grade}"


class BridgeRule(models.Model):
    """One condition of one path to a target (a title level or a skill level)."""

    table = models.ForeignKey(CareerTable, on_delete=models.CASCADE, related_name="rules")
    target = models.CharField(_("target"), max_length=30)
    path = models.CharField(_("path"), max_length=20, default="standard")
    kind = models.CharField(_("condition"), max_length=24, choices=KIND_CHOICES)
    level = models.CharField(_("level"), max_length=30, blank=True)
    years = models.PositiveSmallIntegerField(
        _("years"), null=True, blank=True, validators=[MaxValueValidator(50)]
    )
    prefixes = models.CharField(_("occupation codes"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    SCOPE_PATH = "table__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["table_id", "id"]
        verbose_name = _("bridge rule")
        verbose_name_plural = _("bridge rules")

    def __str__(self) -> str:
        return f"{self.target}/{self.path}: {self.kind}"


class ExpertLevel(models.Model):
    """One of up to six enterprise skill-expert levels (首席技能专家 … 技能骨干) with its criteria."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="expert_levels",
        verbose_name=_("enterprise"),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPERT_LEVELS)]
    )
    name = models.CharField(_("name"), max_length=40)
    min_skill_level = models.CharField(_("lowest skill level"), max_length=30)
    min_years = models.PositiveSmallIntegerField(
        _("years at that level"), default=0, validators=[MaxValueValidator(50)]
    )
    criteria = models.TextField(_("criteria"), max_length=2000, blank=True)
    quota = models.PositiveSmallIntegerField(
        _("places"), default=1, validators=[MaxValueValidator(10000)]
    )
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "rank"]
        verbose_name = _("skill-expert level")
        verbose_name_plural = _("skill-expert levels")
        constraints = [
            models.UniqueConstraint(fields=["organization", "rank"], name="careers_expert_rank")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def min_skill_name(self) -> str:
        from .words import level_name

        return level_name(self.min_skill_level)


class BridgeApplication(models.Model):
    """A worker's application to move or be recognised across channels, with its review."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.CASCADE,
        related_name="bridge_applications",
        verbose_name=_("worker"),
    )
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    target = models.CharField(_("target"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    eligible = models.BooleanField(_("eligible when submitted"), default=False)
    conditions = models.JSONField(default=list)
    note = models.CharField(_("note"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    outcome_ref = models.CharField(max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("bridge application")
        verbose_name_plural = _("bridge applications")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "target"],
                condition=models.Q(status="submitted"),
                name="careers_one_open_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.target}"

    @property
    def target_label(self) -> str:
        from .words import target_name

        return target_name(self.target)


# the tables of honours selection and skill-linked pay live in their own modules
from .models_honours import (  # noqa: E402
    CompositionRule,
    DisqualifyingRecord,
    HonourNomination,
    HonourQuota,
    HonourRound,
    NominationDocument,
)
from .models_pay import PayBand, SkillAllowance, WorkerPay  # noqa: E402
from .models_programmes import (  # noqa: E402
    Programme,
    ProgrammeApplication,
    ProgrammePartner,
    ProgrammePlaces,
    ProgrammeProgress,
    ProgrammeSubsidyLine,
)

__all__ = [
    "BridgeApplication",
    "BridgeRule",
    "CareerTable",
    "CompositionRule",
    "DisqualifyingRecord",
    "EquivalenceRow",
    "ExpertLevel",
    "HonourNomination",
    "HonourQuota",
    "HonourRound",
    "NominationDocument",
    "PayBand",
    "ProfessionalTitle",
    "Programme",
    "ProgrammeApplication",
    "ProgrammePartner",
    "ProgrammePlaces",
    "ProgrammeProgress",
    "ProgrammeSubsidyLine",
    "SkillAllowance",
    "WorkerPay",
]
from .models_apprentice import (  # noqa: E402
    Apprentice,
    ApprenticeClaimDocument,
    ApprenticeCohort,
    ApprenticePilot,
    ApprenticePlanItem,
    ApprenticeProgress,
    ApprenticeRule,
    ApprenticeSubsidyClaim,
    ApprenticeSubsidyLine,
    TrainingInstitution,
)

__all__ += [
    "Apprentice",
    "ApprenticeClaimDocument",
    "ApprenticeCohort",
    "ApprenticePilot",
    "ApprenticePlanItem",
    "ApprenticeProgress",
    "ApprenticeRule",
    "ApprenticeSubsidyClaim",
    "ApprenticeSubsidyLine",
    "TrainingInstitution",
]
from .models_experts import (  # noqa: E402
    ExpertApplication,
    ExpertAppointment,
    ExpertCall,
    ExpertQuota,
    ExpertTieRule,
)

__all__ += ["ExpertApplication", "ExpertAppointment", "ExpertCall", "ExpertQuota", "ExpertTieRule"]
from .models_grades import ManagementGrade  # noqa: E402

__all__ += ["ManagementGrade"]
