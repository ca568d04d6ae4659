"""What waits for a user in skills competitions (registered on the home page, see core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from .marking_models import JudgeAssignment
from .models import Entry


@register("competitions")
def competitions_todos(user: Any) -> list[Todo]:
    if not user.is_authenticated:
        return []
    out: list[Todo] = []
    # a judge marks through assignments: those not signed off in stages whose results are open
    open_assignments = JudgeAssignment.objects.filter(
        user=user, signed_off_at__isnull=True, stage__results_approved_at__isnull=True
    ).count()
    if open_assignments:
        out.append(
            Todo(
                _("Judging assignments with marks to enter"),
                open_assignments,
                reverse("competitions:judge_home"),
                priority=10,
                icon="clipboard-check",
            )
        )
    if "worker" in access.roles_in(user):
        out.append(
            Todo(
                _("My competition entries"),
                Entry.objects.filter(worker__user=user, status__in=Entry.ACTIVE).count(),
                reverse("competitions:list"),
                priority=45,
                icon="trophy",
            )
        )
    return out
