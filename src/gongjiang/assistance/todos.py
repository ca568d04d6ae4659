"""Home-page to-dos of assistance officers: files to check, files to approve, re-verifications
due, notices ending (scoped counts through the selectors the linked pages use)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.todos import Todo, register

from . import selectors


@register("assistance")
def assistance_todos(user: Any) -> list[Todo]:
    if not access.can(user, "assistance.view"):
        return []
    url = reverse("assistance:file_list")
    return [
        Todo(
            _("Hardship applications to check"),
            selectors.files_to_check(actor=user).count(),
            f"{url}?view=check",
            priority=20,
            icon="clipboard-check",
        ),
        Todo(
            _("Hardship files to approve"),
            selectors.files_to_approve(actor=user).count(),
            f"{url}?view=approve",
            priority=21,
            icon="check2-square",
        ),
        Todo(
            _("Re-verifications due"),
            selectors.verifications_due(actor=user).count(),
            f"{url}?view=verify",
            priority=22,
            icon="arrow-repeat",
        ),
        Todo(
            _("Hardship notices ending"),
            selectors.notices_ending(actor=user).count(),
            f"{url}?view=notices",
            priority=23,
            icon="megaphone",
        ),
    ]
