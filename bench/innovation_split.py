"""Bench: the exact split (split.split_by_contribution) — splits per second for teams of 3, 12 and
50 members, and a check that every split adds up to the pool.

    python bench/innovation_split.py        (as production runs: DEBUG off, see bench/_env.py)
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from _env import production_django

production_django()

from gongjiang.innovation.split import split_by_contribution  # noqa: E402


def team(n: int, rng: random.Random) -> list[tuple[str, Decimal]]:
    cuts = sorted(rng.sample(range(1, 10000), n - 1))
    bounds = [0, *cuts, 10000]
    return [(f"W{i:03d}", Decimal(bounds[i + 1] - bounds[i]) / 100) for i in range(n)]


def main() -> None:
    rng = random.Random(16)
    for size in (3, 12, 50):
        cases = [(Decimal(rng.randrange(0, 10**11)) / 100, team(size, rng)) for _ in range(2000)]
        start = time.perf_counter()
        for total, members in cases:
            parts = split_by_contribution(total, members)
            assert sum(p.amount for p in parts) == total
        elapsed = time.perf_counter() - start
        print(f"team of {size:>2}: {len(cases) / elapsed:,.0f} splits/s")


if __name__ == "__main__":
    main()
