"""``gongjiang schedule [list] [--json]`` and ``gongjiang schedule run NAME``: the periodic work.

``list`` (the default) shows every entry of core/schedule.py with its rule, its last run (and the
status of the task it enqueued) and its next run, in local time (TIME_ZONE). ``--json`` prints a JSON
list of ``{"name", "task", "schedule", "enabled", "last_run_at", "last_task_id",
"last_task_status", "next_run_at"}`` (ISO 8601 times, null when none). ``run NAME`` enqueues the
entry's task now (a worker runs it); the entry's next scheduled run is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gongjiang.core.schedule import schedule_entries, schedule_run_now, schedule_status


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value is not None else None


class Command(BaseCommand):
    help = "List the periodic work run by `gongjiang worker` (last and next runs), or run one entry now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "run"], default="list")
        parser.add_argument("name", nargs="?", help="with run: the entry to enqueue now")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "run":
                self.run_one(options["name"], as_json=options["json"])
            else:
                self.list_all(as_json=options["json"])
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc

    def run_one(self, name: str | None, *, as_json: bool) -> None:
        names = [e.name for e in schedule_entries()]
        if name not in names:
            raise CommandError(f"give the entry to run, one of: {', '.join(names)}")
        task_id = schedule_run_now(name)
        if as_json:
            self.stdout.write(json.dumps({"name": name, "task_id": task_id}))
        else:
            self.stdout.write(f"{name}: enqueued task {task_id}")

    def list_all(self, *, as_json: bool) -> None:
        rows = schedule_status()
        if as_json:
            for row in rows:
                for key in ("last_run_at", "next_run_at"):
                    local = _local(row[key])
                    row[key] = local.isoformat() if local is not None else None
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return

        def when(value: dt.datetime | None) -> str:
            local = _local(value)
            return f"{local:%Y-%m-%d %H:%M:%S}" if local is not None else "—"

        table = [("entry", "schedule", "last run", "last task", "next run")]
        for row in rows:
            rule = row["schedule"] if row["enabled"] else f"off ({row['schedule']})"
            table.append(
                (
                    row["name"],
                    rule,
                    when(row["last_run_at"]),
                    row["last_task_status"] or ("enqueued" if row["last_task_id"] else "—"),
                    when(row["next_run_at"]) if row["enabled"] else "—",
                )
            )
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            )
        self.stdout.write(f"(times in {timezone.get_current_timezone_name()})")
