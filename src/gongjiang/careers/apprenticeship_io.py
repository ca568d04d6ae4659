"""The apprenticeship's claims report out to Excel (through core.exports: every user value written
as text, never a formula): one sheet per pilot and year, one per region and year."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongjiang.core.exports import xlsx_bytes

from . import apprenticeship_selectors as sel


def report_xlsx(actor: Any, year: int | None) -> bytes:
    rows = sel.report(actor, year)
    money = [
        _("claims"),
        _("apprentices"),
        _("claimed (yuan)"),
        _("approved (yuan)"),
        _("paid (yuan)"),
    ]
    by_pilot = [
        [
            r.enterprise,
            r.region_name,
            r.year,
            r.claims,
            r.apprentices,
            r.claimed,
            r.approved,
            r.paid,
        ]
        for r in rows
    ]
    by_region = [
        [r.region_name, r.year, r.claims, r.apprentices, r.claimed, r.approved, r.paid]
        for r in sel.report_by_region(rows)
    ]
    return xlsx_bytes(
        [
            (_("By pilot"), [_("pilot enterprise"), _("region"), _("year"), *money], by_pilot),
            (_("By region"), [_("region"), _("year"), *money], by_region),
        ]
    )
