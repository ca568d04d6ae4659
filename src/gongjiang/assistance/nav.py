"""Navigation of the assistance app: the hardship-data pages for assistance officers only; a
worker's own page (their file, their union's notices) for workers with a registry record."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    out: list[NavItem] = []
    if access.can(user, "assistance.view"):
        out.append(
            NavItem(
                _("Assistance"),
                "",
                "heart",
                [
                    NavItem(_("Overview"), reverse("assistance:home"), "speedometer2"),
                    NavItem(_("Hardship files"), reverse("assistance:file_list"), "folder2-open"),
                    NavItem(
                        _("Re-assessments"), reverse("assistance:reassessment_list"), "arrow-repeat"
                    ),
                    NavItem(_("Support lines"), reverse("assistance:line_list"), "diagram-3"),
                    NavItem(_("Funds"), reverse("assistance:fund_list"), "cash-coin"),
                    NavItem(_("Campaigns and visits"), reverse("assistance:campaign_list"), "gift"),
                    NavItem(_("Standards"), reverse("assistance:standard_list"), "rulers"),
                    NavItem(_("Reports"), reverse("assistance:reports"), "bar-chart"),
                ],
            )
        )
    elif _has_worker(user):
        out.append(NavItem(_("Hardship assistance"), reverse("assistance:me"), "heart"))
    return out


def _has_worker(user: Any) -> bool:
    if "worker" not in access.roles_in(user):
        return False
    from gongjiang.workforce.models import Worker

    return Worker.objects.filter(user_id=user.pk).exists()
