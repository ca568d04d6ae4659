"""``gongjiang reform-remind [--date YYYY-MM-DD] [--days-before N]``: the day's reminders and escalations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Send reform reminders (deadlines, missing reports) and escalate overdue tasks."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Act as on this day (default: today).")
        parser.add_argument(
            "--days-before", type=int, default=7, help="Remind this many days before a deadline."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gongjiang.reform.reminders import reform_remind

        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        counts = reform_remind(on=on, days_before=options["days_before"])
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
