"""Navigation entries of the reform app."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    if not access.can(user, "reform.view"):
        return []
    children = [
        NavItem(_("Plans and ledgers"), reverse("reform:plan_list"), "kanban"),
        NavItem(_("Tasks"), reverse("reform:task_list"), "list-check"),
    ]
    if access.can(user, "reform.review"):
        children.append(NavItem(_("Reports to review"), reverse("reform:review_list"), "inbox"))
    children += [
        NavItem(_("Inspections"), reverse("reform:inspection_list"), "search"),
        NavItem(_("Supervision notices"), reverse("reform:notice_list"), "megaphone"),
        NavItem(_("Rollout"), reverse("reform:rollout"), "bar-chart"),
        NavItem(_("Reminders"), reverse("reform:notification_list"), "bell"),
    ]
    return [NavItem(_("Reform"), "", "flag", children)]
