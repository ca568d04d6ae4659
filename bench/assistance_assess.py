"""Benchmark: the hardship category calculator (pure, no database) over random households.

Usage: python bench/assistance_assess.py [households]   (DEBUG off, as production; bench/_env.py)
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal

from _env import production_django


def main(n: int) -> None:
    production_django()
    from gongjiang.assistance.assess import Member, categorise

    rng = random.Random(15)
    households = [
        [
            Member(
                "成员",
                Decimal(rng.randint(0, 600_000)) / 100,
                illness_costs_monthly=Decimal(rng.randint(0, 300_000)) / 100,
            )
            for _ in range(rng.randint(1, 6))
        ]
        for _ in range(n)
    ]
    start = time.perf_counter()
    counts: dict[str, int] = {}
    for members in households:
        result = categorise(
            members, standard=Decimal("1150.00"), edge_multiple=Decimal("1.50"), sudden_event=True
        )
        counts[result.category] = counts.get(result.category, 0) + 1
    elapsed = time.perf_counter() - start
    print(f"{n} households in {elapsed:.2f} s ({n / elapsed:,.0f}/s): {counts}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
