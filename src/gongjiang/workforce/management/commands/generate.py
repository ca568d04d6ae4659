"""``gongjiang generate workers --count N [--province CODE] [--org CODE] [--seed S]``: synthetic workers."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongjiang.core.models import Organization
from gongjiang.workforce.generate.workers import generate_workers


class Command(BaseCommand):
    help = (
        "Generate realistic synthetic workers (reproducible with --seed) and rebuild the rollups."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["workers"])
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument(
            "--province", default="320000", help="GB/T 2260 province code (default 320000)"
        )
        parser.add_argument(
            "--org", default="", help="code of an organisation: its enterprises get the workers"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=20_000)
        parser.add_argument(
            "--no-rebuild", action="store_true", help="do not rebuild the rollups afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be at least 1")
        org = None
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"no organisation with code {options['org']}")

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty() or done == total or done % 200_000 < options["batch_size"]:
                self.stderr.write(f"\r{done:,}/{total:,}", ending="")

        try:
            result = generate_workers(
                count=options["count"],
                province=options["province"],
                org=org,
                seed=options["seed"],
                batch_size=options["batch_size"],
                rebuild=not options["no_rebuild"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("")
        self.stdout.write(
            f"{result['created']:,} workers created ({result['existing']:,} already there) in "
            f"{result['employers']} enterprises, {result['seconds']} s; rollups rebuilt in {result['rollup_seconds']} s"
        )
