"""Worker surveys (职工思想状况调研): questionnaires, versions, distribution, answers and rollups.

Anonymity is built into the tables (docs/surveys.md, "How anonymity holds"):

* ``Invitation`` says who was asked and whether they answered (the completion table). It holds no
  reference to an answer and only the *date* of completion.
* ``Response`` holds the answers and the respondent's coarse strata (city, industry section, age
  band, skill level, union organisation). It has no worker, no user, no token, no timestamp and a
  random UUID key, so neither its key nor a column orders it by arrival.
* ``Rollup`` holds the counts every result page reads; each submission queues its counters and a
  job folds them in every few seconds (``rollups``, ``core.counters``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet

DEFAULT_THRESHOLD = 10
# rollup rows per counter written by submissions before they were queued (core.counters): the fold
# writes shard 0 only; a survey's other shards are folded into it when it closes (rollups.compact)
SHARDS = 16

DIMENSIONS = ("region", "industry", "age_band", "skill_level")


class Dimension(models.TextChoices):
    REGION = "region", _("region (city)")
    INDUSTRY = "industry", _("industry section")
    AGE_BAND = "age_band", _("age band")
    SKILL_LEVEL = "skill_level", _("skill level")


class SurveySetting(models.Model):
    """An organisation's default breakdown threshold for its surveys (and those of its subtree)."""

    organization = models.OneToOneField(
        "core.Organization",
        on_delete=models.CASCADE,
        related_name="survey_setting",
        verbose_name=_("organization"),
    )
    threshold = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(5), MaxValueValidator(1000)],
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey setting")
        verbose_name_plural = _("survey settings")

    def __str__(self) -> str:
        return f"surveysetting {self.pk}"


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Mode(models.TextChoices):
        SUBTREE = "subtree", _("everyone in a subtree")
        SAMPLE = "sample", _("stratified random sample")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("organizing union"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    threshold = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(5), MaxValueValidator(1000)],
        help_text=_("No figure is shown for a group with fewer respondents."),
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("previous round"),
    )
    weight_by = models.CharField(
        _("weight back to the registry by"),
        max_length=12,
        choices=Dimension.choices,
        default=Dimension.AGE_BAND,
    )
    # distribution
    mode = models.CharField(_("distribution"), max_length=8, choices=Mode.choices, blank=True)
    audience = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("audience"),
    )
    strata = models.JSONField(_("sampling strata"), default=list, blank=True)
    margin_of_error = models.DecimalField(
        _("margin of error"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    sample_size = models.PositiveIntegerField(_("sample size"), default=0)
    invited = models.PositiveIntegerField(_("invited"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> SurveyVersion | None:
        return self.versions.order_by("-number").first()

    def published_version(self) -> SurveyVersion | None:
        return self.versions.exclude(published_at=None).order_by("-number").first()


class PublishedVersionQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        if self.exclude(published_at=None).exists():
            raise ValidationError(_("A published version of a questionnaire cannot be changed."))
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(published_at=None).exists():
            raise ValidationError(_("A published version of a questionnaire cannot be deleted."))
        return super().delete()


class SurveyVersion(models.Model):
    """The questions of a survey. A draft is edited in place; once published it never changes
    (a change makes the next draft version)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    questions = models.JSONField(_("questions"), default=list, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PublishedVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")
        ]
        ordering = ["survey", "number"]

    def __str__(self) -> str:
        return f"surveyversion {self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("published_at", flat=True)
            if stored and stored[0] is not None:
                raise ValidationError(
                    _("A published version of a questionnaire cannot be changed.")
                )
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        if self.published_at is not None:
            raise ValidationError(_("A published version of a questionnaire cannot be deleted."))
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]


class Invitation(models.Model):
    """Who was asked, and whether they answered: the completion table. No answer reference and
    the completion *date* only (docs/surveys.md)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    worker = models.ForeignKey(
        "workforce.Worker", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # keyed hash of the anonymous link's token (the token itself is shown once, never stored)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    completed_on = models.DateField(_("answered on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "worker"], name="survey_invitation_unique")
        ]
        indexes = [models.Index(fields=["organization", "survey"], name="survey_inv_org")]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class ResponseQuerySet(ScopedQuerySet):
    def update(self, **kwargs: object) -> int:
        raise ValidationError(_("Survey answers are never changed."))


class Response(models.Model):
    """One set of answers. No worker, no user, no time; a random key (see the module's docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.PositiveSmallIntegerField()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    region = models.CharField(max_length=6, blank=True)
    industry = models.CharField(max_length=1, blank=True)
    age_band = models.CharField(max_length=8, blank=True)
    skill_level = models.CharField(max_length=30, blank=True)
    answers = models.JSONField(default=dict)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["survey"], name="survey_response_survey")]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Rollup(models.Model):
    """Counts per survey, stratum, question and option (in shard 0; older rows in up to ``SHARDS``
    rows per counter, summed on reading).

    ``question`` ``_n`` with option ``""`` counts respondents. ``dim`` is ``all`` (value ``""``),
    one of DIMENSIONS, ``org`` (value: the respondent organisation's path) or ``lv<k>`` (value:
    the path of the respondent organisation's ancestor at tree level k, itself included, from the
    survey's organisation down: a subtree's figures, or those of an organisation's children, are
    one indexed read)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    dim = models.CharField(max_length=12)
    value = models.CharField(max_length=700)
    question = models.CharField(max_length=20)
    option = models.CharField(max_length=40)
    shard = models.PositiveSmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dim", "value", "question", "option", "shard"],
                name="survey_rollup_unique",
            )
        ]
        indexes = [
            # A subtree's rows (``value`` LIKE 'path%' at one tree level) as an index range under
            # any collation: PostgreSQL uses a LIKE prefix on a btree only under the C collation
            # or with a pattern_ops index (not under C.UTF-8; docs/surveys.md, Benchmarks).
            models.Index(
                fields=["survey", "dim", "value"],
                name="survey_rollup_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"rollup {self.pk}"


class Population(models.Model):
    """The registry's population of the audience per stratum, taken when the survey was sent
    (the weights' targets)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="populations")
    dim = models.CharField(max_length=12, choices=Dimension.choices)
    value = models.CharField(max_length=30)
    population = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dim", "value"], name="survey_population_unique"
            )
        ]

    def __str__(self) -> str:
        return f"population {self.pk}"
