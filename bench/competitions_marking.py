"""Benchmark: marking and results of one trade at one stage.

Builds (in a throw-away database) a province with 20 enterprises, one competition, one trade with a
20-aspect marking scheme (10 measurement, 10 judgement), ENTRANTS confirmed entries and 3 judges; then times

* ``mark_save`` (the judges' autosave: permission, conflict check, optimistic version, audit) for
  MARKED entrants, all aspects, 3 judges on judgement aspects;
* ``results_compute`` for all ENTRANTS (marks bulk-inserted for the rest), with WorldSkills scaling;
* ``advancement_run`` (top 3 per enterprise).

Run: ``.venv/bin/python bench/competitions_marking.py [--entrants N] [--marked M]``
(SQLite file in /tmp by default; ``--pg`` uses PostgreSQL at DATABASE_URL with database gj_bench_competitions).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal

parser = argparse.ArgumentParser()
parser.add_argument("--entrants", type=int, default=400)
parser.add_argument("--marked", type=int, default=40)
parser.add_argument("--pg", action="store_true")
args = parser.parse_args()

if args.pg:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/gj_bench_competitions"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS gj_bench_competitions")
        conn.execute("CREATE DATABASE gj_bench_competitions")
else:
    path = "/tmp/gj_bench_competitions.sqlite3"
    if os.path.exists(path):
        os.remove(path)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from _env import describe, production_django  # noqa: E402

production_django()
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from gongjiang.competitions import draw, marking, results, services  # noqa: E402
from gongjiang.competitions.models import Aspect, Entry, Mark  # noqa: E402
from gongjiang.core.demo import _uscc  # noqa: E402
from gongjiang.core.models import Membership  # noqa: E402
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
ents = [
    organization_create(
        actor=root,
        parent=province,
        name=f"企业{i}工会",
        kind="enterprise",
        region="320100",
        industry="3711",
        uscc=_uscc(f"bench{i}"),
    )
    for i in range(20)
]
judges = [User.objects.create(username=f"bench_judge{i}") for i in range(3)]
for j in judges:
    Membership.objects.create(user=j, organization=province, role="judge")

comp = services.competition_create(
    actor=root,
    organization=province,
    name="基准赛",
    year=2025,
    level="province",
    scaler="worldskills",
)
trade = services.trade_create(
    actor=root, competition=comp, name="焊工", occupation="6-18-02-04", skill_level="TECHNICIAN"
)
s1 = services.stage_create(
    actor=root,
    competition=comp,
    order=1,
    name="初赛",
    kind="enterprise",
    start_date=dt.date(2025, 5, 1),
)
s2 = services.stage_create(actor=root, competition=comp, order=2, name="决赛", kind="provincial")
aspects = []
for k in range(10):
    aspects.append(
        {
            "description": f"尺寸{k}",
            "kind": "measurement",
            "max_mark": 5,
            "rule": "deduction",
            "target": 40,
            "tolerance": "0.01",
            "step": "0.01",
            "deduction": 1,
        }
    )
    aspects.append({"description": f"工艺{k}", "kind": "judgement", "max_mark": 5})
criteria = marking.scheme_load(
    actor=root,
    trade=trade,
    scheme=[
        {"letter": "A", "name": "A", "sub_criteria": [{"name": "a", "aspects": aspects[:10]}]},
        {"letter": "B", "name": "B", "sub_criteria": [{"name": "b", "aspects": aspects[10:]}]},
    ],
)
for c in criteria:
    for i, j in enumerate(judges):
        marking.judge_assign(actor=root, stage=s1, criterion=c, user=j, is_chief=i == 0)
for e in ents:
    services.quota_set(actor=root, stage=s1, trade=trade, organization=e, places=3)

t = time.perf_counter()
workers = []
for n in range(args.entrants):
    first17 = f"110101{1980 + n % 20}0{1 + n % 9}1{n % 9}{n % 1000:03d}"
    workers.append(
        worker_create(
            actor=root,
            organization=ents[n % 20],
            name=f"选手{n}",
            citizen_id=first17 + citizen_id_check_digit(first17),
            occupation="6-18-02-04",
            skill_level="SENIOR",
            hire_date=dt.date(2015, 1, 1),
        )
    )
entries = Entry.objects.bulk_create(
    [
        Entry(
            competition=comp,
            trade=trade,
            stage=s1,
            worker=w,
            sending_org=w.organization,
            status="confirmed",
            theory_score=Decimal(60 + n % 40),
        )
        for n, w in enumerate(workers)
    ]
)
# judging is blind: lots are drawn at check-in before anyone marks (as the organiser does)
draw.stage_draw(actor=root, stage=s1)
entries = list(Entry.objects.filter(stage=s1, trade=trade).order_by("id"))
setup = time.perf_counter() - t

all_aspects = list(
    Aspect.objects.filter(criterion__trade=trade).select_related("criterion", "sub_criterion")
)
t = time.perf_counter()
saves = 0
for n, e in enumerate(entries[: args.marked]):
    for a in all_aspects:
        if a.kind == "measurement":
            marking.mark_save(actor=judges[0], entry=e, aspect=a, value=Decimal("40.02"), version=0)
            saves += 1
        else:
            for j in judges:
                marking.mark_save(actor=j, entry=e, aspect=a, value=(n + j.pk) % 4, version=0)
                saves += 1
mark_time = time.perf_counter() - t

rows = []
for n, e in enumerate(entries[args.marked :]):
    for a in all_aspects:
        if a.kind == "measurement":
            rows.append(Mark(entry=e, aspect=a, value=Decimal("40"), mark=a.max_mark))
        else:
            rows.extend(
                Mark(entry=e, aspect=a, judge=j, value=(n + j.pk) % 4, mark=(n + j.pk) % 4)
                for j in judges
            )
Mark.objects.bulk_create(rows, batch_size=2000)

t = time.perf_counter()
results.results_compute(actor=root, stage=s1, trade=trade)
compute_time = time.perf_counter() - t
results.stage_results_approve(actor=root, stage=s1)
t = time.perf_counter()
out = results.advancement_run(actor=root, stage=s1)
advance_time = time.perf_counter() - t

db = "PostgreSQL" if args.pg else "SQLite"
print(describe())
print(
    f"{db}: {args.entrants} entrants, 20 aspects (10 judgement × 3 judges) = {Mark.objects.count()} marks"
)
print(f"  set-up (workers through the service): {setup:.1f} s")
print(
    f"  mark_save: {saves} saves in {mark_time:.2f} s = {saves / mark_time:.0f} saves/s "
    f"({1000 * mark_time / saves:.1f} ms each)"
)
print(f"  results_compute ({args.entrants} entrants): {compute_time:.2f} s")
print(f"  advancement_run (20 organisations × top 3): {advance_time:.2f} s -> {out}")
