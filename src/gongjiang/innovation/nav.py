"""Navigation entries of the innovation app."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem

from .models import AwardRound


def items(user: Any) -> list[NavItem]:
    on_panel = bool(getattr(user, "is_authenticated", False)) and (
        AwardRound.objects.filter(review__panel__user=user).exists()
    )
    results = access.can(user, "innovation.view_result") or access.can(
        user, "innovation.submit_result"
    )
    if not (results or on_panel):
        return []
    children = []
    if results:
        children.append(
            NavItem(_("Innovation results"), reverse("innovation:result_list"), "lightbulb")
        )
    if access.can(user, "innovation.review_result"):
        children.append(NavItem(_("Results to review"), reverse("innovation:review_list"), "inbox"))
    if access.can(user, "innovation.view_analytics"):
        children.append(
            NavItem(_("Innovation per 100 workers"), reverse("innovation:analytics"), "bar-chart")
        )
    if (
        on_panel
        or access.can(user, "innovation.view_award")
        or access.can(user, "innovation.nominate")
    ):
        children.append(NavItem(_("Innovation awards"), reverse("innovation:award_list"), "award"))
    children += revenue_items(user)
    if access.can(user, "innovation.view_studio"):
        children.append(
            NavItem(_("Innovation studios"), reverse("innovation:studio_list"), "people")
        )
    children.append(NavItem(_("Innovation showcase"), reverse("innovation:showcase"), "stars"))
    return [NavItem(_("Innovation"), "", "lightbulb", children)]


def revenue_items(user: Any) -> list[NavItem]:
    from .revenue import my_parts

    out = []
    if access.can(user, "innovation.view_revenue"):
        out.append(NavItem(_("Revenue sharing"), reverse("innovation:revenue_list"), "cash-coin"))
    elif my_parts(actor=user).exists():
        out.append(NavItem(_("My revenue shares"), reverse("innovation:revenue_mine"), "cash-coin"))
    return out
