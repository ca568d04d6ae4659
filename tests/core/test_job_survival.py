"""Background jobs survive whatever a handler does, and a job whose worker died is noticed (its
lease expires) and failed with a reason the user can read."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.utils import timezone, translation

from gongjiang.core.jobs import job_execute, job_handler, jobs_fail_stale
from gongjiang.core.models import Job

SEEN: dict[str, Any] = {}


@job_handler("tests.memory")
def _memory(job: Job, progress: Any) -> dict[str, Any]:
    ballast = bytearray(50 << 20)  # held by this frame when the error is raised
    SEEN["ballast"] = len(ballast)
    raise MemoryError


@job_handler("tests.interrupt")
def _interrupt(job: Job, progress: Any) -> dict[str, Any]:
    raise KeyboardInterrupt


@job_handler("tests.slow")
def _slow(job: Job, progress: Any) -> dict[str, Any]:
    started = Job.objects.get(pk=job.pk).heartbeat_at
    time.sleep(0.6)
    SEEN["beats"] = (started, Job.objects.get(pk=job.pk).heartbeat_at)
    return {}


def _job(kind: str, **fields: Any) -> Job:
    return Job.objects.create(kind=kind, **fields)


@pytest.mark.django_db
def test_memory_error_fails_the_job_with_a_reason_and_the_process_goes_on() -> None:
    with translation.override("en"):
        job = job_execute(_job("tests.memory"))
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert job.result == {"error": job.message} and "ran out of memory" in job.message


@pytest.mark.django_db
def test_interrupt_fails_the_job_and_stops_the_worker() -> None:
    job = _job("tests.interrupt")
    with pytest.raises(KeyboardInterrupt):
        job_execute(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result["error"]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_the_handler_works(settings: Any) -> None:
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    job = job_execute(_job("tests.slow"))
    assert job.status == Job.Status.SUCCEEDED
    first, later = SEEN["beats"]
    assert later > first
    assert not [t for t in threading.enumerate() if t.name.startswith("job-heartbeat-")]


@pytest.mark.django_db
def test_a_job_whose_lease_expired_is_failed_with_a_reason(settings: Any) -> None:
    settings.JOB_LEASE_SECONDS = 300
    now = timezone.now()
    dead = _job(
        "tests.slow",
        status=Job.Status.RUNNING,
        started_at=now - dt.timedelta(hours=1),
        heartbeat_at=now - dt.timedelta(seconds=301),
    )
    never_beat = _job(
        "tests.slow", status=Job.Status.RUNNING, started_at=now - dt.timedelta(hours=1)
    )
    alive = _job(
        "tests.slow",
        status=Job.Status.RUNNING,
        started_at=now - dt.timedelta(hours=1),
        heartbeat_at=now - dt.timedelta(seconds=30),
    )
    done = _job("tests.slow", status=Job.Status.SUCCEEDED, heartbeat_at=now - dt.timedelta(days=1))
    assert jobs_fail_stale(now=now) == 2
    for job in (dead, never_beat):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.result["code"] == "worker_lost"
        assert job.message and job.finished_at == now
    alive.refresh_from_db()
    done.refresh_from_db()
    assert alive.status == Job.Status.RUNNING and done.status == Job.Status.SUCCEEDED
    assert jobs_fail_stale(now=now) == 0


@pytest.mark.django_db
def test_the_periodic_entry_runs_the_lease_check() -> None:
    from gongjiang.core.tasks import jobs_fail_stale as task

    _job(
        "tests.slow",
        status=Job.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(days=1),
        heartbeat_at=timezone.now() - dt.timedelta(days=1),
    )
    assert task.call() == 1
