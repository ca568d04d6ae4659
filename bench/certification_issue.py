"""Benchmark: deciding results and issuing certificates for one evaluation plan, and allocating
certificate numbers from several threads at once.

Builds (in a throw-away database) one enterprise with CANDIDATES workers enrolled in a 高级工 plan,
scores them (bulk), then times

* ``evaluation_results_decide`` for all candidates;
* ``certificates_issue`` (per passed candidate: number under a row lock, certificate, skill level
  raised and registry certificate added through the workforce services, audit rows);
* ``number_allocate`` from THREADS threads, ALLOCS each, one transaction per number (PostgreSQL only),
  checking that no number repeats.

Run: ``.venv/bin/python bench/certification_issue.py [--candidates N] [--pg]``
(SQLite file in /tmp by default; ``--pg`` uses PostgreSQL at DATABASE_URL with database gj_bench_certification).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import threading
import time
from decimal import Decimal

parser = argparse.ArgumentParser()
parser.add_argument("--candidates", type=int, default=500)
parser.add_argument("--threads", type=int, default=8)
parser.add_argument("--allocs", type=int, default=200)
parser.add_argument("--pg", action="store_true")
args = parser.parse_args()

if args.pg:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/gj_bench_certification"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS gj_bench_certification")
        conn.execute("CREATE DATABASE gj_bench_certification")
else:
    path = "/tmp/gj_bench_certification.sqlite3"
    if os.path.exists(path):
        os.remove(path)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
from _env import describe, production_django  # noqa: E402

production_django()
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

call_command("migrate", verbosity=0)

from gongjiang.certification import issuing, services  # noqa: E402
from gongjiang.certification.models import Candidate, Certificate  # noqa: E402
from gongjiang.certification.numbers import is_valid_number, number_allocate  # noqa: E402
from gongjiang.core.demo import _uscc  # noqa: E402
from gongjiang.core.services import organization_create  # noqa: E402
from gongjiang.core.validators import citizen_id_check_digit  # noqa: E402
from gongjiang.workforce.services import worker_create  # noqa: E402

User = get_user_model()
root = User.objects.create(username="bench_root", is_superuser=True, is_staff=True)
national = organization_create(
    actor=root, parent=None, name="全国总工会", kind="national", region="110000"
)
province = organization_create(
    actor=root, parent=national, name="江苏省总工会", kind="provincial", region="320000"
)
ent = organization_create(
    actor=root,
    parent=province,
    name="基准企业工会",
    kind="enterprise",
    region="320100",
    industry="3711",
    uscc=_uscc("bench-cert"),
)

t0 = time.perf_counter()
workers = []
for i in range(args.candidates):
    first17 = f"320111{1970 + i // 1000 % 30}{1 + i // 1000 // 30 % 12:02d}01{i % 1000:03d}"
    workers.append(
        worker_create(
            actor=root,
            organization=ent,
            name=f"职工{i}",
            citizen_id=first17 + citizen_id_check_digit(first17),
            skill_level="INTERMEDIATE",
            hire_date=dt.date(2015, 1, 1),
        )
    )
setup = time.perf_counter() - t0
plan = services.evaluation_plan_create(
    actor=root,
    organization=ent,
    name="焊工高级工",
    occupation="6-18-02-04",
    level="SENIOR",
    body_code="0001",
    province_code="32",
    site_code="000001",
    starts_on=dt.date(2025, 5, 1),
    ends_on=dt.date(2025, 6, 1),
    items=[("操作", 100)],
)
services.candidates_enrol(actor=root, plan=plan, workers=workers)
rows = list(Candidate.objects.filter(plan=plan).order_by("id"))
for n, c in enumerate(rows):
    c.theory_score = Decimal(50 + n % 50)
    c.practical_score = Decimal(55 + (n * 7) % 45)
Candidate.objects.bulk_update(rows, ["theory_score", "practical_score"], batch_size=1000)

t0 = time.perf_counter()
counts = services.evaluation_results_decide(actor=root, plan=plan)
decide = time.perf_counter() - t0
t0 = time.perf_counter()
result = issuing.certificates_issue(actor=root, plan=plan)
issue = time.perf_counter() - t0
assert not result["errors"], result["errors"][:3]
numbers = list(Certificate.objects.filter(plan=plan).values_list("number", flat=True))
assert len(numbers) == len(set(numbers)) == counts["passed"] and all(map(is_valid_number, numbers))

print(describe())
print(f"setup: {args.candidates} workers registered in {setup:.1f} s")
print(f"decide: {counts['candidates']} candidates in {decide * 1000:.0f} ms")
print(
    f"issue: {result['issued']} certificates in {issue:.2f} s = {result['issued'] / issue:.0f} certificates/s"
)

if connection.vendor == "postgresql":
    allocated: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(args.threads)

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(args.allocs):
                with transaction.atomic():
                    allocated.append(
                        number_allocate(
                            kind="S", body="0002", province="32", site="000002", year=2025, level=3
                        )
                    )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    total = args.threads * args.allocs
    assert not errors, errors[:1]
    assert len(allocated) == len(set(allocated)) == total
    print(
        f"allocate: {total} numbers from {args.threads} threads in {elapsed:.2f} s = {total / elapsed:.0f}/s, "
        f"0 duplicates"
    )
