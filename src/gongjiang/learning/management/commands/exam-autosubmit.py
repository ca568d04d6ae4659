"""``gongjiang exam-autosubmit [--loop SECONDS]``: submit attempts still open at their deadline."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from gongjiang.learning.exams.services import exam_autosubmit_due


class Command(BaseCommand):
    help = "Submit every exam attempt still open at its deadline (gongjiang worker also does it every 30 s)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--loop", type=float, default=0, help="repeat every SECONDS (0: run once)"
        )
        parser.add_argument(
            "--times", type=int, default=0, help="with --loop: stop after this many runs"
        )

    def handle(self, *args: Any, loop: float = 0, times: int = 0, **options: Any) -> None:
        runs = 0
        while True:
            n = exam_autosubmit_due()
            runs += 1
            self.stdout.write(f"submitted {n} attempt(s)")
            if not loop or (times and runs >= times):
                break
            time.sleep(loop)
