"""What waits for a user in member services (registered on the home page, see core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from . import helpdesk


@register("members")
def members_todos(user: Any) -> list[Todo]:
    if not access.can(user, "members.use"):
        return []
    out = [
        Todo(
            _("Answers to my help requests to rate"),
            helpdesk.my_requests(actor=user)
            .filter(first_reply_at__isnull=False, rating__isnull=True)
            .count(),
            reverse("members:help_list"),
            priority=40,
            icon="star",
        )
    ]
    if access.can(user, helpdesk.HANDLE):
        out.append(
            Todo(
                _("Help requests waiting for a first reply"),
                helpdesk.requests_handled(actor=user)
                .filter(status=helpdesk.Status.OPEN, first_reply_at__isnull=True)
                .count(),
                reverse("members:help_desk") + "?status=open",
                priority=15,
                icon="chat-dots",
            )
        )
        out.append(
            Todo(
                _("Help requests past their deadline"),
                helpdesk.requests_handled(actor=user)
                .filter(status=helpdesk.Status.OPEN, due_at__lt=timezone.now())
                .count(),
                reverse("members:help_desk") + "?status=open",
                priority=12,
                icon="alarm",
            )
        )
    return out
