"""Background tasks of the platform itself (thin: they call services or Django commands)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django_tasks import task

from gongjiang.core.schedule import periodic

TASK_RESULTS_KEPT_DAYS = 14


@periodic("core.prune_task_results", at=dt.time(3, 30))
@task()
def prune_task_results() -> str:
    """Delete finished background-task rows older than 14 days (the scheduler alone adds some
    3,000 a day: exam auto-submission runs every 30 s). Import and report jobs are ``core.Job`` rows
    and are not touched."""
    out = io.StringIO()
    call_command(
        "prune_db_task_results",
        "--queue-name",
        "*",
        "--min-age-days",
        str(TASK_RESULTS_KEPT_DAYS),
        stdout=out,
        stderr=out,
    )
    return out.getvalue().strip()


@periodic("core.jobs_fail_stale", every=60)
@task()
def jobs_fail_stale() -> int:
    """Fail the running jobs whose worker stopped renewing their lease (core.jobs)."""
    from gongjiang.core.jobs import jobs_fail_stale as fail_stale

    return fail_stale()


@periodic("core.job_files_prune", at=dt.time(3, 45))
@task()
def job_files_prune() -> int:
    """Delete job uploads and reports past JOB_FILE_RETENTION_DAYS (core.jobs)."""
    from gongjiang.core.jobs import job_files_prune as prune

    return prune()


COUNTERS_FOLD_SECONDS = 30  # one run folds for at most this long; the next run goes on


@periodic("core.counters_fold", every=5)
@task()
def counters_fold() -> int:
    """Fold the queued counter increments of answers into their rollups (core.counters)."""
    from gongjiang.core.counters import counters_fold_all

    return counters_fold_all(seconds=COUNTERS_FOLD_SECONDS)
