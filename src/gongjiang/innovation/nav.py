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
    if not (results or on_panel or exchange_nav(user)):
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
    if access.can(user, "core.view_fund"):
        children.append(NavItem(_("Reward funds"), reverse("innovation:fund_list"), "piggy-bank"))
    if access.can(user, "innovation.view_studio"):
        children.append(
            NavItem(_("Innovation studios"), reverse("innovation:studio_list"), "people")
        )
    children.append(NavItem(_("Innovation showcase"), reverse("innovation:showcase"), "stars"))
    if exchange_nav(user):
        children.append(
            NavItem(_("Technical exchange"), reverse("innovation:exchange"), "chat-square-text")
        )
    return [NavItem(_("Innovation"), "", "lightbulb", children)]


def revenue_items(user: Any) -> list[NavItem]:
    from .revenue import my_parts

    out = []
    if access.can(user, "innovation.view_revenue"):
        out.append(NavItem(_("Revenue sharing"), reverse("innovation:revenue_list"), "cash-coin"))
    elif my_parts(actor=user).exists():
        out.append(NavItem(_("My revenue shares"), reverse("innovation:revenue_mine"), "cash-coin"))
    return out


def exchange_nav(user: Any) -> bool:
    """The technical exchange is for every logged-in member of an organisation (or worker)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(access.memberships_of(user)) or getattr(user, "worker", None) is not None
