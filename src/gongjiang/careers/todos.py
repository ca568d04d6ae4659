"""What waits for a user in careers (registered on the home page, see core.todos)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from . import selectors


@register("careers")
def careers_todos(user: Any) -> list[Todo]:
    if not access.can(user, "careers.decide"):
        return []
    return [
        Todo(
            _("Bridge applications awaiting my decision"),
            selectors.applications_to_decide(user).count(),
            reverse("careers:home") + "?decide=1",
            priority=15,
            icon="signpost-split",
        )
    ]
