"""The apprenticeship out to Excel (through core.exports: every user value written as text, never a
formula): a cohort's (or a pilot enterprise's) apprentices with their agreement and stage; the claims report, one sheet per
pilot and year, one per region and year."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjiang.core.exports import xlsx_bytes

from . import apprenticeship_rules as R
from . import apprenticeship_selectors as sel


def _header() -> list[str]:
    return [
        _("apprentice"),
        _("union organisation"),
        _("apprentice is"),
        _("agreement number"),
        _("training starts on"),
        _("training ends on"),
        _("months"),
        _("enterprise mentor"),
        _("institution teacher"),
        pgettext("apprentice", "stage"),
        _("completed or ended on"),
    ]


def _row(a: Any) -> list[Any]:
    return [
        a.worker.name,
        a.worker.organization.name,
        str(a.get_origin_display()),
        a.agreement_number,
        a.starts_on,
        a.ends_on,
        R.whole_months(a.starts_on, a.ends_on),
        a.mentor.name,
        a.teacher_name,
        str(sel.STAGE_NAMES.get(a.stage, a.stage)),
        a.ended_on,
    ]


def apprentices_xlsx(actor: Any, cohort: Any) -> bytes:
    rows = [_row(a) for a in sel.apprentices(actor, cohort).order_by("worker__name_pinyin", "id")]
    return xlsx_bytes([(_("Apprentices"), _header(), rows)])


def pilot_apprentices_xlsx(actor: Any, pilot: Any) -> bytes:
    """Every apprentice of a pilot enterprise, cohort by cohort (a cohort column first); only the
    apprentices the reader sees (sel.apprentices: their subtree, or their own)."""
    rows = [
        [a.cohort.name, a.cohort.year, *_row(a)]
        for a in sel.apprentices(actor)
        .filter(cohort__pilot=pilot)
        .order_by("-cohort__year", "cohort__name", "worker__name_pinyin", "id")
    ]
    header = [_("cohort"), _("year"), *_header()]
    return xlsx_bytes([(_("Apprentices"), header, rows)])


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
