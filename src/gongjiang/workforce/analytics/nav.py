"""Navigation entry of the skill-structure dashboard (workforce/nav.py adds it)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem

from .services import VIEW_PERM


def items(user: Any) -> list[NavItem]:
    if not access.can(user, VIEW_PERM):
        return []
    return [NavItem(_("Skill structure"), reverse("workforce:analytics_home"), "bar-chart-line")]
