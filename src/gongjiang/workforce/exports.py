"""Export of any filtered worker list to Excel: the whole list, streamed, IDs masked unless the role
may see them (core.view_full_citizen_id at the worker's employer) — and then every export is audited.

The workbook is written by :mod:`gongjiang.core.exports` in constant-memory mode to a temporary
file while the rows are read with ``.iterator()`` in chunks, so memory stays flat for millions of
rows; the file is then streamed to the client (``FileResponse``). Names are text, never formulas.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import xlsx_file, xlsx_response

from . import personal
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
    full_paths = access.scope_paths(actor, "core.view_full_citizen_id")
    counts = {"rows": 0, "full": 0}

    def rows() -> Iterator[list[Any]]:
        for w in worker_list(actor, filters).iterator(chunk_size=2000):
            path = w.organization.path
            if full_paths is None or any(path.startswith(p) for p in full_paths):
                citizen_id = personal.decrypt(w.citizen_id_encrypted)
                counts["full"] += 1
            else:
                citizen_id = w.citizen_id_masked
            counts["rows"] += 1
            yield [
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

    handle = xlsx_file([(_("Workers"), _header(), rows())])
    n, full = counts["rows"], counts["full"]
    audit(
        actor=actor,
        action="worker.export",
        details={"filters": filters.as_query(), "rows": n, "full_citizen_ids": full},
    )
    return handle, n, full


def worker_export_response(*, actor: Any, filters: WorkerFilters) -> Any:
    handle, _rows, _full = worker_export_file(actor=actor, filters=filters)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(handle, download_filename(_("Worker roster"), stamp, ext="xlsx"))
