"""Tables of revenue sharing (收益分红): a scheme per commercialised result, its yearly records and
each member's part.

A scheme belongs to the result's union organisation (``organization``) and is scoped like the
result. A year is entered by one user and certified by another (separation of duties); certifying
computes the pool and the members' parts (split.py) and freezes them; paying posts one ledger debit
per part to the scheme's fund (core.ledger).

A certified year is never changed in place: a correction (更正) is asked for by one user with the
reason and a supporting document and approved by another; approving adds a new set of parts that
replaces the current one (kept, marked ``replaced_by``) and, for a paid year, reverses the replaced
parts' ledger debits and posts the new ones (revenue_corrections.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet

from .models_results import Result, code_field

VIEW_REVENUE = "innovation.view_revenue"
MONEY = {"max_digits": 14, "decimal_places": 2}


class RevenueQuerySet(ScopedQuerySet):
    def default_perm(self) -> str:
        return VIEW_REVENUE


class RevenueScheme(models.Model):
    class Mode(models.TextChoices):
        TRANSFER = "transfer", _("transfer")
        LICENCE = "licence", _("licence")
        EQUITY = "equity", _("investment as equity")
        OWN_USE = "own_use", _("used by the enterprise itself")

    class Basis(models.TextChoices):
        STATUTORY = "statutory", _("statutory minimum (art. 45)")
        AGREEMENT = "agreement", _("agreement with the team")

    code = code_field()
    result = models.ForeignKey(
        Result, on_delete=models.PROTECT, related_name="revenue_schemes", verbose_name=_("result")
    )
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="innovation_revenue_schemes",
        verbose_name=_("union organisation"),
    )
    mode = models.CharField(
        _("how the result is commercialised"), max_length=10, choices=Mode.choices
    )
    basis = models.CharField(_("sharing basis"), max_length=10, choices=Basis.choices)
    share = models.DecimalField(
        _("share for the team"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    agreement = models.CharField(_("agreement (reference and terms)"), max_length=500, blank=True)
    first_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    own_use_years = models.PositiveSmallIntegerField(
        _("years of sharing (own use, 3–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(5)],
    )
    fund = models.ForeignKey(
        "core.Fund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("fund the shares are paid from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RevenueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("revenue-sharing scheme")
        verbose_name_plural = _("revenue-sharing schemes")
        constraints = [
            models.UniqueConstraint(fields=["result", "mode"], name="innov_revenue_scheme_unique"),
            models.CheckConstraint(
                condition=models.Q(share__gte=0) & models.Q(share__lte=1),
                name="innov_revenue_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result} · {self.get_mode_display()}"

    def clean(self) -> None:
        if self.mode == self.Mode.OWN_USE:
            if self.own_use_years is None:
                raise ValidationError(
                    {"own_use_years": _("Own use shares the profit for 3 to 5 years.")}
                )
        elif self.own_use_years is not None:
            raise ValidationError({"own_use_years": _("Only own use has a number of years.")})
        if self.basis == self.Basis.AGREEMENT and not self.agreement.strip():
            raise ValidationError({"agreement": _("Name the agreement and its terms.")})

    @property
    def last_year(self) -> int | None:
        """The last year a share of operating profit is due (own use only)."""
        if self.own_use_years is None:
            return None
        return self.first_year + self.own_use_years - 1


class RevenueYear(models.Model):
    class Status(models.TextChoices):
        ENTERED = "entered", _("entered")
        CERTIFIED = "certified", _("certified")
        PAID = "paid", pgettext_lazy("innovation", "paid")

    code = code_field()
    scheme = models.ForeignKey(RevenueScheme, on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField(
        pgettext_lazy("innovation", "year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    amount = models.DecimalField(
        _("net income, equity value or operating profit (yuan)"),
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    note = models.CharField(_("basis of the figure"), max_length=500, blank=True)
    status = models.CharField(
        pgettext_lazy("innovation", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.ENTERED,
    )
    share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    pool = models.DecimalField(null=True, blank=True, **MONEY)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATH = "scheme__organization__path"
    objects = RevenueQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "year"]
        verbose_name = _("revenue-sharing year")
        verbose_name_plural = _("revenue-sharing years")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year"], name="innov_revenue_year_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="innov_revenue_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.year}"


class RevenueCorrection(models.Model):
    """A correction of a certified (or paid) year: the corrected figure and contribution shares,
    why, and the supporting document; asked for by one user, approved or rejected by another.
    Approving freezes the share and pool it applied and the parts it made (``parts``)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("awaiting approval")
        APPROVED = "approved", pgettext_lazy("correction", "approved")
        REJECTED = "rejected", pgettext_lazy("correction", "rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("correction", "withdrawn")

    code = code_field()
    year = models.ForeignKey(RevenueYear, on_delete=models.PROTECT, related_name="corrections")
    number = models.PositiveSmallIntegerField(_("correction number"))
    status = models.CharField(
        pgettext_lazy("innovation", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.REQUESTED,
    )
    amount = models.DecimalField(
        _("corrected figure (yuan)"), validators=[MinValueValidator(0)], **MONEY
    )
    note = models.CharField(_("basis of the corrected figure"), max_length=500, blank=True)
    # the corrected contribution shares: [[worker code, "50.00"], ...] (0 drops the member)
    contributions = models.JSONField(default=list)
    reason = models.CharField(_("reason for the correction"), max_length=500)
    document = models.FileField(
        _("supporting document"),
        upload_to="innovation/revenue/%Y/",
        storage=private_file_storage,
    )
    document_type = models.CharField(max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason for the decision"), max_length=500, blank=True)
    share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    # the share asked for (null: the year's share stays); applied to the corrected year only
    new_share = models.DecimalField(
        _("corrected share for the team"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    pool = models.DecimalField(null=True, blank=True, **MONEY)

    SCOPE_PATH = "year__scheme__organization__path"
    objects = RevenueQuerySet.as_manager()

    class Meta:
        ordering = ["year", "number"]
        verbose_name = _("revenue-sharing correction")
        verbose_name_plural = _("revenue-sharing corrections")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"], name="innov_revenue_correction_number"
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(status="requested"),
                name="innov_revenue_one_open_correction",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="innov_revenue_correction_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} #{self.number}"


class RevenuePart(models.Model):
    """A member's part of a certified year: contribution, the exact part, the part to the fen.
    ``correction`` is the correction that made it (none: the certification); ``replaced_by`` the
    one that replaced it (none: the part counts)."""

    code = code_field()
    year = models.ForeignKey(RevenueYear, on_delete=models.PROTECT, related_name="parts")
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.PROTECT, related_name="revenue_parts"
    )
    contribution = models.DecimalField(max_digits=5, decimal_places=2)
    exact = models.DecimalField(max_digits=22, decimal_places=6)
    amount = models.DecimalField(validators=[MinValueValidator(0)], **MONEY)
    extra_fen = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    statement_seen_at = models.DateTimeField(null=True, blank=True)
    correction = models.ForeignKey(
        RevenueCorrection, null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    replaced_by = models.ForeignKey(
        RevenueCorrection,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_parts",
    )

    SCOPE_PATH = "year__scheme__organization__path"
    objects = RevenueQuerySet.as_manager()

    class Meta:
        ordering = ["year", "position", "id"]
        verbose_name = _("revenue share of a member")
        verbose_name_plural = _("revenue shares of members")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "worker"],
                condition=models.Q(replaced_by__isnull=True),
                name="innov_revenue_part_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.amount}"
