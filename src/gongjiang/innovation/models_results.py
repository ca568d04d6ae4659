"""Tables of worker innovation (职工技术创新): results with their teams, patents and effects.

A result belongs to the enterprise union of its employer (``organization``), so it is scoped like
the registry: a role covers the results of its subtree. A worker also sees the results they made or
are a member of (``ResultQuerySet.visible_to``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet

from .patents import normalise_patent_number

VIEW = "innovation.view_result"


def code_field() -> models.CharField:
    return models.CharField(max_length=20, unique=True, default=new_code, editable=False)


class ResultQuerySet(ScopedQuerySet):
    def default_perm(self) -> str:
        return VIEW

    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        """Results in the subtrees the user's roles cover, plus the user's own (made or a member)."""
        qs = super().visible_to(user, perm)
        if not getattr(user, "is_authenticated", False) or getattr(user, "is_superuser", False):
            return qs
        if perm not in (None, VIEW):
            return qs
        own = models.Q(created_by=user) | models.Q(members__worker__user=user)
        return self.filter(models.Q(pk__in=qs.values("pk")) | own).distinct()

    def adopted(self) -> Any:
        return self.filter(status__in=Result.ADOPTED_STATES)


class Result(models.Model):
    class Kind(models.TextChoices):
        INVENTION = "invention", _("invention patent")
        UTILITY = "utility_model", _("utility model")
        INNOVATION = "innovation", _("technical innovation")
        IMPROVEMENT = "improvement", _("technical improvement")
        SUGGESTION = "suggestion", _("rationalisation proposal")
        QC = "qc", _("QC result")
        METHOD = "method", _("advanced operating method")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ADOPTED = "adopted", _("adopted")
        NOT_ADOPTED = "not_adopted", _("not adopted")
        IMPLEMENTED = "implemented", _("implemented")
        CERTIFIED = "certified", _("effect certified")

    ADOPTED_STATES = ("adopted", "implemented", "certified")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="innovation_results",
        verbose_name=_("union organisation"),
    )
    employer = models.ForeignKey(
        "core.Enterprise",
        on_delete=models.PROTECT,
        related_name="innovation_results",
        verbose_name=_("employer"),
    )
    occupation = models.ForeignKey(
        "core.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("occupation"),
    )
    kind = models.CharField(_("kind of result"), max_length=16, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("innovation", "title"), max_length=200)
    method_name = models.CharField(
        _("name of the operating method"),
        max_length=60,
        blank=True,
        help_text=_("An advanced operating method is named after its worker, e.g. 李斌操作法."),
    )
    problem = models.TextField(_("problem"), max_length=5000)
    solution = models.TextField(_("solution"), max_length=10000)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    publish_consent = models.BooleanField(
        _("the team agrees to show it publicly"),
        default=False,
        help_text=_("Only names and the employer are shown, once the result is adopted."),
    )
    status = models.CharField(
        pgettext_lazy("innovation", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_reason = models.CharField(_("reason"), max_length=500, blank=True)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the measured effect (效益), certified by someone who neither made nor submitted the result
    savings = models.DecimalField(
        _("yearly savings (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    effect_output = models.CharField(_("effect on output"), max_length=300, blank=True)
    effect_quality = models.CharField(_("effect on quality"), max_length=300, blank=True)
    effect_safety = models.CharField(_("effect on safety"), max_length=300, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_on = models.DateField(_("certified on"), null=True, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("innovation result")
        verbose_name_plural = _("innovation results")
        indexes = [
            models.Index(fields=["status", "employer"], name="innov_result_status_employer"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == self.Kind.METHOD and not self.method_name:
            raise ValidationError(
                {"method_name": _("An advanced operating method is named after its worker.")}
            )
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            raise ValidationError({"completed_on": _("Completed before it started.")})

    @property
    def is_adopted(self) -> bool:
        return self.status in self.ADOPTED_STATES


class TeamMember(models.Model):
    """A member of a result's team with their contribution share (percent, two decimals)."""

    code = code_field()
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="members")
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="innovation_memberships",
        verbose_name=_("worker"),
    )
    contribution = models.DecimalField(
        _("contribution (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    SCOPE_PATH = "result__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["result", "worker"], name="innov_member_unique"),
            models.CheckConstraint(
                condition=models.Q(contribution__gt=0) & models.Q(contribution__lte=100),
                name="innov_member_contribution_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.contribution}%"


class Patent(models.Model):
    class Kind(models.TextChoices):
        INVENTION = "invention", _("invention")
        UTILITY = "utility_model", _("utility model")
        DESIGN = "design", _("design")

    class Status(models.TextChoices):
        FILED = "filed", _("filed")
        GRANTED = "granted", _("granted")
        LAPSED = "lapsed", _("lapsed")

    code = code_field()
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="patents")
    number = models.CharField(_("patent number"), max_length=20)
    kind = models.CharField(_("patent kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("patent status"), max_length=8, choices=Status.choices, default=Status.FILED
    )

    SCOPE_PATH = "result__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("patent")
        verbose_name_plural = _("patents")
        constraints = [
            models.UniqueConstraint(fields=["result", "number"], name="innov_patent_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        self.number = normalise_patent_number(self.number)
