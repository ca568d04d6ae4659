"""Honours selection (劳模、五一劳动奖章、技术能手、大国工匠 …): rounds with quotas per region or
industry, composition rules per round, nominations from below with their documents, the
disqualifying records the checks read. Review and public notice are core's (core.review,
core.notices); the honour lands in the registry through workforce services.

Scoping: a round through its organiser, a quota and a nomination through the nominating unit, a
disqualifying record through the worker's union.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.codes import new_code
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet

HONOUR_LEVELS = [
    ("national", _("national")),
    ("provincial", _("provincial")),
    ("city", _("city")),
    ("enterprise", _("enterprise")),
]

# who a nominee is, for the composition rules — from the registry's occupation code
# (职业分类大典 2022: 1 负责人, 2 专业技术人员, 4/5/6 生产一线)
CATEGORIES = [
    ("frontline", _("frontline worker")),
    ("technician", _("professional technician")),
    ("leader", _("leader")),
    ("other", pgettext_lazy("nominee category", "other")),
]
CATEGORY_CODES = [c for c, _label in CATEGORIES]


class HonourRound(models.Model):
    """One selection (评选) of one honour in one year, organised by a union."""

    class State(models.TextChoices):
        NOMINATING = "nominating", _("nominating")
        REVIEWING = "reviewing", pgettext_lazy("honours round", "under review")
        NOTICE = "notice", pgettext_lazy("honours round", "in public notice")
        APPROVED = "approved", pgettext_lazy("honours round", "approved")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="honour_rounds",
        verbose_name=_("organiser"),
    )
    title = models.CharField(pgettext_lazy("honours round", "title"), max_length=200)
    honour_title = models.CharField(_("honour"), max_length=60)
    honour_level = models.CharField(_("honour level"), max_length=12, choices=HONOUR_LEVELS)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1949), MaxValueValidator(2100)]
    )
    places = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice working days"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    barring_titles = models.CharField(
        _("honours that bar a nominee"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated honour titles a nominee may not already hold."),
    )
    state = models.CharField(
        pgettext_lazy("honours round", "stage"),
        max_length=12,
        choices=State.choices,
        default=State.NOMINATING,
    )
    review = models.ForeignKey(
        "core.ReviewRound", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice = models.ForeignKey(
        "core.PublicNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_on = models.DateField(null=True, blank=True)
    approval_note = models.CharField(_("decision note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("honours round")
        verbose_name_plural = _("honours rounds")

    def __str__(self) -> str:
        return self.title

    def barring(self) -> list[str]:
        titles = [t.strip() for t in self.barring_titles.split(",") if t.strip()]
        return titles or [self.honour_title]


class HonourQuota(models.Model):
    """The places of one unit below the organiser (a region's or an industry's union)."""

    round = models.ForeignKey(HonourRound, on_delete=models.CASCADE, related_name="quotas")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    places = models.PositiveIntegerField(_("places"), validators=[MaxValueValidator(100000)])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="careers_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.places}"


class CompositionRule(models.Model):
    """A share of the list the round demands: e.g. frontline workers and technicians at least 70 %,
    leaders at most 15 %."""

    class Bound(models.TextChoices):
        MIN = "min", _("at least")
        MAX = "max", _("at most")

    round = models.ForeignKey(HonourRound, on_delete=models.CASCADE, related_name="rules")
    categories = models.CharField(_("who counts"), max_length=60)
    bound = models.CharField(_("bound"), max_length=3, choices=Bound.choices)
    percent = models.PositiveSmallIntegerField(_("share (%)"), validators=[MaxValueValidator(100)])
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["round_id", "id"]

    def __str__(self) -> str:
        return f"{self.categories} {self.bound} {self.percent}%"

    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


class HonourNomination(models.Model):
    """A worker nominated by a unit with places in the round, with the registry's facts and the
    deeds (事迹) in words."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("nominated")
        WITHDRAWN = "withdrawn", _("withdrawn")
        SELECTED = "selected", pgettext_lazy("honours nomination", "selected")
        NOT_SELECTED = "not_selected", pgettext_lazy("honours nomination", "not selected")
        HONOURED = "honoured", _("honoured")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    round = models.ForeignKey(HonourRound, on_delete=models.CASCADE, related_name="nominations")
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nominating unit"),
    )
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    category = models.CharField(_("category"), max_length=12, choices=CATEGORIES)
    deeds = models.TextField(_("deeds"), max_length=5000)
    status = models.CharField(
        pgettext_lazy("honours nomination", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.NOMINATED,
    )
    review_item = models.ForeignKey(
        "core.ReviewItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    honour_code = models.CharField(max_length=20, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "worker"],
                condition=~models.Q(status="withdrawn"),
                name="careers_one_nomination_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} ({self.round})"


class NominationDocument(models.Model):
    """A document of a nomination (推荐表, 事迹材料, 审查意见), stored encrypted."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    nomination = models.ForeignKey(
        HonourNomination, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(pgettext_lazy("document", "title"), max_length=100)
    upload = models.FileField(
        _("file"), upload_to="careers/nominations/%Y/", storage=private_file_storage
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "nomination__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["nomination_id", "id"]

    def __str__(self) -> str:
        return self.title


class DisqualifyingRecord(models.Model):
    """A record that bars a worker from honours while it stands (违法犯罪, 处分, 安全责任事故,
    失信被执行人 …), from ``date`` until ``until`` (open-ended when empty)."""

    class Kind(models.TextChoices):
        CRIMINAL = "criminal", _("criminal or administrative offence")
        SANCTION = "sanction", _("disciplinary sanction")
        SAFETY = "safety", _("responsibility for a safety accident")
        DEFAULTER = "defaulter", _("dishonest judgement debtor")
        OTHER = "other", pgettext_lazy("disqualifying record", "other")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.CASCADE, related_name="+", verbose_name=_("worker")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    until = models.DateField(_("stands until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("disqualifying record")
        verbose_name_plural = _("disqualifying records")

    def __str__(self) -> str:
        return f"{self.worker} {self.kind} {self.date}"
