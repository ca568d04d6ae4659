"""Award rounds of the workers' technical-innovation award (职工技术创新奖) and the reward fund.

A round runs on the shared review rounds (core.review: criteria, panel, conflicts, ranking, grades),
the shared public notices (core.notices) and the shared money ledger (core.ledger): this module keeps
only what is the award's own — the year, the quotas of nominations per unit below, the nominations,
the reward rule and which nominations were paid.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.access import scope_paths
from gongjiang.core.scoping import ScopedQuerySet, prefix_q

from .models_results import Result, code_field

GRADES = ("一等奖", "二等奖", "三等奖", "优秀奖")


class AwardRoundQuerySet(ScopedQuerySet):
    """Visible to the organiser's scope, to units below with a quota (who nominate) and to the
    round's panel members."""

    def default_perm(self) -> str:
        return "innovation.view_award"

    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        paths = scope_paths(user, perm or self.default_perm())
        if paths is None:
            return self.all()
        q = prefix_q("organization__path", paths)
        if perm is None:
            nominate = scope_paths(user, "innovation.nominate") or []
            q |= models.Q(
                pk__in=AwardQuota.objects.filter(prefix_q("organization__path", nominate)).values(
                    "round_id"
                )
            )
            if getattr(user, "is_authenticated", False):
                q |= models.Q(review__panel__user=user)
        return self.filter(q).distinct()


class AwardRound(models.Model):
    class State(models.TextChoices):
        NOMINATING = "nominating", _("taking nominations")
        REVIEWING = "reviewing", _("panel review")
        FINAL = "final", _("ranked")
        NOTICE = "notice", _("public notice")
        PUBLISHED = "published", _("published")

    class RewardMode(models.TextChoices):
        GRADE = "grade", _("a fixed amount per grade")
        SAVINGS = "savings", _("a share of first-year savings, with a cap")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="innovation_award_rounds",
        verbose_name=_("organiser"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title of the round"), max_length=200)
    review = models.OneToOneField(
        "core.ReviewRound", on_delete=models.PROTECT, related_name="innovation_award"
    )
    state = models.CharField(
        _("stage"), max_length=12, choices=State.choices, default=State.NOMINATING
    )
    notice_days = models.PositiveSmallIntegerField(
        _("working days of the public notice"), default=5
    )
    notice = models.ForeignKey(
        "core.PublicNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        "core.Fund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reward fund"),
    )
    reward_mode = models.CharField(
        _("reward rule"), max_length=8, choices=RewardMode.choices, default=RewardMode.GRADE
    )
    # {"一等奖": "20000.00", …} for GRADE; share and cap for SAVINGS
    grade_amounts = models.JSONField(_("amount per grade"), default=dict, blank=True)
    savings_share = models.DecimalField(
        _("share of first-year savings"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    savings_cap = models.DecimalField(
        _("cap per result (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)

    objects = AwardRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("award round")
        verbose_name_plural = _("award rounds")

    def __str__(self) -> str:
        return self.title


class AwardQuota(models.Model):
    """How many results a unit below the organiser may nominate."""

    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="quotas")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    quota = models.PositiveSmallIntegerField(_("quota"))

    class Meta:
        ordering = ["organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="innov_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.quota}"


class Nomination(models.Model):
    code = code_field()
    round = models.ForeignKey(AwardRound, on_delete=models.CASCADE, related_name="nominations")
    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="nominations")
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nominating unit"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.OneToOneField(
        "core.ReviewItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spread = models.BooleanField(
        _("spread to other units"),
        default=False,
        help_text=_("The result has been adopted by other enterprises (推广应用)."),
    )
    paid_amount = models.DecimalField(
        _("reward paid (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    SCOPE_PATH = "round__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "result"], name="innov_nomination_unique")
        ]

    def __str__(self) -> str:
        return self.result.title
