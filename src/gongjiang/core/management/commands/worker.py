"""``gongjiang worker``: run background tasks (django-tasks database backend) and the periodic work.

Any number of workers on any number of machines may run against the same database. Each runs the
scheduler (core/schedule.py) in a thread beside django-tasks' ``db_worker``: a due periodic entry
(exam auto-submission, reform reminders, the nightly rollup rebuild) is enqueued by exactly one of
them, and run by whichever worker takes it from the queue.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from gongjiang.core.schedule import Scheduler, schedule_entries, schedule_tick


class Command(BaseCommand):
    help = (
        "Run the background task worker (imports, reports, recalculations) and the periodic work "
        "(see `gongjiang schedule`)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue-name", default="*")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Enqueue the periodic work that is due, process queued tasks, then exit.",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Do not run the periodic work in this worker (only process queued tasks).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--queue-name", options["queue_name"], "--interval", str(options["interval"])]
        schedule = options["schedule"]
        if schedule:
            try:
                schedule_entries()  # a bad SCHEDULE setting stops the worker here, not in the thread
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
        if options["batch"]:
            if schedule:
                schedule_tick()
            call_command("db_worker", *argv, "--batch")
            return
        # With DEBUG, db_worker reloads on code changes: this process only watches a child that
        # runs the same command, so only the child runs the scheduler.
        watcher_only = settings.DEBUG and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        scheduler = Scheduler() if schedule and not watcher_only else None
        if scheduler is not None:
            scheduler.start()
        try:
            call_command("db_worker", *argv)
        finally:
            if scheduler is not None:
                scheduler.stop()
                scheduler.join(timeout=10)
