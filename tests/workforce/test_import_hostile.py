"""Roster imports against hostile files and the rules for their files: a file that cannot be read
fails the job with the reason; a file that kills its reader does not kill the worker; no stored job
file holds a citizen ID in plain text; the report masks IDs for roles that may not see them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import translation
from python_calamine import CalamineWorkbook

from gongjiang.core.models import Job
from gongjiang.workforce.roster.jobs import roster_import_again, roster_import_start
from tests.core import hostile_files as hostile

from .helpers import unique_id, write_roster

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.mark.django_db
def test_an_unreadable_roster_fails_the_job_with_the_reason(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = roster_import_start(
            actor=world.alice,
            upload=_upload("far.xlsx", hostile.far_cell_xlsx()),
            organization=None,
        )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "1,048,576 rows × 16,384 columns" in job.result["error"]
    assert job.result["code"] == "unreadable_file" and job.message


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, SPREADSHEET_READER_MEMORY=1 << 30)
def test_the_worker_survives_a_file_that_kills_its_reader(world: Any) -> None:
    """The far cell without a declared dimension: calamine aborts the process reading it. That
    process is the reader's child; the worker fails the job and goes on with the next one."""
    bad = roster_import_start(
        actor=world.alice,
        upload=_upload("far.xlsx", hostile.far_cell_xlsx(declare=False)),
        organization=None,
    )
    good = roster_import_start(
        actor=world.alice,
        upload=_upload("ok.csv", f"姓名,身份证号\n张三,{unique_id(3)}\n".encode()),
        organization=None,
    )
    call_command("worker", "--batch", "--no-schedule", "--interval", "0")
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == Job.Status.FAILED and bad.result["code"] == "unreadable_file"
    assert good.status == Job.Status.SUCCEEDED and good.result["valid"] == 1


@pytest.mark.django_db
def test_the_cli_reports_a_hostile_file_and_exits_2(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    path.write_bytes(hostile.far_cell_xlsx(declare=False))
    with (
        override_settings(SPREADSHEET_READER_MEMORY=1 << 30),
        pytest.raises(CommandError) as caught,
    ):
        call_command("import-workers", str(path), "--dry-run")
    assert caught.value.returncode == 2


def _report_ids(job: Job) -> list[str]:
    with job.output_file.open("rb") as fh:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(fh.read())).get_sheet_by_index(0)
    return [str(row[1]) for row in sheet.to_python()[1:]]


@pytest.mark.django_db
def test_no_stored_job_file_holds_a_citizen_id_in_plain_text(
    world: Any, tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ids = [unique_id(n) for n in range(5)]
    path = write_roster(
        tmp_path / "r.xlsx",
        [[f"工人{n}", i] for n, i in enumerate(ids)],
        header=["姓名", "身份证号"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        check = roster_import_start(
            actor=world.alice, upload=_upload("r.xlsx", path.read_bytes()), organization=None
        )
    check.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        run = roster_import_again(
            actor=world.alice,
            job=check,
            organization=world.enterprise_a,
            dry_run=False,
            mapping=None,
        )
    run.refresh_from_db()
    assert check.status == run.status == Job.Status.SUCCEEDED and run.result["created"] == 5
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(stored) == 3  # the upload, two reports
    for p in stored:
        data = p.read_bytes()
        assert not any(i.encode() in data for i in ids), p
    # an officer may see full IDs: the report (decrypted) shows them
    assert _report_ids(run) == ids


@pytest.mark.django_db
def test_the_report_masks_ids_for_a_role_that_may_not_see_them(
    world: Any, tmp_path: Path, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from gongjiang.core import access

    real = access.can
    monkeypatch.setattr(
        access,
        "can",
        lambda user, perm, org=None: perm != "core.view_full_citizen_id" and real(user, perm, org),
    )
    ids = [unique_id(n) for n in range(3)]
    path = write_roster(
        tmp_path / "r.csv",
        [[f"工人{n}", i] for n, i in enumerate(ids)],
        header=["姓名", "身份证号"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_import_start(
            actor=world.alice, upload=_upload("r.csv", path.read_bytes()), organization=None
        )
    job.refresh_from_db()
    shown = _report_ids(job)
    assert shown == [i[:3] + "*" * 11 + i[-4:] for i in ids]


@pytest.mark.django_db
def test_checking_again_after_the_file_was_deleted_says_to_upload_it_again(
    world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_import_start(
            actor=world.alice,
            upload=_upload("r.csv", f"姓名,身份证号\n张三,{unique_id(1)}\n".encode()),
            organization=None,
        )
    job.refresh_from_db()
    job.input_file.storage.delete(job.input_file.name)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        again = roster_import_again(
            actor=world.alice, job=job, organization=None, dry_run=True, mapping=None
        )
    again.refresh_from_db()
    assert again.status == Job.Status.FAILED and again.result["code"] == "file_expired"
    assert "upload it again" in again.result["error"]
