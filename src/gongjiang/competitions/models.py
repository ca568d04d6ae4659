"""Skills competitions (职工职业技能大赛): competitions, trades, stages, quotas, entries, marking
schemes, judges, marks, results and the awards that flow back into the workforce record.

Scoping: a competition belongs to its organiser (``organization``); everything below it reads through
the organiser's path, and entries are also visible to the subtree of the organisation that sent them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet, prefix_q

COMP_PATH = "competition__organization__path"


class CompetitionQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        """Competitions organised inside the user's subtrees or above them (a provincial
        competition is open to every union of the province), or to which their subtrees sent entries."""
        from gongjiang.core.access import scope_paths

        paths = scope_paths(user, perm or self.default_perm())
        if paths is None:
            return self.all()
        step = 7  # Organization.SEGMENT
        above = {p[:i] for p in paths for i in range(step, len(p) + 1, step)}
        sent = Entry.objects.filter(prefix_q("sending_org__path", paths)).values("competition_id")
        return self.filter(
            prefix_q("organization__path", paths)
            | models.Q(organization__path__in=above)
            | models.Q(pk__in=sent)
        )


class Competition(models.Model):
    class Level(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        CITY = "city", _("city")
        PROVINCE = "province", _("province")
        NATIONAL = "national", _("national")

    class Klass(models.TextChoices):
        I = "I", _("class I")  # noqa: E741
        II = "II", _("class II")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for entries")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="competitions",
        verbose_name=_("organiser"),
    )
    co_organisers = models.ManyToManyField(
        "core.Organization",
        blank=True,
        related_name="co_organised_competitions",
        verbose_name=_("co-organisers"),
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    klass = models.CharField(_("class"), max_length=2, choices=Klass.choices, default=Klass.I)
    theory_weight = models.DecimalField(
        _("theory weight"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.3"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Total = theory × w + practical × (1 − w); the national default is 3:7 (0.3)."),
    )
    tie_break_criteria = models.JSONField(
        _("tie-break criteria"),
        default=list,
        blank=True,
        help_text=_(
            'Criterion letters compared in order after the practical score, e.g. ["B", "A"].'
        ),
    )
    prize_counts = models.JSONField(_("prize counts"), default=dict, blank=True)
    scaler = models.CharField(_("standardisation"), max_length=20, default="none")
    blind_judging = models.BooleanField(
        _("blind judging"),
        default=True,
        help_text=_(
            "Judges see entrants only by their draw number until the stage's results are published."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")

    def __str__(self) -> str:
        return self.name

    DEFAULT_PRIZES = {"first": 1, "second": 2, "third": 3, "excellence": 4}

    def prizes(self) -> dict[str, int]:
        return {**self.DEFAULT_PRIZES, **(self.prize_counts or {})}


class Trade(models.Model):
    """赛项/工种: tied to an occupation and the skill level it assesses, with eligibility rules."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="trades")
    name = models.CharField(_("name"), max_length=100)
    occupation = models.ForeignKey(
        "core.Occupation", on_delete=models.PROTECT, verbose_name=_("occupation")
    )
    skill_level = models.ForeignKey(
        "core.SkillLevel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("level assessed"),
    )
    eligible_occupations = models.ManyToManyField(
        "core.Occupation",
        blank=True,
        related_name="+",
        verbose_name=_("other eligible occupations"),
    )
    require_occupation = models.BooleanField(_("entrant must work in the occupation"), default=True)
    min_skill_level = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("minimum skill level"),
    )
    max_skill_level = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("maximum skill level"),
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    age_reference_date = models.DateField(_("age reference date"), null=True, blank=True)
    require_active = models.BooleanField(_("entrant must be on the job"), default=True)
    excluded_titles = models.JSONField(_("excluded previous titles"), default=list, blank=True)

    SCOPE_PATH = COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["competition", "id"]
        verbose_name = _("trade")
        verbose_name_plural = _("trades")
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="trade_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """选拔层级: one round (enterprise heats → city → province → national final)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("run by organisations of kind"), max_length=12)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    entry_deadline = models.DateField(
        _("deadline for withdrawals and substitutions"), null=True, blank=True
    )
    results_approved_at = models.DateTimeField(null=True, blank=True)
    results_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    SCOPE_PATH = COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["competition", "order"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["competition", "order"], name="stage_unique_order")
        ]

    def __str__(self) -> str:
        return self.name

    def next_stage(self) -> Stage | None:
        return self.competition.stages.filter(order__gt=self.order).order_by("order").first()

    @property
    def is_final(self) -> bool:
        return self.next_stage() is None


class Quota(models.Model):
    """How many of ``organization``'s entrants in ``stage`` × ``trade`` go on to the next stage."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="quotas")
    trade = models.ForeignKey(Trade, on_delete=models.CASCADE, related_name="quotas")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    places = models.PositiveSmallIntegerField(_("places"))
    waiting = models.PositiveSmallIntegerField(_("waiting list length"), default=2)

    SCOPE_PATH = "stage__" + COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["stage", "trade", "organization"], name="quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.stage} · {self.trade} · {self.organization}: {self.places}"


class EntryQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        """Entries of competitions organised in the user's subtrees, or sent from them."""
        from gongjiang.core.access import scope_paths

        paths = scope_paths(user, perm or self.default_perm())
        if paths is None:
            return self.all()
        return self.filter(prefix_q(COMP_PATH, paths) | prefix_q("sending_org__path", paths))


class Entry(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        NOMINATED = "nominated", _("nominated")
        CONFIRMED = "confirmed", _("confirmed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        SUBSTITUTED = "substituted", _("substituted")

    ACTIVE = (Status.REGISTERED, Status.NOMINATED, Status.CONFIRMED)

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    trade = models.ForeignKey(Trade, on_delete=models.CASCADE, related_name="entries")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="entries")
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.PROTECT, related_name="competition_entries"
    )
    sending_org = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sending organisation"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advanced",
        verbose_name=_("from entry"),
    )
    substitutes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="substituted_by"
    )
    waiting_rank = models.PositiveSmallIntegerField(
        _("waiting-list position"), null=True, blank=True
    )
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)
    theory_score = models.DecimalField(
        _("theory score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    theory_source = models.CharField(_("theory score source"), max_length=60, blank=True)
    time_taken = models.PositiveIntegerField(_("time taken (minutes)"), null=True, blank=True)
    draw_number = models.PositiveIntegerField(
        _("draw number"),
        null=True,
        blank=True,
        help_text=_("检录号/工位号, drawn by lot at check-in; judges see only this number."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = COMP_PATH
    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "trade", "id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "trade", "worker"],
                condition=models.Q(status__in=["registered", "nominated", "confirmed"]),
                name="entry_unique_active",
            ),
            models.UniqueConstraint(
                fields=["stage", "trade", "draw_number"],
                condition=models.Q(draw_number__isnull=False),
                name="entry_unique_draw_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} · {self.trade.name} · {self.stage.name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def blind(self) -> bool:
        """Do judges see this entrant only by number (blind judging, results not published)?"""
        return self.competition.blind_judging and self.stage.published_at is None

    @property
    def draw_label(self) -> str:
        """What a judge calls the entrant while judging is blind: "No. 7" (or "not drawn")."""
        if self.draw_number is None:
            return str(_("not drawn"))
        return str(_("No. %(n)d")) % {"n": self.draw_number}

    def judge_label(self) -> str:
        """The entrant as a judge sees them: the draw number while blind, else the name."""
        return self.draw_label if self.blind else self.worker.name


from .marking_models import (  # noqa: E402  (the marking tables live in their own module)
    Aspect,
    Criterion,
    JudgeAssignment,
    JudgeConflict,
    Mark,
    SubCriterion,
)

__all__ = [
    "Aspect",
    "AwardApplication",
    "AwardRule",
    "Competition",
    "Criterion",
    "Entry",
    "JudgeAssignment",
    "JudgeConflict",
    "Mark",
    "Quota",
    "Result",
    "Stage",
    "SubCriterion",
    "Trade",
]


# --------------------------------------------------------------------------- results and awards


class Result(models.Model):
    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="result")
    theory = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    practical = models.DecimalField(max_digits=6, decimal_places=2)
    total = models.DecimalField(max_digits=6, decimal_places=2)
    by_criterion = models.JSONField(default=dict)
    rank = models.PositiveIntegerField(null=True)
    prize = models.CharField(max_length=12, blank=True)
    scaled = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    complete = models.BooleanField(default=True)
    computed_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "entry__" + COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["entry__trade", "rank"]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.total} (#{self.rank})"


class AwardRule(models.Model):
    """Rank range (per trade, final stage) → honour title and/or a skill-level promotion."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="award_rules"
    )
    rank_from = models.PositiveSmallIntegerField(_("from rank"))
    rank_to = models.PositiveSmallIntegerField(_("to rank"))
    honour_title = models.CharField(_("honour title"), max_length=60, blank=True)
    honour_level = models.CharField(_("honour level"), max_length=12, blank=True)
    promote_to = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("promote to"),
    )
    promote_else_to = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("or, if already at that level, to"),
    )
    nominate_title = models.CharField(_("nominate for"), max_length=60, blank=True)

    SCOPE_PATH = COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["competition", "rank_from"]
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")

    def __str__(self) -> str:
        return f"{self.rank_from}–{self.rank_to}"

    def clean(self) -> None:
        if self.rank_from and self.rank_to and self.rank_from > self.rank_to:
            raise ValidationError({"rank_to": [_("The range ends before it starts.")]})


class AwardApplication(models.Model):
    """One thing an award rule did to a worker's record, kept so it can be reverted exactly."""

    class Kind(models.TextChoices):
        HONOUR = "honour", _("honour")
        PROMOTION = "promotion", _("skill-level promotion")
        NOMINATION = "nomination", _("nomination")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="award_applications"
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="award_applications")
    worker = models.ForeignKey("workforce.Worker", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(AwardRule, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=60)
    ref_code = models.CharField(
        max_length=40, blank=True, help_text="code of the workforce row created"
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    reverted_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATH = COMP_PATH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["competition", "entry", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
