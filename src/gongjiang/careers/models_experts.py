"""Expert-level selection (技能专家评聘: 首席技师、特级技师 style levels): a yearly call for one of
the enterprise's skill-expert levels (``ExpertLevel``), places per unit, applications by or for
workers, the panel's scores (core.review), the ranking within the places, the public notice
(core.notices) with its objections, and the appointment for a term — re-evaluated at its end.

Scoping: a call through its enterprise, a quota and an application through their unit / the
worker's union, an appointment through the worker's union.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet


class ExpertCall(models.Model):
    """One year's call (评聘通知) for one expert level of an enterprise."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("expert call", "taking applications")
        REVIEWING = "reviewing", pgettext_lazy("expert call", "under review")
        RANKED = "ranked", pgettext_lazy("expert call", "ranked")
        NOTICE = "notice", pgettext_lazy("expert call", "in public notice")
        APPOINTED = "appointed", pgettext_lazy("expert call", "appointed")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="expert_calls",
        verbose_name=_("enterprise"),
    )
    level = models.ForeignKey(
        "careers.ExpertLevel",
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("skill-expert level"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(pgettext_lazy("expert call", "title"), max_length=200)
    places = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    closes_on = models.DateField(_("applications close"))
    notice_days = models.PositiveSmallIntegerField(
        _("notice working days"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), default=60, validators=[MaxValueValidator(100)]
    )
    term_starts_on = models.DateField(_("term starts"), null=True, blank=True)
    # the kinds of document every application must carry (codes of experts_documents.KINDS,
    # comma-separated; empty: none required)
    required_documents = models.CharField(_("required documents"), max_length=200, blank=True)
    state = models.CharField(
        pgettext_lazy("expert call", "stage"),
        max_length=10,
        choices=State.choices,
        default=State.OPEN,
    )
    review = models.ForeignKey(
        "core.ReviewRound", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice = models.ForeignKey(
        "core.PublicNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("expert-level call")
        verbose_name_plural = _("expert-level calls")
        constraints = [
            models.UniqueConstraint(fields=["level", "year"], name="careers_expert_call_year")
        ]

    def __str__(self) -> str:
        return self.title


class ExpertQuota(models.Model):
    """The places of one unit (a workshop, a branch) in a call; the call's places cap the total."""

    call = models.ForeignKey(ExpertCall, on_delete=models.CASCADE, related_name="quotas")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    places = models.PositiveIntegerField(_("places"), validators=[MaxValueValidator(10000)])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["call_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "organization"], name="careers_expert_quota")
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.places}"


class ExpertApplication(models.Model):
    """A worker's application in a call (filed by the worker or by a cadre for them)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("expert application", "submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("expert application", "withdrawn")
        SELECTED = "selected", pgettext_lazy("expert application", "selected")
        TIED = "tied", pgettext_lazy("expert application", "tied at the line")
        NOT_SELECTED = "not_selected", pgettext_lazy("expert application", "not selected")
        STRUCK = "struck", pgettext_lazy("expert application", "struck out after an objection")
        APPOINTED = "appointed", pgettext_lazy("expert application", "appointed")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    call = models.ForeignKey(ExpertCall, on_delete=models.CASCADE, related_name="applications")
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("worker's union"),
    )
    unit = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    statement = models.TextField(_("achievements"), max_length=5000)
    conditions = models.JSONField(default=list)
    status = models.CharField(
        pgettext_lazy("expert application", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
    )
    review_item = models.ForeignKey(
        "core.ReviewItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    struck_reason = models.CharField(_("reason"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["call_id", "id"]
        verbose_name = _("expert-level application")
        verbose_name_plural = _("expert-level applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "worker"],
                condition=~models.Q(status="withdrawn"),
                name="careers_one_expert_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} ({self.call})"


class ExpertApplicationDocument(models.Model):
    """A document of an application (申报表, 业绩证明, 证书 …), stored encrypted under an opaque
    name; ``name`` is the file's name as uploaded (checked, shown, never used as a path)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    application = models.ForeignKey(
        ExpertApplication, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=12)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=100)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    upload = models.FileField(
        _("file"), upload_to="careers/experts/%Y/", storage=private_file_storage
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "application__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return self.title


class ExpertAppointment(models.Model):
    """A worker appointed to an expert level for a term (聘期), from a call or renewed from the
    previous term. In force from ``term_start`` to ``term_end``; it lapses after ``term_end``
    unless a re-evaluation renewed it (the renewal is the next appointment)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="expert_appointments",
        verbose_name=_("worker"),
    )
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    level = models.ForeignKey(
        "careers.ExpertLevel",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("skill-expert level"),
    )
    level_name = models.CharField(_("level"), max_length=40)
    application = models.OneToOneField(
        ExpertApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointment",
    )
    renewed_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    reevaluated_on = models.DateField(_("re-evaluated on"), null=True, blank=True)
    reevaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    renewal_refused = models.BooleanField(_("not renewed"), default=False)
    reevaluation_note = models.CharField(_("note"), max_length=500, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # revocation during the term (解聘): not in force from ``revoked_on`` on (that day included)
    revoked_on = models.DateField(_("revoked from"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATH = "worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-term_start", "-id"]
        verbose_name = _("expert appointment")
        verbose_name_plural = _("expert appointments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="careers_expert_term_order",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_on__isnull=True)
                | (
                    models.Q(revoked_on__lte=models.F("term_end")) & ~models.Q(revocation_reason="")
                ),
                name="careers_expert_revocation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.level_name}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.term_start <= day <= self.term_end and not self.revoked_by_day(day)

    def revoked_by_day(self, day: dt.date) -> bool:
        return self.revoked_on is not None and self.revoked_on <= day

    def state_on(self, day: dt.date) -> str:
        """scheduled / active / renewed / lapsed / revoked on ``day`` (derived, never stored
        twice). A revocation counts from its day on; before it the term reads as it did."""
        if self.revoked_by_day(day):
            return "revoked"
        if day < self.term_start:
            return "scheduled"
        if day <= self.term_end:
            return "active"
        renewal = getattr(self, "renewal", None) if self.pk else None
        return "renewed" if renewal is not None else "lapsed"


class ExpertTieRule(models.Model):
    """How an enterprise breaks a tie at the line when a place is freed during the public notice
    (experts_rules.break_tie); an enterprise without a row follows the platform default."""

    class Rule(models.TextChoices):
        CRITERION_THEN_LEVEL_DATE = (
            "criterion_date",
            _(
                "the higher score on the first criterion, then the longer at the level's skill "
                "level; still equal: the panel decides"
            ),
        )
        PANEL = "panel", _("the panel decides every tie")

    organization = models.OneToOneField(
        "core.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    rule = models.CharField(
        _("tie at a freed place"),
        max_length=16,
        choices=Rule.choices,
        default=Rule.CRITERION_THEN_LEVEL_DATE,
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert-level tie rule")
        verbose_name_plural = _("expert-level tie rules")

    def __str__(self) -> str:
        return f"{self.organization}: {self.rule}"
