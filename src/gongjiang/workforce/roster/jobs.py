"""Roster imports as background jobs (core.jobs): the page and the API start them, users watch them.

A job of kind ``workforce.roster_import`` holds the uploaded file; ``params`` say whether it is a dry
run, the column mapping (``{field: column index}`` or null) and the target enterprise (the job's
``organization``). The handler runs :func:`gongjiang.workforce.roster.importer.roster_import`, stores the
counts, the first errors (IDs masked) and the detected columns in ``job.result``, and the
validation report (a copy of the file with bad cells highlighted; citizen IDs masked unless the
user may see full IDs) as ``job.output_file``. Both files are encrypted at rest (core.filecrypt).
A file that cannot be read fails the job with the reason (``job.result["error"]``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import File
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import XLSX_CONTENT_TYPE, file_response
from gongjiang.core.jobs import Progress, job_handler, job_start
from gongjiang.core.models import Job, Organization
from gongjiang.core.spreadsheets import read_rows

from .importer import MAX_STORED_ERRORS, roster_import
from .report import write_report

KIND = "workforce.roster_import"


@job_handler(KIND)
def run_roster_import(job: Job, progress: Progress) -> dict[str, Any]:
    actor = get_user_model().objects.get(pk=job.created_by_id)
    access.forget(actor)
    name = Path(job.params.get("filename") or job.input_file.name).name
    if not job.input_file or not job.input_file.storage.exists(job.input_file.name):
        raise ApplicationError(
            _(
                "The uploaded file is no longer kept (files are deleted %(days)d days after the "
                "check): upload it again."
            )
            % {"days": settings.JOB_FILE_RETENTION_DAYS},
            code="file_expired",
        )
    # The upload is encrypted at rest: one private plain copy for this run, read twice (the
    # import, then the report), streamed both times, and removed at the end.
    with _plain_copy(job, Path(name).suffix) as path:
        rows = read_rows(path, name)
        state = {"total": 1}

        def report_progress(done: int, total: int | None = None, message: str = "") -> None:
            if rows.total:
                state["total"] = rows.total
            progress(done, total or state["total"], message)

        report_progress(0)
        # an unreadable file (UnreadableFile, an ApplicationError) fails the job with its reason
        result = roster_import(
            actor=actor,
            source=rows,
            filename=name,
            organization=job.organization,
            dry_run=bool(job.params.get("dry_run", True)),
            mapping=job.params.get("mapping"),
            progress=report_progress,
            source_ref=f"job:{job.code}",
        )
        mask = not access.can(actor, "core.view_full_citizen_id", job.organization)
        with tempfile.TemporaryFile() as report:
            write_report(result, read_rows(path, name), report, mask_ids=mask)
            report.seek(0)
            job.output_file.save(f"{Path(name).stem}-report.xlsx", File(report), save=False)
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    data = result.as_json(mask_ids=True, limit=MAX_STORED_ERRORS)
    data.update(
        dry_run=result.dry_run,
        header_row=result.header_row,
        headers=result.headers,
        mapping=result.mapping,
        detected_mapping=result.detected_mapping,
        errors_total=len(result.errors),
        warnings_total=len(result.warnings),
        organization=job.organization.code if job.organization else None,
        filename=name,
        seconds=round(result.seconds, 2),
    )
    return data


@contextlib.contextmanager
def _plain_copy(job: Job, suffix: str) -> Iterator[Path]:
    """The job's upload decrypted into a private temporary file (0600), removed afterwards."""
    fd, name = tempfile.mkstemp(prefix="gj-roster-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, job.input_file.open("rb") as fh:
            shutil.copyfileobj(fh, out, 1 << 20)
        yield path
    finally:
        path.unlink(missing_ok=True)


def roster_import_start(
    *,
    actor: Any,
    upload: Any,
    organization: Organization | None,
    mapping: dict[str, int | None] | None = None,
) -> Job:
    """Store the upload and start a dry run (validation) in the background."""
    if organization is not None:
        access.require(actor, "workforce.change_worker", organization)
    elif not access.can(actor, "workforce.change_worker"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("workforce.change_worker")
    return job_start(
        actor=actor,
        kind=KIND,
        organization=organization,
        params={"dry_run": True, "mapping": mapping, "filename": upload.name},
        input_file=upload,
        input_name=upload.name,
    )


@transaction.atomic
def roster_import_again(
    *,
    actor: Any,
    job: Job,
    organization: Organization | None,
    dry_run: bool,
    mapping: dict[str, int | None] | None,
    approved: bool = False,
) -> Job:
    """Run the same file again: a new dry run with a corrected mapping, or the import of the valid rows.
    When imports need approval (see roster/approval.py) the import runs only once ``approved``."""
    from .approval_models import approval_required

    if not dry_run and not approved and approval_required():
        raise ApplicationError(
            _("Imports need another officer's approval: ask for it instead."),
            code="approval_required",
            status=409,
        )
    if organization is None and not dry_run:
        raise ApplicationError(
            _("Choose the enterprise to import into."), code="organization_required"
        )
    if organization is not None:
        access.require(actor, "workforce.change_worker", organization)
    new = job_start(
        actor=actor,
        kind=KIND,
        organization=organization,
        params={
            "dry_run": dry_run,
            "mapping": mapping,
            "filename": job.params.get("filename", ""),
            "previous": job.code,
        },
    )
    Job.objects.filter(pk=new.pk).update(input_file=job.input_file.name)
    new.input_file.name = job.input_file.name
    return new


def import_job_get(*, actor: Any, code: str) -> Job:
    """A roster import job of the actor (superusers see all); 404 otherwise."""
    job = Job.objects.select_related("organization").filter(code=code, kind=KIND).first()
    if job is None or not (
        job.created_by_id == getattr(actor, "pk", None) or getattr(actor, "is_superuser", False)
    ):
        raise Http404("import")
    return job


def import_report_response(job: Job) -> Any:
    """The validation report of an import, named after the file it checked:
    ``导入报告-<roster file name>.xlsx``."""
    name = job.params.get("filename") or ""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return file_response(
        job.output_file.open("rb"),
        download_filename(_("Import report"), stem, ext="xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )
