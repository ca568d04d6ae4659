"""Skill-level evaluation (职业技能等级认定) and the certificates it issues.

An :class:`EvaluationPlan` belongs to the evaluation body's organisation (its subtree scopes every
read). Candidates are workforce workers; each has a theory, practical and (for 技师 / 高级技师)
review score. Practical scores come from examiners scoring a checklist; the candidate's practical
score is the average over examiners. A pass issues a :class:`Certificate` with the 22-character
national number (see ``numbers.py``) and a random verification token for the public page.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet
from gongjiang.core.validators import PROVINCE_CODES

# Levels whose evaluation needs the review of work results (综合评审): 技师 and 高级技师.
REVIEW_LEVELS = frozenset({"TECHNICIAN", "SENIOR_TECHNICIAN"})
SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def new_token() -> str:
    """A random, unguessable verification token (about 190 bits)."""
    return secrets.token_urlsafe(24)


class BodyKind(models.TextChoices):
    EMPLOYER = "Y", _("employer evaluation (Y)")
    SOCIAL = "S", _("social training and evaluation organisation (S)")


class EvaluationPlan(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open: enrolment and scoring")
        DECIDED = "decided", _("results decided")
        ISSUED = "issued", _("certificates issued")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="evaluation_plans",
        verbose_name=_("evaluation body"),
    )
    name = models.CharField(_("name"), max_length=200)
    occupation = models.ForeignKey(
        "core.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("occupation")
    )
    level = models.ForeignKey(
        "core.SkillLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill level")
    )
    body_kind = models.CharField(
        _("kind of evaluation body"),
        max_length=1,
        choices=BodyKind.choices,
        default=BodyKind.EMPLOYER,
    )
    body_code = models.CharField(
        _("evaluation body code"),
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", _("Four digits."))],
        help_text=_(
            "Four digits: the code the ministry assigned to the evaluation body, or 0000 for a "
            "body filed with the provincial department (see docs/certification.md)."
        ),
    )
    province_code = models.CharField(
        _("province code"),
        max_length=2,
        validators=[RegexValidator(r"^[1-9]\d$", _("Two digits."))],
        help_text=_(
            "The first two digits of the GB/T 2260 code of the evaluation site's province."
        ),
    )
    site_code = models.CharField(
        _("evaluation site code"),
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("Six digits."))],
        help_text=_(
            "Six digits: the evaluation body (site) serial code assigned by the provincial "
            "department."
        ),
    )
    has_theory = models.BooleanField(_("theory exam"), default=True)
    has_practical = models.BooleanField(_("practical assessment"), default=True)
    has_review = models.BooleanField(_("review of work results (综合评审)"), default=False)
    theory_pass = models.DecimalField(
        _("theory pass mark"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=SCORE_VALIDATORS,
    )
    practical_pass = models.DecimalField(
        _("practical pass mark"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=SCORE_VALIDATORS,
    )
    review_pass = models.DecimalField(
        _("review pass mark"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=SCORE_VALIDATORS,
    )
    exam_session_code = models.CharField(
        _("theory exam session"),
        max_length=40,
        blank=True,
        help_text=_(
            "Code of the learning exam session whose released results fill the theory scores."
        ),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    validity_years = models.PositiveSmallIntegerField(
        _("validity (years)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(50)],
        help_text=_("Leave empty for certificates valid without a time limit."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("evaluation plan")
        verbose_name_plural = _("evaluation plans")

    def __str__(self) -> str:
        return self.name

    @property
    def body_name(self) -> str:
        """The evaluation body as certificates name it (the employer's legal name for Y)."""
        from .bodies import body_name

        return body_name(self.organization)

    @property
    def review_required(self) -> bool:
        return self.level_id in REVIEW_LEVELS

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.level_id and self.level.national_level is None:
            errors["level"] = [_("Only the five national levels (五级 … 一级) are evaluated.")]
        if self.occupation_id and self.occupation.level != "occupation":
            errors["occupation"] = [_("Choose an occupation, not a group.")]
        if self.province_code and self.province_code not in PROVINCE_CODES:
            errors["province_code"] = [_("Not a province code of GB/T 2260.")]
        if self.level_id in REVIEW_LEVELS:
            self.has_review = True
        if not (self.has_theory or self.has_practical or self.has_review):
            errors["has_theory"] = [_("A plan needs at least one part.")]
        if self.organization_id and self.body_kind:
            from .bodies import BODY_ORGANIZATION_KIND

            wanted = BODY_ORGANIZATION_KIND.get(self.body_kind)
            if wanted == "enterprise" and self.organization.kind != wanted:
                errors["organization"] = [
                    _(
                        "An employer evaluation (Y) belongs to the enterprise union of the employer "
                        "that evaluates its own workers."
                    )
                ]
            elif wanted == "evaluation" and self.organization.kind != wanted:
                errors["organization"] = [
                    _(
                        "A social evaluation (S) belongs to an evaluation body (an organisation of "
                        "kind 评价机构)."
                    )
                ]
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = [_("The plan cannot end before it starts.")]
        if errors:
            raise ValidationError(errors)

    def parts(self) -> list[str]:
        return [
            p
            for p, on in (
                ("theory", self.has_theory),
                ("practical", self.has_practical),
                ("review", self.has_review),
            )
            if on
        ]


class PracticalItem(models.Model):
    """One item of the practical-task checklist, with the points it is worth."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=200)
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    SCOPE_PATH = "plan__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    plan = models.ForeignKey(EvaluationPlan, on_delete=models.CASCADE, related_name="candidates")
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="evaluation_candidacies",
        verbose_name=_("worker"),
    )
    theory_score = models.DecimalField(
        _("theory score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
    )
    theory_from_exam = models.BooleanField(_("theory score from exam"), default=False)
    practical_score = models.DecimalField(
        _("practical score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
    )
    review_score = models.DecimalField(
        _("review score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
    )
    theory_passed = models.BooleanField(null=True, blank=True)
    practical_passed = models.BooleanField(null=True, blank=True)
    review_passed = models.BooleanField(null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)

    SCOPE_PATH = "plan__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "worker__name_pinyin", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["plan", "worker"], name="candidate_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.plan}"


class PracticalScore(models.Model):
    """Points one examiner gave one candidate for one checklist item."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="practical_scores"
    )
    item = models.ForeignKey(PracticalItem, on_delete=models.CASCADE, related_name="scores")
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATH = "candidate__plan__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("practical score")
        verbose_name_plural = _("practical scores")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "item", "examiner"], name="practical_score_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}/{self.item_id}/{self.examiner_id}: {self.points}"


class CertificateCounter(models.Model):
    """Last serial used per number prefix (the number without its serial); locked while allocating."""

    prefix = models.CharField(max_length=22, unique=True)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate number counter")
        verbose_name_plural = _("certificate number counters")

    def __str__(self) -> str:
        return f"{self.prefix} {self.last_serial}"


class CertificateQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        """Certificates in the user's scope, plus the user's own (as holder)."""
        qs = super().visible_to(user, perm)
        if getattr(user, "is_authenticated", False) and not getattr(user, "is_superuser", False):
            return qs | self.filter(worker__user=user)
        return qs


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    number = models.CharField(_("certificate number"), max_length=22, unique=True)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("evaluation body"),
    )
    plan = models.ForeignKey(EvaluationPlan, on_delete=models.PROTECT, related_name="certificates")
    candidate = models.OneToOneField(
        Candidate, on_delete=models.PROTECT, related_name="certificate"
    )
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="skill_certificates",
        verbose_name=_("holder"),
    )
    holder_name = models.CharField(_("holder"), max_length=50)
    occupation = models.ForeignKey(
        "core.Occupation", on_delete=models.PROTECT, related_name="+", verbose_name=_("occupation")
    )
    level = models.ForeignKey(
        "core.SkillLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill level")
    )
    issue_date = models.DateField(_("issue date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    previous_level = models.ForeignKey(
        "core.SkillLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    skill_level_change_code = models.CharField(max_length=40, blank=True)
    workforce_certificate_code = models.CharField(max_length=40, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    def status_on(self, day: Any = None) -> str:
        if self.revoked:
            return self.Status.REVOKED
        day = day or timezone.localdate()
        if self.valid_until and self.valid_until < day:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def body_name(self) -> str:
        from .bodies import body_name

        return body_name(self.organization)

    def verify_path(self) -> str:
        return reverse("certification:verify", args=[self.token])
