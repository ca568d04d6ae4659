"""An expert-level call out to Excel (through core.exports: every user value written as text, never
a formula): its applications in ranking order with their unit, score and outcome. Only the
applications the reader may see are written (their unit inside the reader's subtree); nothing
tells how many others there are."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjiang.core.exports import xlsx_bytes

from . import experts_selectors as sel


def call_xlsx(actor: Any, call: Any) -> bytes:
    header = [
        _("rank"),
        _("worker"),
        _("worker's union"),
        _("unit"),
        _("total score"),
        pgettext("expert application", "status"),
        _("reason"),
    ]
    rows = []
    for a in sel.applications(actor, call):
        item = a.review_item
        rows.append(
            [
                item.rank if item is not None else None,
                a.worker.name,
                a.organization.name,
                a.unit.name if a.unit_id else "",
                item.total if item is not None else None,
                str(a.get_status_display()),
                a.struck_reason,
            ]
        )
    return xlsx_bytes([(_("Applications and ranking"), header, rows)])
