"""Background jobs with progress the user can watch.

An app registers a handler for a job kind::

    @job_handler("workforce.roster_import")
    def run_roster_import(job: Job, progress: Progress) -> dict: ...

``job_start`` saves a Job row and, after the transaction commits, enqueues the ``job_run`` task
(django-tasks: the database backend in production, run by ``gongjiang worker``; immediate in tests).
The handler reports progress with ``progress(done, total, message)``; its return value becomes
``job.result``. Pages poll the job with htmx (``core:job_detail``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .errors import ApplicationError
from .models import Job, Organization

logger = logging.getLogger(__name__)

Progress = Callable[..., None]
Handler = Callable[[Job, Progress], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


def job_start(
    *,
    actor: Any,
    kind: str,
    organization: Organization | None = None,
    params: dict[str, Any] | None = None,
    input_file: File | None = None,
    input_name: str = "",
) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(
        kind=kind,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        params=params or {},
    )
    if input_file is not None:
        job.input_file.save(
            input_name or getattr(input_file, "name", "upload"), input_file, save=False
        )
    job.save()
    code = job.code
    transaction.on_commit(lambda: job_run.enqueue(code))
    return job


def _progress_writer(job: Job) -> Progress:
    state = {"last": -1}

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message[:300]
        # Write at most ~200 updates per job.
        step = max(1, (total or job.total or 1) // 200)
        if done - state["last"] >= step or (total and done >= total) or message:
            state["last"] = done
            Job.objects.filter(pk=job.pk).update(**fields)
        for key, value in fields.items():
            setattr(job, key, value)

    return progress


def _failure_message(exc: Exception) -> str:
    """What the user is told: the message of a domain error; for anything else (a bug, a database
    error) a generic sentence, so no server internals (SQL, paths, tracebacks) reach the page or API."""
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(_("The job failed because of an error on the server; it has been logged."))


def job_execute(job: Job) -> Job:
    """Run one job in this process (the task body; also used by tests and the CLI)."""
    handler = _HANDLERS[job.kind]
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.status = Job.Status.RUNNING
    try:
        result = handler(job, _progress_writer(job))
    except (
        Exception
    ) as exc:  # the job records the failure for the user; only the log keeps the trace
        logger.exception("job %s (%s) failed", job.code, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            message=_failure_message(exc)[:300],
            result={"error": _failure_message(exc)},
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, finished_at=timezone.now(), result=result or {}
        )
    job.refresh_from_db()
    return job


@task()
def job_run(code: str) -> None:
    job = Job.objects.get(code=code)
    if job.status != Job.Status.QUEUED:
        return
    job_execute(job)


def own_job_get(*, actor: Any, code: str, kind: str) -> Job:
    """A job of ``kind`` that ``actor`` started; anything else — another user's job, another kind
    of job, no such job, no actor — is a 404, whoever asks."""
    from django.http import Http404

    user_id = getattr(actor, "pk", None)
    job = (
        Job.objects.select_related("organization")
        .filter(code=code, kind=kind, created_by_id=user_id)
        .first()
        if user_id is not None
        else None
    )
    if job is None:
        raise Http404("job")
    return job
