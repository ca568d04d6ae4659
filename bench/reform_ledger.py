"""Benchmark: the reform ledger at national scale.

Builds (in a throw-away database) the national plan (5 areas, 25 measures) with TASKS tasks of one
year spread over the measures and led by 12 departments, an accepted report per task, 31 provincial
plans derived from it each with CITY_PLANS city plans below, then times

* ``plan_tree`` (numbering + roll-up) and ``plan_summary`` of the national plan,
* the yearly ledger export (xlsx bytes),
* ``reform_remind`` on a day when a third of the tasks are overdue (escalations + notifications),
* ``visible_plan_ids`` for a provincial officer (own plans + the national plan above),
* ``evaluate`` (ranking of the lead units),
* the bulletin PDF.

Run: ``.venv/bin/python bench/reform_ledger.py [--tasks N] [--pg]``
(SQLite file in /tmp by default; ``--pg`` uses PostgreSQL at DATABASE_URL with database gj_bench_reform).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--tasks", type=int, default=2500)
parser.add_argument("--city-plans", type=int, default=12)
parser.add_argument("--pg", action="store_true")
args = parser.parse_args()

if args.pg:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/gj_bench_reform"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS gj_bench_reform")
        conn.execute("CREATE DATABASE gj_bench_reform")
else:
    path = "/tmp/gj_bench_reform.sqlite3"
    if os.path.exists(path):
        os.remove(path)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
from _env import describe, production_django  # noqa: E402

production_django()
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

call_command("migrate", verbosity=0)

from gongjiang.core.models import Membership, Region  # noqa: E402
from gongjiang.core.services import organization_create  # noqa: E402
from gongjiang.reform import services  # noqa: E402
from gongjiang.reform.bulletin import bulletin_data, bulletin_pdf  # noqa: E402
from gongjiang.reform.demo_data import AREAS, DEPARTMENTS  # noqa: E402
from gongjiang.reform.evaluation import default_scheme, evaluate  # noqa: E402
from gongjiang.reform.ledger import ledger_xlsx  # noqa: E402
from gongjiang.reform.models import (  # noqa: E402
    Plan,
    PlanItem,
    ProgressReport,
    visible_plan_ids,  # noqa: E402
)
from gongjiang.reform.reminders import reform_remind  # noqa: E402
from gongjiang.reform.selectors import plan_summary, plan_tree  # noqa: E402

D = dt.date
User = get_user_model()
root = User.objects.create(username="bench_root", is_superuser=True, is_staff=True)
national = organization_create(
    actor=root, parent=None, name="中华全国总工会", kind="national", region="110000", audit=False
)
depts = [
    organization_create(
        actor=root, parent=national, name=n, kind="department", region="110000", audit=False
    )
    for n, _s in DEPARTMENTS
] + [national]
provinces = [
    organization_create(
        actor=root,
        parent=national,
        name=f"{r.name}总工会",
        kind="provincial",
        region=r,
        audit=False,
    )
    for r in Region.objects.filter(level="province").exclude(
        code__in=["710000", "810000", "820000"]
    )
]

t0 = time.perf_counter()
plan = services.plan_create(
    actor=root, organization=national, title="新时期产业工人队伍建设改革方案"
)
measures = []
for title, mts in AREAS:
    area = services.plan_item_create(actor=root, plan=plan, kind="area", title=title)
    measures += [
        services.plan_item_create(actor=root, plan=plan, kind="measure", title=m, parent=area)
        for m in mts
    ]
tasks = [
    PlanItem(
        plan=plan,
        kind="task",
        parent=measures[i % 25],
        position=i,
        title=f"改革任务{i}",
        year=2018,
        lead_unit=depts[i % len(depts)],
        start=D(2018, 1, 1),
        deadline=D(2018, 3 + i % 10, 28),
        status=["not_started", "in_progress", "done", "at_risk"][i % 4],
        percent=(i * 37) % 101,
        report_cycle="quarterly",
    )
    for i in range(args.tasks)
]
PlanItem.objects.bulk_create(tasks, batch_size=2000)
tasks = list(PlanItem.objects.filter(plan=plan, kind="task"))
now = timezone.now()
ProgressReport.objects.bulk_create(
    [
        ProgressReport(
            task=t,
            organization_id=t.lead_unit_id,
            period="2018-Q2",
            text="按计划推进" * 5,
            problems="无",
            next_steps="继续推进",
            percent=t.percent,
            status="accepted",
            submitted_at=now,
        )
        for t in tasks
    ],
    batch_size=2000,
)
for p in provinces:
    pp = services.plan_derive(actor=root, parent=plan, organization=p, title=f"{p.name}实施方案")
    for c in range(args.city_plans):
        Plan.objects.create(organization=p, parent=pp, title=f"{p.name}第{c}市方案")
for n, d in enumerate(depts):  # one reporting officer per lead unit, so reminders reach someone
    Membership.objects.create(
        user=User.objects.create(username=f"dept{n}"), organization=d, role="officer"
    )
officer = User.objects.create(username="js_officer")
Membership.objects.create(user=officer, organization=provinces[9], role="officer")  # 江苏
setup = time.perf_counter() - t0


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best = float("inf")
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label}: {best * 1000:.0f} ms")
    return result


print(describe())
print(
    f"database: {connection.vendor}; {args.tasks} tasks, {Plan.objects.count()} plans; setup {setup:.1f} s"
)
on = D(2018, 8, 1)
rows, percent = timed("plan_tree (numbering + roll-up)", lambda: plan_tree(plan=plan, on=on))
timed(
    "plan_summary (35 ... plans)", lambda: plan_summary(plans=list(Plan.objects.all()[:35]), on=on)
)
data = timed("ledger xlsx", lambda: ledger_xlsx(plan=plan, year=2018, on=on))
print(f"  ledger: {len(data) // 1024} KiB, {len(rows)} rows")
timed("visible_plan_ids (province officer)", lambda: visible_plan_ids(officer))
timed(
    "evaluate (11 lead units)",
    lambda: evaluate(plan=plan, year=2018, scheme=default_scheme(national)),
)
pdf = timed(
    "bulletin pdf",
    lambda: bulletin_pdf(
        bulletin_data(actor=root, plan=plan, since=D(2018, 1, 1), until=D(2018, 12, 31))
    ),
    repeat=1,
)
print(f"  bulletin: {len(pdf) // 1024} KiB")
counts = timed("reform_remind (first run: escalations)", lambda: reform_remind(on=on), repeat=1)
print(f"  {counts}")
timed("reform_remind (second run: nothing new)", lambda: reform_remind(on=on), repeat=1)
