"""Marking-scheme tables of the competitions app (criteria → sub-criteria → aspects), judges,
declared conflicts and marks. Imported by ``models.py`` (Django finds them there)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet

COMP_PATH = "competition__organization__path"

# --------------------------------------------------------------------------- marking scheme


class Criterion(models.Model):
    trade = models.ForeignKey(
        "competitions.Trade", on_delete=models.CASCADE, related_name="criteria"
    )
    letter = models.CharField(_("letter"), max_length=2)
    name = models.CharField(_("name"), max_length=200)

    SCOPE_PATH = "trade__" + COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["trade", "letter"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["trade", "letter"], name="criterion_unique_letter")
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"


class SubCriterion(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="sub_criteria")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["criterion", "number"]
        verbose_name = _("sub-criterion")
        verbose_name_plural = _("sub-criteria")

    def __str__(self) -> str:
        return f"{self.criterion.letter}{self.number} {self.name}"


class Aspect(models.Model):
    class Kind(models.TextChoices):
        MEASUREMENT = "measurement", _("measurement")
        JUDGEMENT = "judgement", _("judgement")

    class Rule(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("full marks or zero")
        DEDUCTION = "deduction", _("deduction per step beyond tolerance")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    sub_criterion = models.ForeignKey(
        SubCriterion, on_delete=models.CASCADE, related_name="aspects"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="aspects", editable=False
    )
    number = models.PositiveSmallIntegerField(_("number"))
    description = models.CharField(_("description"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    max_mark = models.DecimalField(_("maximum mark"), max_digits=5, decimal_places=2)
    # measurement: rule type and its parameters (target, tolerance, step, deduction per step)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, blank=True)
    target = models.DecimalField(
        _("target value"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance"), max_digits=12, decimal_places=4, default=Decimal(0)
    )
    step = models.DecimalField(_("step"), max_digits=12, decimal_places=4, null=True, blank=True)
    deduction = models.DecimalField(
        _("deduction per step"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # judgement: the written descriptors of scores 0..3
    descriptors = models.JSONField(_("descriptors"), default=list, blank=True)

    class Meta:
        ordering = ["sub_criterion", "number"]
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")

    def __str__(self) -> str:
        return f"{self.label} {self.description}"

    @property
    def label(self) -> str:
        return f"{self.criterion.letter}{self.sub_criterion.number}.{self.number}"

    @staticmethod
    def plain(value: Decimal | None) -> str:
        """A decimal without trailing zeros or exponent (25.0200 → 25.02, 100.0000 → 100)."""
        return "" if value is None else format(value.normalize(), "f")

    @property
    def target_text(self) -> str:
        return self.plain(self.target)

    @property
    def tolerance_text(self) -> str:
        return self.plain(self.tolerance)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.max_mark is None or self.max_mark <= 0:
            errors["max_mark"] = [_("The maximum mark must be positive.")]
        if self.kind == self.Kind.MEASUREMENT:
            if self.rule not in self.Rule.values:
                errors["rule"] = [_("A measurement aspect needs a rule.")]
            if self.target is None:
                errors["target"] = [_("A measurement aspect needs a target value.")]
            if self.tolerance is not None and self.tolerance < 0:
                errors["tolerance"] = [_("The tolerance cannot be negative.")]
            if self.rule == self.Rule.DEDUCTION and (
                not self.step or not self.deduction or self.step <= 0
            ):
                errors["step"] = [
                    _("A deduction rule needs a positive step and a deduction per step.")
                ]
        if errors:
            raise ValidationError(errors)


class JudgeAssignment(models.Model):
    """A judge marks one criterion of one trade at one stage; ``is_chief`` makes them chief judge."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    stage = models.ForeignKey(
        "competitions.Stage", on_delete=models.CASCADE, related_name="judge_assignments"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="judge_assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_assignments"
    )
    is_chief = models.BooleanField(_("chief judge"), default=False)
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)

    SCOPE_PATH = "stage__" + COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "criterion", "id"]
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "criterion", "user"], name="judge_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.criterion}"


class JudgeConflict(models.Model):
    """A conflict of interest a judge declared with one worker."""

    competition = models.ForeignKey(
        "competitions.Competition", on_delete=models.CASCADE, related_name="judge_conflicts"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey("workforce.Worker", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    SCOPE_PATH = COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "user", "worker"], name="judge_conflict_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ≠ {self.worker}"


class Mark(models.Model):
    """What a judge entered for one aspect of one entry. Measurement aspects have one shared row
    (``judge`` is null); judgement aspects one row per judge. ``version`` guards concurrent edits."""

    entry = models.ForeignKey("competitions.Entry", on_delete=models.CASCADE, related_name="marks")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="marks")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("value entered"), max_digits=12, decimal_places=4)
    mark = models.DecimalField(_("mark"), max_digits=6, decimal_places=3)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "entry__" + COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["entry", "aspect", "judge"], name="mark_unique_judge"),
            models.UniqueConstraint(
                fields=["entry", "aspect"],
                condition=models.Q(judge__isnull=True),
                name="mark_unique_measurement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.aspect_id}: {self.value} (v{self.version})"

    @property
    def value_text(self) -> str:
        return Aspect.plain(self.value)
