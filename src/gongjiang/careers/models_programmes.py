"""Worker programmes (求学圆梦行动, 农民工技能提升, 金蓝领计划 …): a programme owned by a union for
its subtree, its partner institutions, eligibility, places per unit (a region's union), the
applications with their progress records, and the outcome written once to the registry.

Money is never kept here: the budget is a core ledger fund (``Programme.fund``) and each subsidy is
a debit of it about the application (``ProgrammeApplication.subsidy_entry``).

Scoping: a programme, its partners and places through the owner; an application and its progress
through the worker's union (a worker also reads their own, see programmes_selectors).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code
from gongjiang.core.ledger.models import money_field
from gongjiang.core.scoping import ScopedQuerySet

MAX_YEARS = 8  # academic years a programme may subsidise


class SubsidyBasis(models.TextChoices):
    COMPLETION = "completion", _("once, at completion")
    PER_YEAR = "per_year", _("per academic year of enrolment")


class Programme(models.Model):
    SubsidyBasis = SubsidyBasis

    class Kind(models.TextChoices):
        DEGREE = "degree", _("degree study")
        SKILL = "skill", _("skill training")
        GOLD_COLLAR = "gold_collar", _("gold-collar (senior skills) training")
        OTHER = "other", pgettext_lazy("programme kind", "other")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("programme", "open for applications")
        CLOSED = "closed", pgettext_lazy("programme", "applications closed")
        FINISHED = "finished", pgettext_lazy("programme", "finished")

    class Degree(models.TextChoices):
        NONE = "", pgettext_lazy("degree", "none")
        COLLEGE = "大专", _("junior college (专科)")
        BACHELOR = "本科", _("bachelor (本科)")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="worker_programmes",
        verbose_name=pgettext_lazy("programme", "owner"),
    )
    title = models.CharField(pgettext_lazy("programme", "title"), max_length=200)
    kind = models.CharField(pgettext_lazy("programme", "kind"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    degree = models.CharField(
        _("degree awarded"), max_length=4, choices=Degree.choices, blank=True, default=""
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    state = models.CharField(
        pgettext_lazy("programme", "stage"), max_length=10, choices=State.choices, default="open"
    )
    # eligibility (the rules table of programmes_rules.py gives each kind's defaults and sources)
    employment_types = models.CharField(_("employment types admitted"), max_length=100)
    age_min = models.PositiveSmallIntegerField(
        _("minimum age"), validators=[MinValueValidator(16), MaxValueValidator(70)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), validators=[MinValueValidator(16), MaxValueValidator(70)]
    )
    skill_level_min = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lowest skill level admitted"),
    )
    skill_level_max = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("highest skill level admitted"),
    )
    education_min = models.CharField(_("prior education at least"), max_length=20, blank=True)
    member_required = models.BooleanField(_("union members only"), default=True)
    subsidy_per_person = money_field(_("subsidy per person"))
    # how the subsidy is paid: once at completion (subsidy_per_person), or per academic year of
    # enrolment (subsidy_per_year for each of at most subsidy_years years; subsidy_per_person is then
    # their total, the most one person may receive)
    subsidy_basis = models.CharField(
        _("how the subsidy is paid"),
        max_length=10,
        choices=SubsidyBasis.choices,
        default=SubsidyBasis.COMPLETION,
    )
    subsidy_per_year = money_field(_("subsidy per academic year"), default=0)
    subsidy_years = models.PositiveSmallIntegerField(
        _("academic years subsidised"), default=0, validators=[MaxValueValidator(MAX_YEARS)]
    )
    fund = models.ForeignKey(
        "core.Fund", on_delete=models.PROTECT, related_name="+", verbose_name=_("budget fund")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("worker programme")
        verbose_name_plural = _("worker programmes")

    def __str__(self) -> str:
        return self.title

    def employment_type_list(self) -> list[str]:
        return [t for t in self.employment_types.split(",") if t]


class ProgrammePartner(models.Model):
    """A partner institution: a university, an open university, a vocational or technical college,
    a craftsman college or an enterprise training centre."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("university")
        OPEN_UNIVERSITY = "open_university", _("open university")
        VOCATIONAL = "vocational", _("vocational or technical college")
        CRAFTSMAN = "craftsman", _("craftsman college")
        ENTERPRISE = "enterprise", _("enterprise training centre")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("institution"), max_length=100)
    kind = models.CharField(_("institution kind"), max_length=16, choices=Kind.choices)
    courses = models.CharField(_("majors or courses"), max_length=300, blank=True)

    SCOPE_PATH = "programme__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="careers_partner_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammePlaces(models.Model):
    """The places of one unit (the owner itself or a region's union below it)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="places")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    places = models.PositiveIntegerField(_("places"), validators=[MaxValueValidator(1000000)])

    SCOPE_PATH = "organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organization"], name="careers_programme_places_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.places}"


class ProgrammeApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("programme application", "submitted")
        SELECTED = "selected", pgettext_lazy("programme application", "selected")
        NOT_SELECTED = "not_selected", pgettext_lazy("programme application", "not selected")
        ENROLLED = "enrolled", pgettext_lazy("programme application", "enrolled")
        COMPLETED = "completed", pgettext_lazy("programme application", "completed")
        DROPPED = "dropped", pgettext_lazy("programme application", "dropped out")
        WITHDRAWN = "withdrawn", pgettext_lazy("programme application", "withdrawn")

    class Outcome(models.TextChoices):
        NONE = "", pgettext_lazy("programme outcome", "none")
        GRADUATED = "graduated", _("graduated")
        CERTIFICATE = "certificate", _("certificate obtained")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    unit = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("places of"),
    )
    partner = models.ForeignKey(
        ProgrammePartner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    course = models.CharField(_("major or course"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        pgettext_lazy("programme application", "status"),
        max_length=14,
        choices=Status.choices,
        default=Status.SUBMITTED,
    )
    # the employment type when applying: the reports count what the worker was then
    employment_type = models.CharField(_("employment type"), max_length=12)
    conditions = models.JSONField(default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    student_number = models.CharField(_("student number"), max_length=40, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    certificate_number = models.CharField(
        _("diploma or certificate number"), max_length=40, blank=True
    )
    outcome_ref = models.CharField(max_length=20, blank=True)  # the training record's code
    subsidy_entry = models.OneToOneField(
        "core.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    SCOPE_PATH = "worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("programme application")
        verbose_name_plural = _("programme applications")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "worker"],
                condition=~models.Q(status__in=["withdrawn", "not_selected"]),
                name="careers_one_application_per_programme",
            )
        ]
        indexes = [models.Index(fields=["programme", "unit", "status"], name="careers_app_unit")]

    def __str__(self) -> str:
        return f"{self.worker} ({self.programme})"


class ProgrammeProgress(models.Model):
    """One progress record of an enrolled worker: a term's courses, credits, an exam, a stage."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    application = models.ForeignKey(
        ProgrammeApplication, on_delete=models.CASCADE, related_name="progress"
    )
    date = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("progress", "stage"), max_length=100)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(2000)],
    )
    result = models.CharField(_("result"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "application__worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("progress record")
        verbose_name_plural = _("progress records")

    def __str__(self) -> str:
        return f"{self.title} {self.date}"


class ProgrammeSubsidyLine(models.Model):
    """One academic year's subsidy of an enrolled worker (a programme paid per academic year): the
    year's number from the enrolment (1 = the first year, from ``enrolled_on``), its first day, the
    amount by the programme's rule and the debit of the programme's fund that paid it. One line per
    year, never two."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    application = models.ForeignKey(
        ProgrammeApplication, on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), validators=[MinValueValidator(1), MaxValueValidator(MAX_YEARS)]
    )
    year_from = models.DateField(_("academic year from"))
    amount = money_field(_("amount"))
    entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+", verbose_name=_("payment")
    )
    reference = models.CharField(_("voucher number"), max_length=200, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "application__worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["application_id", "academic_year"]
        verbose_name = _("academic year's subsidy")
        verbose_name_plural = _("academic years' subsidies")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "academic_year"], name="careers_subsidy_line_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.academic_year}"
