"""Benchmark of the bridge (立交桥) check: the pure engine on random registry histories, and the
full API answer (scoped worker read, registry reads, table in force) on the test database.

    python bench/careers_bridge.py                               # SQLite in memory
    DATABASE_URL=postgres://… python bench/careers_bridge.py

Runs as production does (DEBUG off; see bench/_env.py).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

from _env import describe, production_django

production_django()

from gongjiang.careers.bridge import Record, evaluate  # noqa: E402
from gongjiang.careers.policy import POLICY_RULES, SKILL_RANK  # noqa: E402


def engine(n: int = 20000) -> float:
    rng = random.Random(1)
    levels = list(SKILL_RANK)
    as_of = dt.date(2026, 6, 15)
    records = [
        Record(
            as_of=as_of,
            skill_history=[
                (as_of - dt.timedelta(days=rng.randint(0, 5000)), rng.choice(levels))
                for _ in range(rng.randint(1, 6))
            ],
            occupation=rng.choice(["6-18-01-01", "2-02-07-01", "4-01-02-01"]),
            titles=[("intermediate", dt.date(2018, 1, 1))] if rng.random() < 0.2 else [],
            honours=[("provincial", 2020)] if rng.random() < 0.1 else [],
        )
        for _ in range(n)
    ]
    targets = ["assistant", "intermediate", "deputy_senior", "senior", "TECHNICIAN"]
    start = time.perf_counter()
    for i, record in enumerate(records):
        evaluate(targets[i % len(targets)], record, POLICY_RULES)
    return (time.perf_counter() - start) / n * 1e6


def api(n: int = 300) -> list[float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.test.utils import get_runner  # noqa: F401

    old = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from gongjiang.core.models import SkillLevel
        from gongjiang.core.refdata import load_reference_data

        if not SkillLevel.objects.exists():
            load_reference_data()
        sys.path.insert(0, "tests")
        sys.path.insert(0, ".")
        from tests.factories import OrganizationFactory, UserFactory, member
        from tests.workforce.helpers import make_worker

        root = OrganizationFactory(name="全总", kind="national", region="110000")
        ent = OrganizationFactory(parent=root, name="企业工会", kind="enterprise", region="320111")
        hr = UserFactory(username="bench_hr")
        member(hr, ent, "hr")
        worker = make_worker(
            ent, 1, occupation="6-18-01-01", skill_level="TECHNICIAN", hire_date=dt.date(2019, 1, 1)
        )
        client = Client()
        client.force_login(hr)
        url = f"/api/v1/careers/workers/{worker.code}/bridge?target=intermediate"
        assert client.get(url).status_code == 200
        times = []
        for _ in range(n):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        return times
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    print(describe())
    print(f"engine: {engine():.1f} µs per judgement")
    times = sorted(api())
    print(
        f"API GET bridge: median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.2f} ms over {len(times)} requests"
    )
