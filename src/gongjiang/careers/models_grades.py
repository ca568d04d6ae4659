"""Management grades held by workers (管理职级): the management channel of the enterprise's career
table names its grades (one per equivalence row); a ``ManagementGrade`` records that a worker holds
one, from a day, under an appointing document, until the day it ends. History is kept: a new grade
ends the one before on the new grade's first day; nothing is deleted."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet


class ManagementGrade(models.Model):
    """A management grade (管理职级) a worker holds in the enterprise: held on a day ``d`` when
    ``since <= d`` and (no end, or ``d < ended_on``)."""

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.CASCADE,
        related_name="management_grades",
        verbose_name=_("worker"),
    )
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    grade = models.CharField(_("management grade"), max_length=30)
    since = models.DateField(_("held since"))
    document = models.CharField(_("appointing document number"), max_length=60)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason it ended"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "worker__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("management grade held")
        verbose_name_plural = _("management grades held")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(ended_on__isnull=True),
                name="careers_one_open_management_grade",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.grade}"

    def held_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.ended_on is None or day < self.ended_on)
