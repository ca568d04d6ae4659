"""Review rounds (评审): a panel scores items on weighted criteria; the round is then finalised into
totals, ranks and grades. Imported by ``core.models`` (Django finds the tables there)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..codes import new_code
from ..scoping import ScopedQuerySet


class ReviewRound(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("review round", "open")
        FINAL = "final", pgettext_lazy("review round", "finalised")

    class Grading(models.TextChoices):
        RANK = "rank", _("by rank bands")
        SCORE = "score", _("by score thresholds")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="review_rounds",
        verbose_name=_("organization"),
    )
    title = models.CharField(pgettext_lazy("review round", "title"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=60,
        blank=True,
        help_text=_("The app's name for what is reviewed; selects its conflict-of-interest check."),
    )
    grading = models.CharField(
        _("grading"), max_length=5, choices=Grading.choices, default=Grading.RANK
    )
    #: rank bands [{"grade": "一等奖", "up_to": 1}, …] or thresholds [{"grade": "优秀", "min": 90}, …]
    grade_bands = models.JSONField(_("grades"), default=list, blank=True)
    state = models.CharField(
        pgettext_lazy("review round", "state"), max_length=5, choices=State.choices, default="open"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")

    def __str__(self) -> str:
        return self.title


class ReviewCriterion(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=120)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    SCOPE_PATH = "round__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "order", "id"]
        verbose_name = pgettext_lazy("review", "criterion")
        verbose_name_plural = pgettext_lazy("review", "criteria")
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="core_crit_weight_pos"),
            models.CheckConstraint(condition=models.Q(max_score__gt=0), name="core_crit_max_pos"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewItem(models.Model):
    """One thing under review (an innovation result, a nominee), with the organisation it comes
    from and who nominated it — what the conflict checks look at."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    object_code = models.CharField(_("object"), max_length=40, blank=True)
    label = models.CharField(_("name"), max_length=200)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organization"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    total = models.DecimalField(
        pgettext_lazy("review", "total"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=60, blank=True)

    SCOPE_PATH = "round__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "rank", "id"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "content_type", "object_code"],
                condition=~models.Q(object_code=""),
                name="core_reviewitem_once_per_round",
            )
        ]

    def __str__(self) -> str:
        return self.label


class PanelMember(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )

    SCOPE_PATH = "round__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "id"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="core_panelmember_once")
        ]

    def __str__(self) -> str:
        return str(self.user)


class ReviewScore(models.Model):
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(pgettext_lazy("review", "score"), max_digits=6, decimal_places=2)
    updated_at = models.DateTimeField(default=timezone.now)

    SCOPE_PATH = "item__round__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item_id", "criterion_id", "member_id"]
        verbose_name = pgettext_lazy("review", "score")
        verbose_name_plural = pgettext_lazy("review", "scores")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "item", "criterion"], name="core_reviewscore_once"
            ),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="core_score_not_neg"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.criterion} · {self.score}"
