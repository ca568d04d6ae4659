"""Export of any filtered worker list to Excel: the whole list, streamed, IDs masked unless the role
may see them (core.view_full_citizen_id at the worker's employer) — and then every export is audited.

The workbook is written with xlsxwriter in constant-memory mode to a temporary file while the rows
are read with ``.iterator()`` in chunks, so memory stays flat for millions of rows; the file is then
streamed to the client (``FileResponse``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.downloads import attach, download_filename

from . import personal
from .actors import audit
from .selectors import WorkerFilters, worker_list


def _header() -> list[str]:
    return [
        _("name"),
        _("citizen ID number"),
        _("gender"),
        _("birth date"),
        _("employer"),
        _("team"),
        _("employee number"),
        _("occupation code"),
        _("occupation"),
        _("job title"),
        _("skill level"),
        _("hire date"),
        _("employment type"),
        _("status"),
        _("mobile phone"),
        _("ethnicity"),
        _("education"),
    ]


def worker_export_file(*, actor: Any, filters: WorkerFilters) -> tuple[Any, int, int]:
    """Write the export to a temporary file; returns (file, rows, rows with the full ID)."""
    import xlsxwriter

    full_paths = access.scope_paths(actor, "core.view_full_citizen_id")
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    wb = xlsxwriter.Workbook(
        handle.name,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    ws = wb.add_worksheet(_("Workers")[:31])
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for c, text in enumerate(_header()):
        ws.write_string(0, c, text, bold)
        ws.set_column(c, c, 14 if c != 1 else 22)
    ws.freeze_panes(1, 0)
    qs = worker_list(actor, filters)
    n = full = 0
    for n, w in enumerate(qs.iterator(chunk_size=2000), start=1):
        path = w.organization.path
        if full_paths is None or any(path.startswith(p) for p in full_paths):
            citizen_id = personal.decrypt(w.citizen_id_encrypted)
            full += 1
        else:
            citizen_id = w.citizen_id_masked
        values: list[Any] = [
            w.name,
            citizen_id,
            w.get_gender_display(),
            w.birth_date,
            w.employer.name,
            w.team.name if w.team_id else "",
            w.employee_number,
            w.occupation_id or "",
            w.occupation.name if w.occupation_id else "",
            w.job_title,
            str(w.skill_level) if w.skill_level_id else "",
            w.hire_date,
            w.get_employment_type_display(),
            w.get_status_display(),
            w.phone_masked,
            w.ethnicity,
            w.education,
        ]
        for c, value in enumerate(values):
            if isinstance(value, dt.date):
                ws.write_datetime(n, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif value:
                ws.write_string(n, c, str(value))
    wb.close()
    audit(
        actor=actor,
        action="worker.export",
        details={"filters": filters.as_query(), "rows": n, "full_citizen_ids": full},
    )
    handle.seek(0)
    return handle, n, full


def worker_export_response(*, actor: Any, filters: WorkerFilters) -> FileResponse:
    handle, _rows, _full = worker_export_file(actor=actor, filters=filters)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = FileResponse(
        handle,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return attach(response, download_filename(_("Worker roster"), stamp, ext="xlsx"))
