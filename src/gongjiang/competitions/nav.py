"""Navigation entries of the competitions app."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    children = []
    if access.can(user, "competitions.view_competition"):
        children.append(NavItem(_("Competitions"), reverse("competitions:list"), "trophy"))
    if user.is_authenticated and user.judge_assignments.exists():
        children.append(
            NavItem(_("My judging"), reverse("competitions:judge_home"), "clipboard-check")
        )
    if not children:
        return []
    return [NavItem(_("Skills competitions"), "", "trophy", children)]
