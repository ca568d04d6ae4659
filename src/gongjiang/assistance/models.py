"""Hardship files (困难职工档案), the standards they are assessed against, support lines and records,
campaigns and visits.

Sensitive fields (household members, health, income, debts, causes, the assessment's reasons) are
kept in one encrypted JSON document per file (core.crypto, like citizen IDs): never in plain text
in the database, the logs or the audit log. Lists show only the masked name and the category.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core import crypto
from gongjiang.core.codes import new_code
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet
from gongjiang.core.validators import mask_name

VIEW = "assistance.view"
MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class AssistanceQuerySet(ScopedQuerySet):
    """Scoped by the separate hardship-data permission: ordinary officers see nothing."""

    def default_perm(self) -> str:
        return VIEW


def code_field() -> models.CharField:
    return models.CharField(_("code"), max_length=20, unique=True, default=new_code, editable=False)


class Category(models.TextChoices):
    DEEP = "deep", _("deep hardship")
    RELATIVE = "relative", _("relative hardship")
    SUDDEN = "sudden", _("hardship from a sudden event")
    NONE = "none", _("not in hardship")


class Standard(models.Model):
    """A local minimum-living standard (低保) of a region (GB/T 2260) for a year, with its source."""

    code = code_field()
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    monthly_minimum = models.DecimalField(
        _("monthly minimum per person"),
        validators=[MinValueValidator(Decimal("0.01"))],
        **MONEY,
    )
    edge_multiple = models.DecimalField(
        _("edge multiple"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("5.00"))],
    )
    source = models.CharField(_("source"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "region_id"]
        verbose_name = _("minimum-living standard")
        verbose_name_plural = _("minimum-living standards")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="assistance_standard_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


class HardshipFile(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("applied, awaiting the union's check")
        NOTICE = "notice", _("checked, under public notice")
        FILED = "filed", _("filed")
        REFUSED = "refused", _("refused")
        EXITED = "exited", _("exited")
        WITHDRAWN = "withdrawn", _("consent withdrawn")
        ANONYMISED = "anonymised", _("anonymised")

    class ExitReason(models.TextChoices):
        INCOME = "income", _("income above the line")
        EMPLOYED = "employed", _("a member found work")
        RECOVERED = "recovered", _("recovered from illness")
        LEFT = "left", _("left the union")
        DECEASED = "deceased", _("deceased")
        OTHER = "other", _("other")

    ACTIVE = (Status.APPLIED, Status.NOTICE, Status.FILED)

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("union organisation"),
    )
    worker = models.ForeignKey(
        "workforce.Worker",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hardship_files",
        verbose_name=_("worker"),
    )
    masked_name = models.CharField(_("name"), max_length=50, blank=True)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.NONE
    )
    members_count = models.PositiveSmallIntegerField(_("household members"), default=1)
    standard = models.ForeignKey(
        Standard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sensitive_encrypted = models.TextField(blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    notice = models.ForeignKey(
        "core.PublicNotice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    verify_due_on = models.DateField(_("re-verification due"), null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # the due date / notice end a reminder was last sent for (reminders.py: once each, never daily)
    verify_reminded_for = models.DateField(null=True, blank=True, editable=False)
    notice_reminded_for = models.DateField(null=True, blank=True, editable=False)
    exit_reason = models.CharField(
        _("exit reason"), max_length=12, choices=ExitReason.choices, blank=True
    )
    exit_note = models.CharField(_("exit note"), max_length=500, blank=True)
    exited_on = models.DateField(_("exit date"), null=True, blank=True)
    consent_text = models.TextField(_("consent text"), blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # the help request (职工服务中心, category hardship) this application was opened from: one file
    # per request at most (the one-to-one is a unique index, so two clicks at once cannot both win)
    help_request = models.OneToOneField(
        "members.HelpRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assistance_file",
        editable=False,
        verbose_name=_("help request"),
    )

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        indexes = [models.Index(fields=["status", "verify_due_on"], name="assist_file_status")]

    def __str__(self) -> str:
        return self.masked_name or self.code

    # the encrypted document: members, housing, debts, causes, sudden event, assessment
    def sensitive(self) -> dict[str, Any]:
        if not self.sensitive_encrypted:
            return {}
        return json.loads(crypto.decrypt(self.sensitive_encrypted))

    def set_sensitive(self, data: dict[str, Any]) -> None:
        self.sensitive_encrypted = crypto.encrypt(json.dumps(data, ensure_ascii=False))

    def set_name(self, name: str) -> None:
        self.masked_name = mask_name(name)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def in_progress(self) -> bool:
        """Applied or under notice: not decided yet (filed and refused are decisions)."""
        return self.status in (self.Status.APPLIED, self.Status.NOTICE)


class FileDocument(models.Model):
    """A scan attached to a file (stored encrypted at rest)."""

    code = code_field()
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=100)
    upload = models.FileField(
        _("file"), upload_to="assistance/documents/%Y/", storage=private_file_storage
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "file__organization__path"
    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Reassessment(models.Model):
    """A change of category found when a standard changed: listed for review, never applied silently."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("hardship file", "awaiting review")
        APPLIED = "applied", _("applied")
        DISMISSED = "dismissed", _("dismissed")

    code = code_field()
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="reassessments")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    old_category = models.CharField(_("category before"), max_length=10, choices=Category.choices)
    new_category = models.CharField(_("category after"), max_length=10, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATH = "file__organization__path"
    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("re-assessment")
        verbose_name_plural = _("re-assessments")

    def __str__(self) -> str:
        return f"{self.file} {self.old_category}→{self.new_category}"


class SupportLine(models.Model):
    """A line of support (保障线) of an organisation, with its rules."""

    class Kind(models.TextChoices):
        LIVING = "living", _("living support")
        MEDICAL = "medical", _("medical support")
        SCHOOLING = "schooling", _("schooling support")
        EMPLOYMENT = "employment", _("employment support")
        LEGAL = "legal", _("legal aid")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    eligible_categories = models.JSONField(_("eligible categories"), default=list)
    min_amount = models.DecimalField(_("smallest amount"), default=ZERO, **MONEY)
    max_amount = models.DecimalField(_("largest amount"), default=ZERO, **MONEY)
    cap_person = models.DecimalField(_("yearly cap per person"), default=ZERO, **MONEY)
    cap_household = models.DecimalField(_("yearly cap per household"), default=ZERO, **MONEY)
    documents_required = models.CharField(_("documents required"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "kind", "id"]
        verbose_name = _("support line")
        verbose_name_plural = _("support lines")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="assistance_line_org_kind"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SupportRecord(models.Model):
    """Support given along a line: an amount (paid through the fund ledger) or a service."""

    class Status(models.TextChoices):
        DECIDED = "decided", _("decided, awaiting payment")
        PAID = "paid", _("paid")
        DONE = "done", _("service given")
        REVERSED = "reversed", _("reversed")

    code = code_field()
    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="support")
    line = models.ForeignKey(SupportLine, on_delete=models.PROTECT, related_name="records")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    beneficiary = models.CharField(_("beneficiary"), max_length=30, default="本人")
    amount = models.DecimalField(_("amount"), default=ZERO, **MONEY)
    service = models.CharField(_("service"), max_length=300, blank=True)
    term = models.CharField(_("term"), max_length=30, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DECIDED
    )
    fund = models.ForeignKey(
        "core.Fund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        "core.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal = models.ForeignKey(
        "core.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("support record")
        verbose_name_plural = _("support records")
        indexes = [models.Index(fields=["file", "line", "year"], name="assist_support_caps")]

    def __str__(self) -> str:
        return f"{self.line} {self.amount}"


class Campaign(models.Model):
    """A visiting campaign (两节送温暖, 金秋助学, 慰问) with its budget and fund."""

    class Kind(models.TextChoices):
        SPRING = "spring", pgettext_lazy("campaign", "holiday warmth (两节送温暖)")
        AUTUMN = "autumn", pgettext_lazy("campaign", "autumn schooling (金秋助学)")
        CONDOLENCE = "condolence", pgettext_lazy("campaign", "condolence visit (慰问)")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.DecimalField(_("budget"), **MONEY)
    fund = models.ForeignKey("core.Fund", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    code = code_field()
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="visits")
    gift = models.CharField(_("what was given"), max_length=200)
    amount = models.DecimalField(_("amount"), default=ZERO, **MONEY)
    visited_on = models.DateField(_("visit date"))
    receipt = models.FileField(
        _("signed receipt"),
        upload_to="assistance/receipts/%Y/",
        storage=private_file_storage,
        blank=True,
    )
    payment = models.ForeignKey(
        "core.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "campaign__organization__path"
    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "file"], name="assistance_visit_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.file}"


class Budget(models.Model):
    """A fund's budget for one support line in one year (资金预算); support paid from the fund on
    the line that year is spent against it and may not exceed it."""

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey("core.Fund", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(SupportLine, on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(_("budget"), validators=[MinValueValidator(ZERO)], **MONEY)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "fund_id", "line__kind", "id"]
        verbose_name = pgettext_lazy("fund", "budget")
        verbose_name_plural = pgettext_lazy("fund", "budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "line", "year"], name="assistance_budget_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.line_id} {self.year}"
