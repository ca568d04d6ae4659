"""The yearly budget of a reward fund (奖励基金年度预算): how much of the fund may be paid out in one
calendar year, beyond what the ledger holds. One officer of the fund's union proposes the amount
for a year; another approves it (separation of duties). Until approved, the amount in force stays
the one approved before (or none: then only the fund's balance limits payments).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.scoping import ScopedQuerySet

from .models_results import code_field

MONEY = {"max_digits": 14, "decimal_places": 2}


class FundBudgetQuerySet(ScopedQuerySet):
    def default_perm(self) -> str:
        return "core.view_fund"


class FundBudget(models.Model):
    code = code_field()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        "core.Fund", on_delete=models.PROTECT, related_name="innovation_budgets"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        _("approved budget (yuan)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    proposed_amount = models.DecimalField(
        _("proposed budget (yuan)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FundBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["fund_id", "-year"]
        verbose_name = _("yearly budget of a reward fund")
        verbose_name_plural = _("yearly budgets of reward funds")
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="innov_fundbudget_unique"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="innov_fundbudget_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.year}"
