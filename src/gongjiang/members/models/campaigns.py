"""Online campaigns (网络主题活动) with a knowledge contest drawn from the learning question banks.

Participation and scores are kept per organisation in ``CampaignOrgTally`` (one row per campaign and
the participant's own organisation, updated in the transaction that saves the entry); a subtree's
figures are the sum of its organisations' rows, so rankings and counts never scan the entries."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet


class Campaign(models.Model):
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="member_campaigns",
        verbose_name=_("organiser"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # question codes of the learning bank, in the order shown (objective questions only)
    questions = models.ManyToManyField("learning.Question", related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "id"]
        verbose_name = _("online campaign")
        verbose_name_plural = _("online campaigns")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A campaign ends after it starts.")})


class ContestEntry(models.Model):
    """One participant's answers to the contest (one entry per person and campaign)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    answers = models.JSONField(default=dict)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, default=Decimal("0"))
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="members_contest_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.user_id} · {self.score}"


class CampaignOrgTally(models.Model):
    """Participants and total score of one campaign in one organisation (its own members only)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(max_length=700)
    participants = models.PositiveBigIntegerField(default=0)
    total_score = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    SCOPE_PATH = "path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="members_tally_unique"
            )
        ]
        # subtree sums are a prefix search on the path within one campaign (LIKE 'path%' needs
        # the pattern operator class on PostgreSQL)
        indexes = [
            models.Index(
                fields=["campaign", "path"],
                name="members_tally_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.path} · {self.participants}"


class CampaignAreaTally(models.Model):
    """Participants and total score of one campaign in the whole subtree of an organisation on one
    of the two levels under a root (``AREA_DEPTHS``: provinces and cities under the national
    federation). Kept beside ``CampaignOrgTally`` in the same transaction, so the ranking of the
    provinces (or of a province's cities) reads a few dozen rows instead of grouping every unit."""

    AREA_DEPTHS = (1, 2)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="area_tallies")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(max_length=700)
    depth = models.PositiveSmallIntegerField()
    participants = models.PositiveBigIntegerField(default=0)
    total_score = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    SCOPE_PATH = "path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="members_area_tally_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["campaign", "depth", "path"],
                name="members_area_tally_path",
                opclasses=["int8_ops", "int2_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.path} · {self.participants}"
