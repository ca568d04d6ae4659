"""Worker programmes in and out of Excel: the selected list in (through the bounded reader, every
bad row named by row and column, nothing written unless every row is right), the applications and
the report out (through core.exports)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.duties import same_person
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes
from gongjiang.core.spreadsheets import RowErrors, find_header, is_blank, read_rows, row_values
from gongjiang.workforce.models import Worker

from . import programmes_selectors as sel
from .models_programmes import Programme, ProgrammeApplication
from .programmes_common import MANAGE, Status

MAX_ROWS = 5000
COLUMNS = {
    "application": ["申请编号", "application"],
    "name": ["姓名", "name"],
    "result": ["结果", "录取结果", "result"],
    "note": ["备注", "note"],
}
YES = {"录取", "入选", "是", "selected", "yes"}
NO = {"不录取", "未入选", "否", "not selected", "no"}


@transaction.atomic
def selection_import(
    *, actor: Any, programme: Programme, source: IO[bytes], name: str
) -> dict[str, int]:
    """Decide submitted applications from a spreadsheet (申请编号, 姓名, 结果 录取/不录取, 备注). Every
    row is checked first; the file is refused whole when one row is wrong. Rows the actor filed
    are refused by name (separation of duties)."""
    access.require(actor, MANAGE, programme.organization)
    rows = read_rows(source, name)
    wanted: dict[str, tuple[bool, str, int]] = {}
    errors: list[Any] = []
    try:
        _n, mapping, headers, body = find_header(rows, COLUMNS, ["application", "result"])
        header_of = {f: headers[i] for f, i in mapping.items()}
        checked: list[tuple[int, dict[str, str], RowErrors]] = []
        for number, row in body:
            if is_blank(row):
                continue
            if len(checked) >= MAX_ROWS:
                raise ApplicationError(_("At most 5,000 rows per file."), code="too_many_rows")
            values = row_values(row, mapping)
            checked.append((number, values, RowErrors(number, values, header_of)))
    finally:
        rows.close()
    codes = {v["application"] for _n, v, _b in checked}
    found = {
        a.code: a
        for a in ProgrammeApplication.objects.select_for_update()
        .filter(programme=programme, code__in=codes)
        .select_related("worker")
    }
    for number, values, bad in checked:
        a = found.get(values["application"])
        result = values["result"].strip().lower()
        if a is None:
            bad.bad("application", _("No application of this programme has this number."))
        elif a.status != Status.SUBMITTED:
            bad.bad("application", _("Already decided: %(s)s.") % {"s": a.get_status_display()})
        elif same_person(actor, a.submitted_by_id) or same_person(actor, a.worker.user_id):
            bad.bad("application", _("You filed this application; someone else decides it."))
        elif "name" in values and values["name"] and values["name"] != a.worker.name:
            bad.bad(
                "name", _("The name does not match the application (%(n)s).") % {"n": a.worker.name}
            )
        if result not in YES and result not in NO:
            bad.bad("result", _("Write 录取 or 不录取."))
        if values["application"] in wanted:
            bad.bad(
                "application",
                _("The application appears twice (row %(r)s).")
                % {"r": wanted[values["application"]][2]},
            )
        if not bad:
            wanted[values["application"]] = (result in YES, values.get("note", "")[:500], number)
        errors.extend(bad)
    if errors:
        raise ApplicationError(
            _("The file has %(n)s errors; nothing was written.") % {"n": len(errors)},
            code="invalid_rows",
            details=[
                {"field": f"row {e.row}: {e.column}", "error": f"{e.value} — {e.message}"}
                for e in errors[:200]
            ],
        )
    if not wanted:
        raise ApplicationError(_("The file holds no rows."), code="invalid_rows")
    now = timezone.now()
    user = user_or_none(actor)
    for flag in (True, False):
        for note in {n for s, n, _r in wanted.values() if s is flag}:
            picked = [c for c, (s, n, _r) in wanted.items() if s is flag and n == note]
            ProgrammeApplication.objects.filter(pk__in=[found[c].pk for c in picked]).update(
                status=Status.SELECTED if flag else Status.NOT_SELECTED,
                decided_by=user,
                decided_at=now,
                decision_note=note,
            )
    counts = {
        "selected": sum(1 for s, _n, _r in wanted.values() if s),
        "not_selected": sum(1 for s, _n, _r in wanted.values() if not s),
    }
    audit(
        actor=actor,
        action="careers.programme_select_import",
        obj=programme,
        organization=programme.organization,
        details={**counts, "file": name[:100]},
    )
    return counts


def applications_xlsx(actor: Any, programme: Programme) -> bytes:
    header = [
        _("application number"),
        _("name"),
        _("union organisation"),
        _("places of"),
        _("employment type"),
        _("institution"),
        _("major or course"),
        _("status"),
        _("outcome"),
        _("subsidy (yuan)"),
    ]
    types = dict(Worker.EmploymentType.choices)
    # a programme paid per academic year: the years paid to each worker, summed in one query
    from django.db.models import Sum

    from .models_programmes import ProgrammeSubsidyLine

    by_year = dict(
        ProgrammeSubsidyLine.objects.filter(application__programme=programme)
        .values_list("application_id")
        .annotate(s=Sum("amount"))
    )

    def rows() -> Iterator[list[Any]]:
        qs = (
            sel.applications(actor, programme)
            .select_related("worker__organization")
            .order_by("unit__path", "id")
        )
        for a in qs.iterator(2000):
            yield [
                a.code,
                a.worker.name,
                a.worker.organization.name,
                a.unit.name,
                str(types.get(a.employment_type, a.employment_type)),
                a.partner.name if a.partner else "",
                a.course,
                str(a.get_status_display()),
                str(a.get_outcome_display()) if a.outcome else "",
                a.subsidy_entry.amount if a.subsidy_entry else by_year.get(a.pk),
            ]

    return xlsx_bytes([(_("Applications"), header, rows())])


def report_xlsx(actor: Any, programme: Programme | None, year: int | None) -> bytes:
    types = dict(Worker.EmploymentType.choices)
    rows = sel.report(actor, programme, year)
    header = [_("unit"), _("employment type"), _("applicants"), _("participants"), _("graduates")]
    by_unit = [
        [
            r.unit,
            str(types.get(r.employment_type, r.employment_type)),
            r.applicants,
            r.participants,
            r.graduates,
        ]
        for r in rows
    ]
    totals = [[str(types.get(t, t)), a, p, g] for t, a, p, g in sel.report_totals(rows)]
    return xlsx_bytes(
        [
            (_("By region"), header, by_unit),
            (_("By employment type"), header[1:], totals),
        ]
    )
