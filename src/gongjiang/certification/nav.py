"""Navigation entries of skill-level evaluation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    children = []
    if access.can(user, "certification.view_evaluationplan"):
        children.append(
            NavItem(_("Evaluation plans"), reverse("certification:plan_list"), "clipboard-check")
        )
    if access.can(user, "certification.view_certificate"):
        children.append(
            NavItem(_("Certificates"), reverse("certification:certificate_list"), "award")
        )
    elif "worker" in access.roles_in(user):
        children.append(
            NavItem(_("My certificates"), reverse("certification:certificate_list"), "award")
        )
    if not children:
        return []  # the public verification page is for those who deal with certificates
    children.append(
        NavItem(_("Verify a certificate"), reverse("certification:verify_lookup"), "patch-check")
    )
    return [NavItem(_("Skill evaluation"), "", "mortarboard", children)]
