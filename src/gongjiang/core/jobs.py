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

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .actors import user_or_none
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
        created_by=user_or_none(actor),
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
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message[:300]
        # Write at most ~200 updates per job; each also renews the job's lease.
        step = max(1, (total or job.total or 1) // 200)
        if done - state["last"] >= step or (total and done >= total) or message:
            state["last"] = done
            Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), **fields)
        for key, value in fields.items():
            setattr(job, key, value)

    return progress


class _Heartbeat(threading.Thread):
    """Renews a running job's lease every JOB_HEARTBEAT_SECONDS while its handler works (a handler
    may spend minutes in one call that reports no progress, such as reading a large workbook)."""

    def __init__(self, pk: int) -> None:
        super().__init__(name=f"job-heartbeat-{pk}", daemon=True)
        self.pk = pk
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout=10)

    def run(self) -> None:
        try:
            while not self._stopping.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=self.pk, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # the database restarting: the next beat tries again
                    logger.warning("job %s: heartbeat not written", self.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


def _failure_message(exc: BaseException) -> str:
    """What the user is told: the message of a domain error; for anything else (a bug, a database
    error) a generic sentence, so no server internals (SQL, paths, tracebacks) reach the page or API."""
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, MemoryError):
        return str(_("The job ran out of memory and was stopped; the error has been logged."))
    return str(_("The job failed because of an error on the server; it has been logged."))


def _job_fail(pk: int, message: str, code: str = "") -> None:
    """Record a failure: small values only, so it works when memory has just run out."""
    result: dict[str, str] = {"error": message}
    if code:
        result["code"] = code
    Job.objects.filter(pk=pk).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), message=message[:300], result=result
    )


def job_execute(job: Job) -> Job:
    """Run one job in this process (the task body; also used by tests and the CLI).

    Whatever the handler does — returns, raises a domain error, a bug, MemoryError — the job ends
    ``succeeded`` or ``failed`` with a reason and this process carries on. A handler that could not
    do its work raises (an ApplicationError with the reason for the user); it never returns an
    error inside a "succeeded" result. KeyboardInterrupt and SystemExit (the worker stopping) fail
    the job and are raised again."""
    handler = _HANDLERS[job.kind]
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    job.status = Job.Status.RUNNING
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    failure: tuple[str, str] | None = None
    result: dict[str, Any] | None = None
    try:
        result = handler(job, _progress_writer(job))
    except (
        Exception
    ) as exc:  # the job records the failure for the user; only the log keeps the trace
        logger.exception("job %s (%s) failed", job.code, job.kind)
        failure = (
            _failure_message(exc),
            getattr(exc, "code", "") if isinstance(exc, ApplicationError) else "",
        )
    except BaseException:
        _job_fail(job.pk, str(_("The worker was stopped while running the job; start it again.")))
        raise
    finally:
        heartbeat.stop()
    # Outside the except clause the exception and its traceback are gone, and with them whatever
    # large objects the handler's frames held: the failure is recorded with the memory back.
    if failure is not None:
        _job_fail(job.pk, *failure)
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, finished_at=timezone.now(), result=result or {}
        )
    job.refresh_from_db()
    return job


def jobs_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Fail the running jobs whose lease expired (no heartbeat for JOB_LEASE_SECONDS): their worker
    died — killed, out of memory, the machine restarted. Returns how many. Run by the periodic entry
    ``core.jobs_fail_stale``; the user sees the reason and can start the job again."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    message = str(
        _(
            "The job stopped: the worker running it stopped answering (it was restarted, or ran "
            "out of memory or time). Start the job again; if it stops again, the file is probably "
            "too large."
        )
    )
    stale = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    failed = 0
    for pk, code, kind in stale.values_list("pk", "code", "kind")[:1000]:
        # compare-and-set: a job whose worker beat in the meantime stays running
        changed = (
            Job.objects.filter(pk=pk, status=Job.Status.RUNNING)
            .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True))
            .update(
                status=Job.Status.FAILED,
                finished_at=now,
                message=message[:300],
                result={"error": message, "code": "worker_lost"},
            )
        )
        if changed:
            logger.warning("job %s (%s): lease expired, failed", code, kind)
            failed += changed
    return failed


JOB_FILE_FOLDERS = ("jobs/in", "jobs/out")


def job_files_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the uploads and reports of jobs that finished more than JOB_FILE_RETENTION_DAYS ago
    (a file a newer job still uses — "check again", "import" — is kept until that job's time
    runs out), and any file in the job folders older than that which no job names. Returns the
    number of files deleted. Run daily by the periodic entry ``core.job_files_prune``."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.JOB_FILE_RETENTION_DAYS)
    storage = Job._meta.get_field("input_file").storage
    expired = Job.objects.filter(finished_at__lt=cutoff).exclude(input_file="", output_file="")
    names: set[str] = set()
    pks: list[int] = []
    for pk, inp, out in expired.values_list("pk", "input_file", "output_file").iterator():
        pks.append(pk)
        names.update(n for n in (inp, out) if n)
    still_used: set[str] = set()
    if names:
        recent = Job.objects.exclude(pk__in=pks).exclude(finished_at__lt=cutoff)
        for inp, out in recent.values_list("input_file", "output_file").iterator():
            still_used.update(n for n in (inp, out) if n in names)
    deleted = 0
    for name in sorted(names - still_used):
        if storage.exists(name):
            storage.delete(name)
            deleted += 1
    for start in range(0, len(pks), 1000):
        batch = pks[start : start + 1000]
        Job.objects.filter(pk__in=batch).exclude(input_file__in=still_used).update(input_file="")
        Job.objects.filter(pk__in=batch).exclude(output_file__in=still_used).update(output_file="")
    # files no job names (a job row deleted, an upload whose job was never saved)
    named = {
        n
        for pair in Job.objects.exclude(input_file="", output_file="")
        .values_list("input_file", "output_file")
        .iterator()
        for n in pair
        if n
    }
    root = Path(storage.location)
    for folder in JOB_FILE_FOLDERS:
        for path in (root / folder).rglob("*"):
            if not path.is_file():
                continue
            name = path.relative_to(root).as_posix()
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
            if name not in named and modified < cutoff:
                path.unlink(missing_ok=True)
                deleted += 1
    return deleted


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
