"""Shared set-up of the workforce benchmarks (PostgreSQL; see docs/workforce-analytics.md)."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup(
    argv: list[str] | None = None, extra: Callable[[argparse.ArgumentParser], None] | None = None
) -> Any:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--count", type=int, default=1_000_000, help="workers in the database (generated if fewer)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--province", default="320000")
    if extra:
        extra(parser)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "set DATABASE_URL=postgres://… (a separate database, e.g. createdb gj_bench; the bench migrates it)"
        )
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    # DEBUG off, and keys stable per database: generate and search with the same ones
    from _env import describe, production_django

    production_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # with the bench's keys; a no-op when up to date
    print(describe(), flush=True)
    return args


def ensure_workers(args: Any) -> int:
    from gongjiang.workforce.analytics.rollups import as_of_date, rollups_rebuild
    from gongjiang.workforce.generate.workers import generate_workers
    from gongjiang.workforce.models import Worker

    have = Worker.objects.count()
    if have < args.count:
        print(f"generating workers: {have:,} → {args.count:,} …", flush=True)
        started = time.perf_counter()
        result = generate_workers(
            count=args.count - have,
            province=args.province,
            seed=args.seed + have,
            batch_size=50_000,
            progress=lambda d, t: print(f"\r  {d:,}/{t:,}", end="", flush=True),
        )
        print(f"\n  {result['created']:,} created in {time.perf_counter() - started:.0f} s")
    elif as_of_date() is None:
        rollups_rebuild()
    with_analyze()
    return Worker.objects.count()


def with_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, PostgreSQL {pg}, Python {platform.python_version()}; "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )


def api_client() -> Any:
    """A logged-in test client for the superuser-like province officer, with the analytics API
    reachable whether or not workforce/api.py mounts it yet."""
    from django.conf import settings
    from django.test import Client
    from django.urls import Resolver404, resolve

    try:
        resolve("/api/v1/workforce/analytics/x/summary")
    except Resolver404:
        settings.ROOT_URLCONF = "tests.workforce.test_analytics_urls"
        from django.urls import clear_url_caches

        clear_url_caches()
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-root", defaults={"is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client, user
