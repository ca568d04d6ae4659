"""Background jobs: start → run (immediate backend in tests) → progress and result saved; failures
recorded with a message for the user (no server internals); visible to the creator and to admins in
scope only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from gongjiang.core import selectors
from gongjiang.core.errors import ApplicationError
from gongjiang.core.jobs import job_handler, job_run, job_start
from gongjiang.core.models import Job
from tests.access_helpers import check_access

from .apiutil import API, assert_error_shape

pytestmark = pytest.mark.django_db

SEEN: dict[str, Any] = {}


@job_handler("tests.count")
def _count(job: Job, progress: Any) -> dict[str, Any]:
    SEEN["status_while_running"] = Job.objects.get(pk=job.pk).status
    total = job.params["n"]
    for i in range(1, total + 1):
        progress(i, total, f"step {i}" if i == total else "")
    SEEN["saved_progress"] = (
        Job.objects.filter(pk=job.pk).values_list("done", "total", "message").get()
    )
    if job.input_file:
        with job.input_file.open("rb") as fh:
            return {"n": total, "content": fh.read().decode()}
    return {"n": total}


@job_handler("tests.domain_failure")
def _domain_failure(job: Job, progress: Any) -> dict[str, Any]:
    progress(1, 4)
    raise ApplicationError("第3行的文件格式不对")


@job_handler("tests.bug")
def _bug(job: Job, progress: Any) -> dict[str, Any]:
    raise RuntimeError("SELECT secret FROM internals /srv/app/x.py")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_job_runs_after_commit_and_saves_progress(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start(
            actor=world.alice, kind="tests.count", organization=world.city_a, params={"n": 450}
        )
        assert (
            Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
        )  # nothing runs before the commit
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert SEEN["status_while_running"] == Job.Status.RUNNING
    assert SEEN["saved_progress"] == (450, 450, "step 450")
    assert job.status == Job.Status.SUCCEEDED and job.finished and job.percent == 100
    assert job.result == {"n": 450}
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert job.created_by == world.alice
    # running it again does nothing (a task delivered twice)
    job_run.call(job.code)
    assert Job.objects.get(pk=job.pk).finished_at == job.finished_at


def test_job_with_input_file(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            actor=world.alice,
            kind="tests.count",
            params={"n": 1},
            input_file=ContentFile(b"hello"),
            input_name="名单.csv",
        )
    job.refresh_from_db()
    assert job.result == {"n": 1, "content": "hello"}
    assert job.input_file.name.endswith(".csv")


def test_domain_failure_is_recorded_with_its_message(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=world.alice, kind="tests.domain_failure")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished
    assert job.message == "第3行的文件格式不对"
    assert job.result == {"error": "第3行的文件格式不对", "code": "invalid"}
    assert job.done == 1 and job.total == 4 and job.percent == 25


def test_unexpected_failure_does_not_leak_internals(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=world.alice, kind="tests.bug")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message
    client.force_login(world.alice)
    for url in (f"{API}/jobs/{job.code}", f"/jobs/{job.code}/"):
        body = client.get(url).content.decode()
        assert "SELECT" not in body and "Traceback" not in body and "x.py" not in body


def test_unknown_kind_is_refused(world: Any) -> None:
    with pytest.raises(ValueError):
        job_start(actor=world.alice, kind="tests.nope")
    assert not Job.objects.exists()


def test_job_visibility(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            actor=world.alice, kind="tests.count", organization=world.city_a, params={"n": 2}
        )
        unscoped = job_start(actor=world.alice, kind="tests.count", params={"n": 2})
    # API: creator sees it; another province does not
    r = check_access(
        client, url=f"{API}/jobs/{job.code}", in_scope=world.alice, out_of_scope=world.bob
    )
    body = r.json()
    assert body["status"] == "succeeded" and body["percent"] == 100 and body["result"] == {"n": 2}
    # admins of the job's organisation (or above) see it; officers and workers who did not start it do not
    check_access(
        client,
        url=f"{API}/jobs/{job.code}",
        in_scope=world.alice_admin,
        out_of_scope=world.enterprise_officer_a,
    )
    check_access(client, url=f"/jobs/{job.code}/", in_scope=world.root, out_of_scope=world.worker_a)
    for user in (world.alice, world.alice_admin, world.root):
        assert selectors.job_get(actor=user, code=job.code) == job
    # a job with no organisation: the creator and superusers only
    check_access(
        client,
        url=f"{API}/jobs/{unscoped.code}",
        in_scope=world.alice,
        out_of_scope=world.alice_admin,
    )
    client.force_login(world.root)
    assert client.get(f"{API}/jobs/{unscoped.code}").status_code == 200
    assert_error_shape(client.get(f"{API}/jobs/nosuch"), 404)
