"""Enterprise new-style apprenticeship (企业新型学徒制): the rules table, pilot enterprises, training
institutions, cohorts, apprentices with their training agreement and two mentors, the training
plan, monthly progress, and the subsidy claims of a cohort with their documents.

Money is never kept here: a claim's payment is a debit of a core ledger fund
(``ApprenticeSubsidyClaim.payment``). The level an apprentice reaches is never written here either:
the certification app issues it (``Apprentice.candidate`` → its certificate).

Scoping: everything through the pilot enterprise's union (``…pilot__organization__path``); a rule
and an institution through the organisation that set them. The apprentice, the enterprise mentor and
the institution teacher also read their own apprenticeship (apprenticeship_selectors).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.ledger.models import money_field
from gongjiang.core.scoping import ScopedQuerySet

HOURS = [MinValueValidator(0), MaxValueValidator(2000)]


class ApprenticeRule(models.Model):
    """A rule of the apprenticeship set by one organisation for its subtree (a province, a city or
    an enterprise); the policy stands where no organisation set one (apprenticeship_rules.POLICY)."""

    class Key(models.TextChoices):
        PERIOD_MIN = "period_min", _("shortest training period (months)")
        PERIOD_MAX = "period_max", _("longest regular training period (months)")
        PERIOD_SPECIAL_MAX = "period_special_max", _("longest training period, special cases")
        SUBSIDY = "subsidy_per_year", _("subsidy per apprentice and year (yuan)")
        MENTOR_LEVEL = "mentor_min_level", _("enterprise mentor's lowest skill level")
        MENTOR_LIMIT = "mentor_max_apprentices", _("apprentices per enterprise mentor, at most")
        CONTRACT_MIN = "contract_min_months", _("shortest labour contract (months)")
        DOCUMENTS = "required_documents", _("documents of a subsidy claim")
        ADVANCE = "subsidy_advance_pct", _("advance payment of the yearly subsidy, at most (%)")

    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    key = models.CharField(_("rule"), max_length=24, choices=Key.choices)
    level = models.CharField(_("target level"), max_length=30, blank=True)
    value = models.CharField(_("value"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "key", "level"]
        verbose_name = _("apprenticeship rule")
        verbose_name_plural = _("apprenticeship rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "level"], name="careers_apprentice_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class ApprenticePilot(models.Model):
    """A pilot enterprise of the new-style apprenticeship (its enterprise union)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.OneToOneField(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="apprentice_pilot",
        verbose_name=_("enterprise"),
    )
    since = models.DateField(_("pilot since"))
    designated_by = models.CharField(_("designated by"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path"]
        verbose_name = _("pilot enterprise")
        verbose_name_plural = _("pilot enterprises")

    def __str__(self) -> str:
        return self.organization.name


class TrainingInstitution(models.Model):
    """A training institution (技工院校, 职业院校, 培训机构, 企业培训中心, 公共实训基地) registered by a
    union for the pilots of its subtree."""

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("technical school")
        VOCATIONAL = "vocational", _("vocational college")
        TRAINING = "training", _("vocational training body")
        ENTERPRISE = "enterprise", _("enterprise training centre")
        PUBLIC = "public", _("public training base")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    name = models.CharField(_("institution"), max_length=100)
    kind = models.CharField(_("institution kind"), max_length=12, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("training institution")
        verbose_name_plural = _("training institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="careers_institution_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApprenticeCohort(models.Model):
    """A class of apprentices of one pilot with one institution (一班一方案)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    pilot = models.ForeignKey(ApprenticePilot, on_delete=models.PROTECT, related_name="cohorts")
    institution = models.ForeignKey(
        TrainingInstitution,
        on_delete=models.PROTECT,
        related_name="cohorts",
        verbose_name=_("training institution"),
    )
    name = models.CharField(_("cohort"), max_length=100)
    occupation = models.ForeignKey(
        "core.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("occupation")
    )
    level = models.ForeignKey(
        "core.SkillLevel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("target level"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "pilot__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("apprentice cohort")
        verbose_name_plural = _("apprentice cohorts")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "name"], name="careers_cohort_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Apprentice(models.Model):
    """An apprentice (a new hire or a transferred worker of the registry) with the training
    agreement (培养协议) and the two mentors."""

    class Origin(models.TextChoices):
        NEW_HIRE = "new_hire", _("new hire")
        TRANSFERRED = "transferred", _("transferred to a new post")

    class Status(models.TextChoices):
        TRAINING = "training", pgettext_lazy("apprentice", "in training")
        COMPLETED = "completed", pgettext_lazy("apprentice", "training completed")
        TERMINATED = "terminated", pgettext_lazy("apprentice", "agreement ended early")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    cohort = models.ForeignKey(
        ApprenticeCohort, on_delete=models.PROTECT, related_name="apprentices"
    )
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="apprenticeships",
        verbose_name=_("apprentice"),
    )
    origin = models.CharField(_("apprentice is"), max_length=12, choices=Origin.choices)
    # the training agreement
    agreement_number = models.CharField(_("agreement number"), max_length=40, blank=True)
    signed_on = models.DateField(_("agreement signed on"))
    contract_months = models.PositiveSmallIntegerField(
        _("labour contract (months)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    starts_on = models.DateField(_("training starts on"))
    ends_on = models.DateField(_("training ends on"))
    special_reason = models.CharField(
        _("reason for a period beyond the regular longest"), max_length=300, blank=True
    )
    # the two mentors
    mentor = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="apprentices_mentored",
        verbose_name=_("enterprise mentor"),
    )
    teacher_name = models.CharField(_("institution teacher"), max_length=50)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("institution teacher's login"),
    )
    status = models.CharField(
        pgettext_lazy("apprentice", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.TRAINING,
    )
    ended_on = models.DateField(_("completed or ended on"), null=True, blank=True)
    end_note = models.CharField(_("note"), max_length=300, blank=True)
    # the skill-level evaluation the completion led into (certification issues the level)
    candidate = models.OneToOneField(
        "certification.Candidate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="apprenticeship",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "cohort__pilot__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["cohort_id", "worker__name_pinyin", "id"]
        verbose_name = _("apprentice")
        verbose_name_plural = _("apprentices")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(status="training"),
                name="careers_one_apprenticeship_in_training",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="careers_apprentice_period_order",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "status"], name="careers_apprentice_mentor")]

    def __str__(self) -> str:
        return f"{self.worker} ({self.cohort})"


class ApprenticePlanItem(models.Model):
    """One item of an apprentice's training plan: a course of the learning system (its hours are
    credited when done), a workplace task or an assessment."""

    class Kind(models.TextChoices):
        COURSE = "course", _("course")
        TASK = "task", _("workplace task")
        ASSESSMENT = "assessment", _("assessment")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    apprentice = models.ForeignKey(Apprentice, on_delete=models.CASCADE, related_name="plan_items")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("plan item", "title"), max_length=200)
    course = models.ForeignKey(
        "learning.Course",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("course"),
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, validators=HOURS)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "apprentice__cohort__pilot__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["apprentice_id", "due_on", "id"]
        verbose_name = _("training plan item")
        verbose_name_plural = _("training plan items")

    def __str__(self) -> str:
        return self.title


class ApprenticeProgress(models.Model):
    """One month of an apprentice's training: hours at the workplace and at the institution, what
    was learnt, and the mentor's word."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    apprentice = models.ForeignKey(Apprentice, on_delete=models.CASCADE, related_name="progress")
    month = models.DateField(_("month"))  # the first day of the month
    workplace_hours = models.DecimalField(
        _("hours at the workplace"), max_digits=6, decimal_places=1, validators=HOURS
    )
    institution_hours = models.DecimalField(
        _("hours at the institution"), max_digits=6, decimal_places=1, validators=HOURS
    )
    summary = models.CharField(_("what was learnt"), max_length=500)
    mentor_comment = models.CharField(_("mentor's comment"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "apprentice__cohort__pilot__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["apprentice_id", "month"]
        verbose_name = _("monthly progress")
        verbose_name_plural = _("monthly progress")
        constraints = [
            models.UniqueConstraint(
                fields=["apprentice", "month"], name="careers_apprentice_progress_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.apprentice_id} {self.month:%Y-%m}"


class ApprenticeSubsidyClaim(models.Model):
    """A cohort's subsidy claim for one calendar year: one line per apprentice (the months of
    training begun that year × the yearly amount / 12, to the fen), the required documents,
    submission by one person and approval by another, payment from a ledger fund."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("claim", "draft")
        SUBMITTED = "submitted", pgettext_lazy("claim", "submitted")
        APPROVED = "approved", pgettext_lazy("claim", "approved")
        REJECTED = "rejected", pgettext_lazy("claim", "rejected")
        PAID = "paid", pgettext_lazy("claim", "paid")
        # a submitted claim its preparer corrected: kept as it was, replaced by a new version
        CORRECTED = "corrected", pgettext_lazy("claim", "corrected")

    class Kind(models.TextChoices):
        FINAL = "final", pgettext_lazy("claim", "the year's claim")
        ADVANCE = "advance", pgettext_lazy("claim", "advance payment")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    cohort = models.ForeignKey(ApprenticeCohort, on_delete=models.PROTECT, related_name="claims")
    # an advance claims part of the year's amount ahead (advance_percent, at most the rule's);
    # the year's final claim then deducts what the paid advance paid (advance_deducted)
    kind = models.CharField(
        pgettext_lazy("claim", "kind"), max_length=8, choices=Kind.choices, default=Kind.FINAL
    )
    advance_percent = models.DecimalField(
        _("advance (% of the year's amount)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    advance_deducted = money_field(_("advance deducted"), default=0)
    version = models.PositiveSmallIntegerField(
        pgettext_lazy("claim", "version"), default=1, validators=[MaxValueValidator(100)]
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    rate = money_field(_("subsidy per apprentice and year"))
    rate_source = models.CharField(_("source"), max_length=200, blank=True)
    total = money_field(_("amount claimed"))
    status = models.CharField(
        pgettext_lazy("claim", "status"), max_length=10, choices=Status.choices, default="draft"
    )
    required_documents = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    payment = models.OneToOneField(
        "core.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    SCOPE_PATH = "cohort__pilot__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("apprenticeship subsidy claim")
        verbose_name_plural = _("apprenticeship subsidy claims")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "year", "kind"],
                condition=~models.Q(status__in=["rejected", "corrected"]),
                name="careers_one_claim_per_cohort_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort} {self.year}"


class ApprenticeSubsidyLine(models.Model):
    claim = models.ForeignKey(
        ApprenticeSubsidyClaim, on_delete=models.CASCADE, related_name="lines"
    )
    apprentice = models.ForeignKey(Apprentice, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField(
        _("months"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    amount = money_field(_("amount"))

    SCOPE_PATH = "claim__cohort__pilot__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "apprentice"], name="careers_subsidy_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.apprentice_id}: {self.amount}"


class ApprenticeClaimDocument(models.Model):
    """A document of a claim (培养协议, 劳动合同, 培训计划, 花名册 …), stored encrypted."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    claim = models.ForeignKey(
        ApprenticeSubsidyClaim, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=12)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=100)
    upload = models.FileField(
        _("file"), upload_to="careers/apprenticeship/%Y/", storage=private_file_storage
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "claim__cohort__pilot__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["claim_id", "id"]

    def __str__(self) -> str:
        return self.title
