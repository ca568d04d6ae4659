"""Skill-linked pay (技能导向的薪酬, 《关于提高技术工人待遇的意见》2018): an enterprise's pay bands per
channel and level, skill allowances per level and the chief-technician allowance, and a worker's
recorded band with their individual pay — optional, encrypted at rest (core.crypto), read only by
the ``hr`` role of the enterprise subtree."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.scoping import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_MAX = Decimal("9999999999.99")
CHANNELS = [
    ("skill", _("skills channel")),
    ("title", _("professional-technical channel")),
    ("management", _("management channel")),
]
CHIEF = "CHIEF_ALLOWANCE"  # the chief-technician allowance's row in SkillAllowance


class PayBand(models.Model):
    """The monthly pay band (yuan) of one level of one channel in one enterprise."""

    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=CHANNELS)
    level = models.CharField(pgettext_lazy("pay band", "level"), max_length=30)
    band_min = models.DecimalField(
        _("band from"), validators=[MinValueValidator(0), MaxValueValidator(MONEY_MAX)], **MONEY
    )
    band_max = models.DecimalField(
        _("band to"), validators=[MinValueValidator(0), MaxValueValidator(MONEY_MAX)], **MONEY
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "channel", "band_min", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "channel", "level"], name="careers_payband_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.level}: {self.band_min}–{self.band_max}"


class SkillAllowance(models.Model):
    """A monthly skill allowance (技能津贴) for a skill level, or the chief-technician allowance
    (level ``CHIEF_ALLOWANCE``)."""

    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    level = models.CharField(pgettext_lazy("pay band", "level"), max_length=30)
    amount = models.DecimalField(
        _("monthly amount"),
        validators=[MinValueValidator(0), MaxValueValidator(MONEY_MAX)],
        **MONEY,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "level"], name="careers_allowance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.amount}"


class WorkerPay(models.Model):
    """The band payroll has a worker in, and optionally their monthly pay (encrypted)."""

    worker = models.OneToOneField(
        "workforce.Worker", on_delete=models.CASCADE, related_name="+", verbose_name=_("worker")
    )
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    recorded_channel = models.CharField(_("recorded channel"), max_length=12, choices=CHANNELS)
    recorded_level = models.CharField(_("recorded level"), max_length=30)
    pay_encrypted = models.TextField(blank=True)  # core.crypto token of the monthly pay, or ""
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "id"]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.recorded_channel}/{self.recorded_level}"
