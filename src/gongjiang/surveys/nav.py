"""Navigation entries of worker surveys."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    children = []
    if access.can(user, "surveys.view_survey"):
        children.append(NavItem(_("Survey rounds"), reverse("surveys:list"), "clipboard-data"))
    if "worker" in access.roles_in(user):
        children.append(NavItem(_("Surveys to answer"), reverse("surveys:mine"), "ui-checks"))
    return [NavItem(_("Worker surveys"), "", "clipboard-check", children)] if children else []
