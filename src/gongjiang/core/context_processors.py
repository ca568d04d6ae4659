from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from . import access
from .nav import NavItem


def _core_items(user: Any) -> list[NavItem]:
    items = [NavItem(_("Home"), reverse("core:home"), "house")]
    if not access.has_staff_role(user):
        return items  # a worker's menus are their own work (the apps' entries), no administration
    admin_items = []
    if access.can(user, "core.view_organization"):
        admin_items.append(
            NavItem(_("Organizations"), reverse("core:organization_tree"), "diagram-3")
        )
    if access.can(user, "core.view_membership"):
        admin_items.append(NavItem(_("Users and roles"), reverse("core:membership_list"), "people"))
    if access.can(user, "core.view_auditevent"):
        admin_items.append(NavItem(_("Audit log"), reverse("core:audit_list"), "journal-text"))
    admin_items.append(NavItem(_("Reference data"), reverse("core:reference_index"), "book"))
    items.append(NavItem(_("Administration"), "", "gear", admin_items))
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = _core_items(user)
    for app in settings.GONGJIANG_APPS:
        try:
            module = importlib.import_module(f"gongjiang.{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"gongjiang.{app}.nav":
                raise
            continue
        items.extend(module.items(user))
    # Administration last
    admin = [i for i in items if i.icon == "gear"]
    others = [i for i in items if i.icon != "gear"]
    return {"nav_items": others + admin, "user_roles": sorted(access.roles_in(user))}
