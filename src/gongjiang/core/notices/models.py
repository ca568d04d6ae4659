"""Public notices (公示), their objections, and the working-day calendar they are counted in.
Imported by ``core.models`` (Django finds the tables there)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..codes import new_code
from ..scoping import ScopedQuerySet


class CalendarDay(models.Model):
    """An exception to "Monday to Friday are working days": a public holiday on a weekday
    (``working=False``) or a weekend day worked to make up for one (调休, ``working=True``).
    Loaded each year from the State Council's holiday notice with ``gongjiang calendar-days FILE``
    (or edited by a superuser in the Django admin)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    working = models.BooleanField(_("working day"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


class PublicNotice(models.Model):
    """A notice about something (an award, a grant, a selection) shown to an audience subtree for
    a number of working days, with the people concerned named only in masked form."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("public notice", "scheduled")
        OPEN = "open", pgettext_lazy("public notice", "open")
        ENDED = "ended", pgettext_lazy("public notice", "ended")
        WITHDRAWN = "withdrawn", pgettext_lazy("public notice", "withdrawn")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="public_notices",
        verbose_name=_("organization"),
    )
    audience = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("audience"),
        help_text=_("The organisation whose members (its whole subtree) see the notice."),
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    object_code = models.CharField(_("object"), max_length=40, blank=True)
    title = models.CharField(pgettext_lazy("public notice", "title"), max_length=200)
    body = models.TextField(pgettext_lazy("public notice", "text"), max_length=20000, blank=True)
    masked_names = models.JSONField(_("names"), default=list, blank=True)
    starts_on = models.DateField(_("first day"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    ends_on = models.DateField(_("last day"))
    withdrawn_at = models.DateTimeField(
        pgettext_lazy("public notice", "withdrawn"), null=True, blank=True
    )
    withdrawn_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="core_publicnotice_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(working_days__gte=1), name="core_publicnotice_working_days"
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="core_notice_dates")]

    def __str__(self) -> str:
        return self.title

    def state_on(self, day: dt.date) -> str:
        if self.withdrawn_at is not None:
            return self.State.WITHDRAWN
        if day < self.starts_on:
            return self.State.SCHEDULED
        if day > self.ends_on:
            return self.State.ENDED
        return self.State.OPEN

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> Any:
        return self.State(self.state).label


class NoticeObjection(models.Model):
    """An objection (异议) filed while the notice is open, answered by the notice's owner."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    notice = models.ForeignKey(
        PublicNotice, on_delete=models.PROTECT, related_name="objections", verbose_name=_("notice")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    text = models.TextField(_("objection"), max_length=5000)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    reply = models.TextField(pgettext_lazy("objection", "reply"), max_length=5000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(pgettext_lazy("objection", "replied"), null=True, blank=True)

    SCOPE_PATH = "notice__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["notice_id", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.notice} · {self.created_at:%Y-%m-%d}"
