"""Navigation entries of the careers app."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem
from gongjiang.workforce.models import Worker


def items(user: Any) -> list[NavItem]:
    children = []
    if access.can(user, "careers.view"):
        children.append(NavItem(_("Careers desk"), reverse("careers:home"), "signpost-split"))
    if access.can(user, "careers.honours_nominate") or access.can(user, "careers.honours_approve"):
        children.append(NavItem(_("Honours selection"), reverse("careers:honours"), "award"))
    if access.can(user, "careers.experts_manage") or access.can(user, "careers.experts_appoint"):
        children.append(
            NavItem(_("Expert-level selection"), reverse("careers:experts"), "patch-check")
        )
    is_worker = (
        getattr(user, "is_authenticated", False) and Worker.objects.filter(user=user).exists()
    )
    if is_worker:
        children.append(NavItem(_("My career"), reverse("careers:me"), "graph-up-arrow"))
        children.append(NavItem(_("My expert level"), reverse("careers:experts_me"), "patch-check"))
    if is_worker or access.can(user, "careers.programmes_view"):
        children.append(
            NavItem(_("Worker programmes"), reverse("careers:programmes"), "mortarboard")
        )
    if access.can(user, "careers.apprentice_view"):
        children.append(
            NavItem(_("New-style apprenticeship"), reverse("careers:apprenticeship"), "tools")
        )
    if is_worker:
        children.append(
            NavItem(_("My apprenticeship"), reverse("careers:apprentice_me"), "person-workspace")
        )
    if not children:
        return []
    return [NavItem(_("Careers"), "", "signpost-split", children)]
