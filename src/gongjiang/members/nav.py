"""Navigation entries of member services (desktop menu)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    if not access.can(user, "members.use"):
        return []
    children = [NavItem(_("Union e-home (phone)"), reverse("members:home"), "phone")]
    if access.can(user, "members.manage_station"):
        children.append(
            NavItem(_("Service stations"), reverse("members:station_manage"), "house-heart")
        )
    if access.can(user, "members.manage_activity"):
        children.append(
            NavItem(_("Activities"), reverse("members:activity_manage"), "calendar-event")
        )
        children.append(
            NavItem(_("Online campaigns"), reverse("members:campaign_manage"), "trophy")
        )
    if access.can(user, "members.publish_news"):
        children.append(NavItem(_("News and notices"), reverse("members:news_manage"), "newspaper"))
    if access.can(user, "members.handle_help"):
        children.append(NavItem(_("Help desk"), reverse("members:help_desk"), "chat-dots"))
    if access.can(user, "members.manage_library"):
        children.append(NavItem(_("E-library"), reverse("members:library_manage"), "book"))
    if access.can(user, "members.recommend_books"):
        children.append(NavItem(_("Reading lists"), reverse("members:library_lists"), "bookmarks"))
    if access.can(user, "members.library_stats"):
        children.append(
            NavItem(_("Reading statistics"), reverse("members:library_stats"), "bar-chart")
        )
    return [NavItem(_("Member services"), "", "people", children)]
