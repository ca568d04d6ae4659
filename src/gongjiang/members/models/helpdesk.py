"""职工网上服务中心: a worker's request routed to a union, with deadlines, replies and escalation."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet


class Category(models.TextChoices):
    LEGAL = "legal", _("legal advice")
    WAGES = "wages", _("wages owed")
    INJURY = "injury", _("work injury")
    CONTRACT = "contract", _("labour contract")
    PSYCHOLOGICAL = "psych", _("psychological support")
    HARDSHIP = "hardship", _("hardship")


#: hours within which the first reply is due, per category (wages owed and injury are urgent)
DEADLINE_HOURS = {
    Category.LEGAL: 72,
    Category.WAGES: 24,
    Category.INJURY: 24,
    Category.CONTRACT: 72,
    Category.PSYCHOLOGICAL: 24,
    Category.HARDSHIP: 48,
}


def deadline_for(category: str, opened: dt.datetime) -> dt.datetime:
    return opened + dt.timedelta(hours=DEADLINE_HOURS[Category(category)])


class HelpRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a reply")
        ANSWERED = "answered", _("answered")
        RESOLVED = "resolved", _("resolved")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_help_requests"
    )
    # the union that handles it now (routing, hand-over and escalation change it)
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("union")
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("filed"))
    due_at = models.DateTimeField(_("reply due"))
    first_reply_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [models.Index(fields=["status", "due_at"], name="members_help_due")]

    def __str__(self) -> str:
        return self.subject


class HelpMessage(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("from the worker")
        REPLY = "reply", _("reply")
        NOTE = "note", _("internal note")
        EVENT = "event", _("hand-over or escalation")

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=5000)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.kind}"
