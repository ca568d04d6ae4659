"""``gongjiang rollups rebuild|verify``: recount the analytics rollups, or check them against a recount."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from gongjiang.workforce.analytics.rollups import rollups_rebuild, rollups_verify


class Command(BaseCommand):
    help = "rebuild: recount the workforce rollups (run nightly); verify: recount and exit 1 on any difference."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["rebuild", "verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            meta = rollups_rebuild()
            self.stdout.write(f"rollups rebuilt as of {meta.as_of} in {meta.seconds:.2f} s")
            return
        problems = rollups_verify()
        if problems:
            for line in problems[:1000]:
                self.stdout.write(line)
            if len(problems) > 1000:
                self.stdout.write(f"… and {len(problems) - 1000} more")
            self.stderr.write(f"rollups differ from a recount: {len(problems)} difference(s)")
            sys.exit(1)
        self.stdout.write("rollups equal a recount")
