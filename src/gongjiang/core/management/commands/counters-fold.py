"""``gongjiang counters-fold [--target NAME] [--batch N]``: fold every queued counter increment
into its rollups until none is left (core/counters.py). The worker does the same every 5 s
(``core.counters_fold``); tests, benchmarks and operators run this to settle the figures now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjiang.core.counters import BATCH, CounterDelta, counter_targets, counters_fold_all


class Command(BaseCommand):
    help = "Fold the queued counter increments of answers into their rollups, until none is left."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", help="Only this target (e.g. surveys.rollup).")
        parser.add_argument("--batch", type=int, default=BATCH, help="Deltas per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["target"]
        if target is not None and target not in counter_targets():
            known = ", ".join(sorted(counter_targets()))
            raise CommandError(f"no counter target {target!r}; the targets are {known}")
        if not 1 <= options["batch"] <= 100_000:
            raise CommandError("--batch lies between 1 and 100000")
        started = time.monotonic()
        folded = counters_fold_all(target=target, batch=options["batch"])
        left = CounterDelta.objects.filter(
            **({"target": target} if target else {"target__in": list(counter_targets())})
        ).count()
        self.stdout.write(
            f"folded {folded} in {time.monotonic() - started:.1f} s; {left} left pending"
        )
