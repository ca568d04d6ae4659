"""Navigation entries of the congress app."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem

from .selectors_proposals import is_responder


def items(user: Any) -> list[NavItem]:
    staff = access.can(user, "congress.view")
    worker = access.can(user, "congress.take_part")
    responder = is_responder(user)
    if not (staff or worker or responder):
        return []
    children = []
    if staff or worker:
        children.append(NavItem(_("Congresses"), reverse("congress:index"), "people"))
    children.append(NavItem(_("Proposals"), reverse("congress:proposal_list"), "card-checklist"))
    if access.can(user, "congress.view_proposal"):
        children.append(NavItem(_("Proposal rates"), reverse("congress:rates"), "bar-chart"))
    if worker or access.can(user, "congress.view_suggestion"):
        children.append(
            NavItem(_("Direct channel"), reverse("congress:suggestion_list"), "chat-left-text")
        )
    children.append(NavItem(_("Open affairs"), reverse("congress:notice_list"), "megaphone"))
    return [NavItem(_("Democratic management"), "", "bank", children)]
