"""Proposals (提案), their co-signatures and replies, the departments that reply, and the direct
channel (职工代表直通车 / 意见建议).

A replying department (承办部门) is a department of the enterprise's management — not a union
body, so not a node of the organisation tree: a :class:`Department` row of the enterprise union,
with the users who answer for it (``responders``). A responder sees the proposals assigned to their
department (lead or cooperating) and the lead department's responders write the reply.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.scoping import ScopedQuerySet

from .models_base import code_field


class Category(models.TextChoices):
    WAGES = "wages", _("wages and benefits")
    SAFETY = "safety", _("safety and health")
    TRAINING = "training", _("training and skills")
    WELFARE = "welfare", _("welfare and living")
    MANAGEMENT = "management", _("management and production")
    OTHER = "other", _("other")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    NOT = "not", _("not satisfied")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("adopted")
    PARTLY = "partly", _("adopted in part")
    PLANNED = "planned", _("to be solved with a plan")
    CANNOT = "cannot", _("cannot be solved now")


class Department(models.Model):
    """A department of the enterprise that replies to proposals (人力资源部, 安全环保部 …)."""

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="congress_departments",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=100)
    responders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="congress_departments",
        verbose_name=_("responders"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("replying department")
        verbose_name_plural = _("replying departments")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="congress_department_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProposalQuerySet(ScopedQuerySet):
    def default_perm(self) -> str:
        return "congress.view_proposal"

    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        """The union's scope, plus: a delegate sees the proposals of their term; a responder
        those assigned to their department."""
        qs = super().visible_to(user, perm)
        if not getattr(user, "is_authenticated", False) or user.is_superuser:
            return qs
        from django.apps import apps

        Delegate = apps.get_model("congress", "Delegate")  # noqa: N806 (models.py imports this module)
        terms = Delegate.objects.filter(worker__user=user, active=True).values("term_id")
        depts = Department.objects.filter(responders=user).values("pk")
        extra = self.model.objects.filter(
            Q(term_id__in=terms)
            | Q(lead_department__in=depts)
            | Q(cooperating_departments__in=depts)
        ).values("pk")
        return self.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=extra))


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("collecting co-signatures")
        SUBMITTED = "submitted", pgettext_lazy("proposal", "awaiting review")
        ACCEPTED = "accepted", pgettext_lazy("proposal", "accepted")
        MERGED = "merged", pgettext_lazy("proposal", "merged")
        CONVERTED = "converted", _("turned into a suggestion")
        ASSIGNED = "assigned", _("being handled")
        REPLIED = "replied", pgettext_lazy("proposal", "replied")
        RATED = "rated", pgettext_lazy("proposal", "rated")
        CLOSED = "closed", pgettext_lazy("proposal", "closed")

    # accepted at some point (the denominator of the reply and closure rates)
    ACCEPTED_STATES = ("accepted", "assigned", "replied", "rated", "closed")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="congress_proposals",
        verbose_name=_("organization"),
    )
    term = models.ForeignKey(
        "congress.Term", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("term")
    )
    session = models.ForeignKey(
        "congress.Session",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("session"),
    )
    number = models.CharField(_("proposal number"), max_length=20, blank=True)
    proposer = models.ForeignKey(
        "congress.Delegate",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("proposer"),
    )
    title = models.CharField(_("title"), max_length=200)
    reasons = models.TextField(_("reasons"), max_length=10000)
    measures = models.TextField(_("suggested measures"), max_length=10000)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    lead_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_proposals",
        verbose_name=_("lead department"),
    )
    cooperating_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="cooperating_proposals",
        verbose_name=_("cooperating departments"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    reply_round = models.PositiveSmallIntegerField(_("reply round"), default=0)
    first_replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["organization", "status"], name="congress_prop_org_st")]

    def __str__(self) -> str:
        return self.title


class CoSignature(models.Model):
    """A delegate's co-signature (附议) of a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosignatures")
    delegate = models.ForeignKey("congress.Delegate", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "delegate"], name="congress_cosign_once")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.delegate_id}"


class ProposalReply(models.Model):
    """A written reply (答复) of the lead department: round 1, and round 2 after 'not satisfied'."""

    code = code_field()
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="replies", verbose_name=_("proposal")
    )
    round = models.PositiveSmallIntegerField(_("round"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    text = models.TextField(_("reply"), max_length=10000)
    plan_date = models.DateField(_("to be done by"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), auto_now_add=True)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        ordering = ["round"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="congress_reply_round")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.round}"


class SuggestionQuerySet(ScopedQuerySet):
    def default_perm(self) -> str:
        return "congress.view_suggestion"

    def visible_to(self, user: Any, perm: str | None = None) -> Any:
        qs = super().visible_to(user, perm)
        if not getattr(user, "is_authenticated", False) or user.is_superuser:
            return qs
        return self.filter(Q(pk__in=qs.values("pk")) | Q(author=user))


class Suggestion(models.Model):
    """An opinion or suggestion (意见建议) through the direct channel: written by any worker (or
    turned from a proposal), answered by the union, rated by the writer, closed."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting reply")
        REPLIED = "replied", _("replied")
        RATED = "rated", _("rated")
        CLOSED = "closed", _("closed")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="congress_suggestions",
        verbose_name=_("union"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    from_proposal = models.OneToOneField(
        Proposal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestion",
        verbose_name=_("from proposal"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    reply_round = models.PositiveSmallIntegerField(default=0)
    reply = models.TextField(_("reply"), blank=True, max_length=10000)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return self.title
