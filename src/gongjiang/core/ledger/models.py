"""Funds and their append-only ledger. Imported by ``core.models`` (Django finds the tables there).

A fund belongs to one organisation; its balance lives on the fund row and moves only through
:mod:`gongjiang.core.ledger.services`, which lock the row, append an entry and update the balance in
one transaction. Entries are never changed nor deleted: a mistake is corrected by a reversing entry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..codes import new_code
from ..scoping import ScopedQuerySet

#: fen-exact money: 12 digits of yuan and 2 of fen (up to 999,999,999,999.99)
MONEY_DIGITS = 14
MONEY_PLACES = 2
MAX_AMOUNT = Decimal("999999999999.99")


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs
    )


class Currency(models.TextChoices):
    CNY = "CNY", _("yuan (CNY)")


class Fund(models.Model):
    """A pot of money of one organisation (a hardship fund, a reward fund, a training grant)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="funds",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    balance = money_field(_("balance"), default=Decimal("0.00"), editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="core_fund_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="core_fund_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LedgerEntryQuerySet(ScopedQuerySet):
    """Entries are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("ledger entries are append-only: post a reversing entry")

    def delete(self) -> Any:
        raise TypeError("ledger entries are append-only: post a reversing entry")


class LedgerEntry(models.Model):
    """One credit or debit of a fund, with the balance it left. Never changed, never deleted."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("credit")
        DEBIT = "debit", _("debit")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund")
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    amount = money_field(_("amount"))
    balance_after = money_field(_("balance after"))
    # what the money is for: an object of any app (its opaque code), or a text reference
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    object_code = models.CharField(_("object"), max_length=40, blank=True)
    reference = models.CharField(pgettext_lazy("ledger", "reference"), max_length=200, blank=True)
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    SCOPE_PATH = "fund__organization__path"
    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["fund_id", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="core_ledgerentry_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0),
                name="core_ledgerentry_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["credit", "debit"]), name="core_ledgerentry_kind"
            ),
        ]
        indexes = [models.Index(fields=["fund", "created_at"], name="core_ledger_fund_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.fund})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise ValidationError(_("Ledger entries cannot be changed: post a reversing entry."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(_("Ledger entries cannot be deleted: post a reversing entry."))

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == self.Kind.CREDIT else -self.amount
