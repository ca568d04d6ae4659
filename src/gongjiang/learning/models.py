"""Tables of the learning system: question bank (questions and their immutable versions), papers,
exam sessions, attempts and their items, marks, and practice (answers, wrong-answer book).

Scoping: every table reaches an owner organisation; managers read through ``visible_to`` (the
owner's subtree), candidates read their own attempts (``user=``), markers read the blind queue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet


class QuestionType(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    TRUE_FALSE = "true_false", _("true/false")
    FILL = "fill", _("fill in the blank")
    SHORT = "short", _("short answer")
    PRACTICAL = "practical", _("practical task")


OBJECTIVE_TYPES = {
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.FILL,
}
SUBJECTIVE_TYPES = {QuestionType.SHORT, QuestionType.PRACTICAL}


class Difficulty(models.IntegerChoices):
    EASY = 1, _("easy")
    FAIRLY_EASY = 2, _("fairly easy")
    MEDIUM = 3, _("medium")
    FAIRLY_HARD = 4, _("fairly hard")
    HARD = 5, _("hard")


class ScoringRule(models.TextChoices):
    ALL_OR_NOTHING = "all", _("all or nothing")
    PARTIAL = "partial", _("partial credit")


class Question(models.Model):
    """A question of an organisation's bank. Its content lives in versions; ``current`` is the one
    new papers and practice use. Attempts point at the version they saw."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("owner organization"),
    )
    qtype = models.CharField(_("question type"), max_length=12, choices=QuestionType.choices)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=3
    )
    knowledge_point = models.CharField(
        _("knowledge point"), max_length=100, blank=True, db_index=True
    )
    occupation = models.ForeignKey(
        "core.Occupation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("occupation"),
    )
    skill_level = models.ForeignKey(
        "core.SkillLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("skill level"),
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=Decimal("1"))
    is_active = models.BooleanField(_("active"), default=True)
    current = models.ForeignKey(
        "QuestionVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "knowledge_point", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            models.Index(
                fields=["organization", "qtype", "knowledge_point", "difficulty"],
                name="question_blueprint",
            )
        ]

    def __str__(self) -> str:
        from .sanitize import plain_text

        stem = plain_text(self.current.stem) if self.current_id else ""
        return f"{self.get_qtype_display()} · {stem[:40]}"

    @property
    def is_objective(self) -> bool:
        return self.qtype in OBJECTIVE_TYPES


class QuestionVersion(models.Model):
    """The content of a question at one time. Immutable once an attempt or a practice answer used it
    (``used``); editing a used question makes a new version."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    qtype = models.CharField(max_length=12, choices=QuestionType.choices)
    stem = models.TextField(_("stem"))
    # [{"key": "A", "text": "..."}]
    options = models.JSONField(_("options"), default=list, blank=True)
    # single: "B"; multiple: ["A","C"]; true_false: true/false; fill: [["alt1","alt2"], ["..."]];
    # short: reference answer text; practical: null
    answer = models.JSONField(_("answer"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    rubric = models.TextField(_("rubric"), blank=True)
    # practical: [{"item": "...", "points": 5}]
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    scoring_rule = models.CharField(
        _("scoring rule"),
        max_length=8,
        choices=ScoringRule.choices,
        default=ScoringRule.ALL_OR_NOTHING,
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=Decimal("1"))
    used = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "question__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["question_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question.code} v{self.number}"

    @property
    def is_objective(self) -> bool:
        return self.qtype in OBJECTIVE_TYPES


class Paper(models.Model):
    class Mode(models.TextChoices):
        FIXED = "fixed", _("fixed paper")
        BLUEPRINT = "blueprint", _("drawn from a blueprint")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="papers",
        verbose_name=_("owner organization"),
    )
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.FIXED)
    # [{"qtype": "single", "knowledge_point": "", "difficulty": null, "count": 10, "score": "1"}]
    blueprint = models.JSONField(_("blueprint"), default=list, blank=True)
    is_practice = models.BooleanField(_("usable for practice mock exams"), default=False)
    practice_minutes = models.PositiveIntegerField(_("mock exam minutes"), default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")

    def __str__(self) -> str:
        return self.title


class PaperItem(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["paper_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "question"], name="paper_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}#{self.position}"


class ReviewWhen(models.TextChoices):
    """When a candidate may see one part of the review of their attempt (Moodle's review options)."""

    NEVER = "never", _("never")
    AFTER_ATTEMPT = "attempt", _("immediately after the attempt")
    AFTER_CLOSE = "closed", _("after the session closes")


def review_shows(when: str, session: ExamSession, now: dt.datetime | None = None) -> bool:
    """Whether a part set to ``when`` is shown now for a submitted attempt of ``session``."""
    if when == ReviewWhen.AFTER_ATTEMPT:
        return True
    if when == ReviewWhen.AFTER_CLOSE:
        return (now or timezone.now()) >= session.closes_at
    return False


class ExamSession(models.Model):
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="exam_sessions",
        verbose_name=_("organizer"),
    )
    paper = models.ForeignKey(
        Paper, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("paper")
    )
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=1)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    pass_percent = models.DecimalField(
        _("pass mark (%)"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    double_marking = models.BooleanField(_("double marking"), default=False)
    marking_tolerance = models.DecimalField(
        _("marking tolerance (points)"), max_digits=6, decimal_places=2, default=Decimal("2")
    )
    invigilation = models.TextField(_("invigilation information"), blank=True)
    # what a candidate sees of a submitted attempt, and from when (``learning.review``)
    review_marks = models.CharField(
        _("marks shown"),
        max_length=8,
        choices=ReviewWhen.choices,
        default=ReviewWhen.AFTER_ATTEMPT,
    )
    review_correctness = models.CharField(
        _("right or wrong shown"),
        max_length=8,
        choices=ReviewWhen.choices,
        default=ReviewWhen.AFTER_CLOSE,
    )
    review_answers = models.CharField(
        _("correct answers shown"),
        max_length=8,
        choices=ReviewWhen.choices,
        default=ReviewWhen.AFTER_CLOSE,
    )
    review_explanations = models.CharField(
        _("explanations shown"),
        max_length=8,
        choices=ReviewWhen.choices,
        default=ReviewWhen.AFTER_CLOSE,
    )
    # a personal timed mock exam started from practice (hidden from session lists)
    is_mock = models.BooleanField(default=False, editable=False)
    candidates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="exam_sessions",
        verbose_name=_("individual candidates"),
    )
    candidate_organizations = models.ManyToManyField(
        "core.Organization",
        blank=True,
        related_name="+",
        verbose_name=_("candidate organizations (all their workers)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        MARKING = "marking", _("awaiting marking")
        COMPLETE = "complete", _("complete")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    # blind code shown to markers instead of the candidate
    blind_code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="attempts")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exam_attempts"
    )
    number = models.PositiveSmallIntegerField(default=1)
    seed = models.BigIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True
    )
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)
    last_position = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["session", "user", "number"], name="attempt_unique")
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_due")]

    def __str__(self) -> str:
        return f"{self.session} · {self.user} #{self.number}"

    @property
    def released(self) -> bool:
        return self.status == self.Status.COMPLETE

    @property
    def marks_visible(self) -> bool:
        """The candidate may see this attempt's marks now (the session's review options)."""
        return self.released and review_shows(self.session.review_marks, self.session)

    def seconds_left(self, now: Any = None) -> int:
        now = now or timezone.now()
        if self.status != self.Status.IN_PROGRESS:
            return 0
        return max(0, int((self.deadline - now).total_seconds()))


class AttemptItem(models.Model):
    class Marking(models.TextChoices):
        AUTO = "auto", _("graded automatically")
        PENDING = "pending", _("awaiting marking")
        SECOND = "second", _("awaiting second marking")
        THIRD = "third", _("awaiting reconciliation")
        DONE = "done", _("marked")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    version = models.ForeignKey(
        QuestionVersion, on_delete=models.PROTECT, related_name="attempt_items"
    )
    option_order = models.JSONField(default=list, blank=True)
    max_score = models.DecimalField(max_digits=6, decimal_places=2)
    response = models.JSONField(null=True, blank=True)
    seq = models.BigIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    marking = models.CharField(
        max_length=8, choices=Marking.choices, default=Marking.AUTO, db_index=True
    )

    SCOPE_PATH = "attempt__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Mark(models.Model):
    class Kind(models.TextChoices):
        FIRST = "first", _("first marking")
        SECOND = "second", _("second marking")
        THIRD = "third", _("reconciliation")
        REGRADE = "regrade", _("regrade")

    item = models.ForeignKey(AttemptItem, on_delete=models.CASCADE, related_name="marks")
    marker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    score = models.DecimalField(max_digits=6, decimal_places=2)
    checklist = models.JSONField(default=list, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "item__attempt__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"


# --------------------------------------------------------------------------------- practice
class PracticeAnswer(models.Model):
    """One practice answer. ``organization`` is the worker's organisation at the time (leaderboards)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_answers"
    )
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=12, default="sequential")
    response = models.JSONField(null=True, blank=True)
    correct = models.BooleanField()
    score = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    answered_at = models.DateTimeField(default=timezone.now, db_index=True)
    day = models.DateField(db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_at"]
        indexes = [models.Index(fields=["user", "day"], name="practice_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.question_id} {self.correct}"


class WrongBookEntry(models.Model):
    """错题本: a question the worker missed; resolved after two right answers in a row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wrong_book"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    misses = models.PositiveIntegerField(default=1)
    right_streak = models.PositiveSmallIntegerField(default=0)
    resolved = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["resolved", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="wrong_book_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.question_id}"


# ---------------------------------------------------------------------------------- courses
class Course(models.Model):
    """A course owned by an organisation: visible to its subtree and to the organisations below it,
    or to everyone when ``published_wide``."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("owner organization"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=Decimal("1"))
    published_wide = models.BooleanField(_("open to every organization"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        PDF = "pdf", _("PDF")
        VIDEO = "video", _("video")
        QUIZ = "quiz", _("quiz")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveIntegerField(default=1)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to="learning/lessons/%Y/%m/", blank=True)
    quiz_paper = models.ForeignKey(
        Paper,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("quiz paper"),
    )

    SCOPE_PATH = "course__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["course_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    training_record = models.CharField(
        max_length=20, blank=True, help_text="code of the workforce training record"
    )

    SCOPE_PATH = "course__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="enrollment_unique")]

    def __str__(self) -> str:
        return f"{self.course} · {self.user}"


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}:{self.lesson_id}"


# ------------------------------------------------------------------------------ calibration
class QuestionCalibration(models.Model):
    """The current 2PL calibration of one question version (``learning.calibration``): one row per
    version, replaced by every new calibration of a bank that includes it. ``a`` and ``b`` are null
    when the version could not be estimated; ``flag`` names the first problem found, or is empty."""

    version = models.OneToOneField(
        QuestionVersion, on_delete=models.CASCADE, related_name="calibration"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="calibrations")
    a = models.FloatField(_("discrimination (a)"), null=True, blank=True)
    b = models.FloatField(_("difficulty (b)"), null=True, blank=True)
    responses = models.PositiveIntegerField(_("responses"), default=0)
    flag = models.CharField(_("flag"), max_length=40, blank=True)
    job = models.CharField(max_length=20, blank=True)  # code of the calibration job
    calibrated_at = models.DateTimeField(_("calibrated at"), default=timezone.now)

    SCOPE_PATH = "question__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["question_id", "version_id"]
        verbose_name = _("question calibration")
        verbose_name_plural = _("question calibrations")

    def __str__(self) -> str:
        return f"{self.version_id} a={self.a} b={self.b}"
