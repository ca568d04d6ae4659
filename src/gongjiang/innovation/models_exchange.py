"""Tables of the technical exchange (技术交流): questions by occupation and topic, answers, votes,
reports for moderation.

Exchange content is shared knowledge: every logged-in user reads what is not hidden. Each post
carries the organisation of its author (the worker's union, or the organisation of the author's
first role) so that moderators act only on posts from their own subtree
(``innovation.moderate_exchange``). What a post shows of its author is the name and the employer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models_results import code_field

MODERATE = "innovation.moderate_exchange"


class ExchangePost(models.Model):
    """What questions and answers share: author, organisation, body, hiding, vote score."""

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # shown beside the post: name and employer only, copied when posting
    author_name = models.CharField(_("name"), max_length=60)
    author_employer = models.CharField(_("employer"), max_length=200, blank=True)
    body = models.TextField(pgettext_lazy("exchange", "text"), max_length=5000)
    score = models.IntegerField(pgettext_lazy("exchange", "votes"), default=0)
    is_hidden = models.BooleanField(pgettext_lazy("exchange", "hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "organization__path"

    class Meta:
        abstract = True


class QuestionQuerySet(models.QuerySet):
    def shown(self) -> models.QuerySet:
        return self.filter(is_hidden=False)


class Question(ExchangePost):
    occupation = models.ForeignKey(
        "core.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("occupation"),
    )
    topic = models.CharField(pgettext_lazy("exchange", "topic"), max_length=40, blank=True)
    title = models.CharField(pgettext_lazy("exchange", "question"), max_length=120)
    method = models.ForeignKey(
        "innovation.Result",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchange_questions",
        verbose_name=_("advanced operating method"),
    )
    accepted_answer = models.OneToOneField(
        "innovation.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_count = models.PositiveIntegerField(default=0)
    # pinyin of title and topic for search: "hanjie" and "hj" find 焊接
    search_pinyin = models.CharField(max_length=1000, blank=True)
    search_initials = models.CharField(max_length=200, blank=True)
    # what search reads: title, topic, text (lower case), pinyin and initials, one per line; on
    # PostgreSQL a pg_trgm GIN index serves ``LIKE '%…%'`` on it (migration 0006)
    search_text = models.TextField(blank=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exchange question")
        verbose_name_plural = _("exchange questions")
        indexes = [
            models.Index(fields=["is_hidden", "-created_at"], name="innov_q_shown_recent"),
            models.Index(fields=["organization", "is_hidden"], name="innov_q_org"),
        ]

    def __str__(self) -> str:
        return self.title


class Answer(ExchangePost):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")

    class Meta:
        ordering = ["-score", "created_at", "id"]
        verbose_name = _("exchange answer")
        verbose_name_plural = _("exchange answers")
        indexes = [
            models.Index(fields=["author", "is_hidden"], name="innov_a_author"),
            models.Index(fields=["organization", "is_hidden"], name="innov_a_org"),
        ]

    def __str__(self) -> str:
        return f"{self.question} · {self.author_name}"


class ExchangeVote(models.Model):
    """One vote (+1 or −1) of one user on one question or one answer; never on one's own post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote on the exchange")
        verbose_name_plural = _("votes on the exchange")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__in=[-1, 1]), name="innov_vote_value_pm1"
            ),
            models.CheckConstraint(
                condition=(models.Q(question__isnull=True) & models.Q(answer__isnull=False))
                | (models.Q(question__isnull=False) & models.Q(answer__isnull=True)),
                name="innov_vote_one_post",
            ),
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=models.Q(question__isnull=False),
                name="innov_vote_once_question",
            ),
            models.UniqueConstraint(
                fields=["user", "answer"],
                condition=models.Q(answer__isnull=False),
                name="innov_vote_once_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d}"


class ExchangeReport(models.Model):
    """A user's report of a question or answer to the moderators (once per user and post)."""

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATH = "organization__path"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report on the exchange")
        verbose_name_plural = _("reports on the exchange")
        indexes = [models.Index(fields=["organization", "resolved_at"], name="innov_report_open")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(question__isnull=True) & models.Q(answer__isnull=False))
                | (models.Q(question__isnull=False) & models.Q(answer__isnull=True)),
                name="innov_report_one_post",
            ),
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=models.Q(question__isnull=False),
                name="innov_report_once_question",
            ),
            models.UniqueConstraint(
                fields=["user", "answer"],
                condition=models.Q(answer__isnull=False),
                name="innov_report_once_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.reason

    @property
    def post(self) -> Question | Answer:
        return self.question if self.question_id else self.answer  # type: ignore[return-value]
