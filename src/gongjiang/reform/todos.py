"""What waits for a user in the reform ledger (registered on the home page, see core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from . import selectors
from .models import PlanItem


@register("reform")
def reform_todos(user: Any) -> list[Todo]:
    if not access.can(user, "reform.view"):
        return []
    today = timezone.localdate()
    out: list[Todo] = []
    if access.can(user, "reform.review"):
        out.append(
            Todo(
                _("Progress reports awaiting my review"),
                selectors.reports_to_review(actor=user).count(),
                reverse("reform:review_list"),
                priority=10,
                icon="inbox",
            )
        )
    out.append(
        Todo(
            _("Overdue reform tasks"),
            selectors.task_list(actor=user, status=PlanItem.OVERDUE, on=today).count(),
            reverse("reform:task_list") + f"?status={PlanItem.OVERDUE}",
            priority=20,
            icon="alarm",
        )
    )
    if access.can(user, "reform.report"):
        out.append(
            Todo(
                _("Supervision notices awaiting a reply"),
                selectors.notice_list(actor=user, status="open").count(),
                reverse("reform:notice_list") + "?status=open",
                priority=30,
                icon="megaphone",
            )
        )
    out.append(
        Todo(
            _("Unread reform reminders"),
            selectors.notifications_for(actor=user, unread_only=True).count(),
            reverse("reform:notification_list"),
            priority=60,
            icon="bell",
        )
    )
    return out
