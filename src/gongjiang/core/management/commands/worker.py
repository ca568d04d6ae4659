"""``gongjiang worker``: run background tasks (django-tasks database backend).

Any number of workers on any number of machines may run against the same database.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (imports, reports, recalculations)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue-name", default="*")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true", help="Process queued tasks, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--queue-name", options["queue_name"], "--interval", str(options["interval"])]
        if options["batch"]:
            argv.append("--batch")
        call_command("db_worker", *argv)
