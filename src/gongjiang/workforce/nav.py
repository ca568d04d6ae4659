"""Navigation entries of the workforce registry (shown only to roles that may use them)."""

from __future__ import annotations

import importlib
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    children: list[NavItem] = []
    if access.can(user, "workforce.view_worker"):
        children.append(NavItem(_("Workers"), reverse("workforce:worker_list"), "person-vcard"))
    if access.can(user, "workforce.change_worker"):
        children.append(
            NavItem(_("Register a worker"), reverse("workforce:worker_create"), "person-plus")
        )
        children.append(
            NavItem(
                _("Import a roster"), reverse("workforce:import_upload"), "file-earmark-arrow-up"
            )
        )
        children.append(
            NavItem(
                _("Transfer requests"),
                reverse("workforce:transfer_request_list"),
                "arrow-left-right",
            )
        )
    if access.can(user, "workforce.approve_import"):
        from .roster.approval_models import approval_required

        if approval_required():
            children.append(
                NavItem(
                    _("Roster imports to approve"),
                    reverse("workforce:import_approvals"),
                    "clipboard-check",
                )
            )
    try:  # the analytics pages (workforce/analytics/nav.py) add their entries
        children += importlib.import_module("gongjiang.workforce.analytics.nav").items(user)
    except ModuleNotFoundError as exc:
        if exc.name != "gongjiang.workforce.analytics.nav":
            raise
    if not children:
        from .models import Worker

        own = (
            Worker.objects.filter(user=user).only("code").first() if user.is_authenticated else None
        )
        if own is not None:
            return [
                NavItem(
                    _("My record"),
                    reverse("workforce:worker_detail", args=[own.code]),
                    "person-vcard",
                )
            ]
        return []
    return [NavItem(_("Workforce"), "", "people-fill", children)]
