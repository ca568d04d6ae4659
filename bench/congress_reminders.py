"""Benchmark: the daily run of proposal reminders and escalations (``congress.proposal_remind``).

Builds, in its own PostgreSQL database (``h_b_bench`` by default), a province of CITIES cities with
ENTS enterprise unions, each with a final congress term, DELEGATES delegates, three replying
departments with two responders each, a proposal committee member, and PROPOSALS proposals being
handled (status ``assigned``) with reply deadlines spread over the 90 days around today. Rounds
whose deadline is already near or past were reminded / escalated on earlier days (the steady state
of a daily job), so a day's run finds what came due since yesterday: the proposals whose deadline is
now 7 days away (reminded) and those whose deadline was yesterday (escalated: audit row, committee,
city officers and responders told). Then it times

* the day's run (``proposal_remind``), three different days, each on fresh rows;
* the first run over a backlog (no proposal reminded or escalated yet), once;
* the phone push through a sender that does nothing (the gateway's time is the gateway's);
* the anchor beside each: a plain ``count()`` of the same rows the run reads (assigned with a
  deadline) and a plain fetch of the rows it changes.

Usage: ``python bench/congress_reminders.py [--ents 400] [--proposals 60] [--db NAME]``
(DEBUG off, keys and settings as production: bench/_env.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--cities", type=int, default=10)
parser.add_argument("--ents", type=int, default=400, help="enterprise unions in all")
parser.add_argument("--proposals", type=int, default=60, help="assigned proposals per union")
parser.add_argument("--delegates", type=int, default=20)
parser.add_argument("--db", default="h_b_bench")
args = parser.parse_args()

base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
import psycopg  # noqa: E402

with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    conn.execute(f'CREATE DATABASE "{args.db}"')

from _env import describe, production_django  # noqa: E402

production_django(base.rsplit("/", 1)[0] + "/" + args.db)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

# the phone push goes to a sender that does nothing: what is timed is the platform's own work
# (finding the rows, flagging them, audit rows, stored notifications); a real SMS gateway's time
# per message is the gateway's, paid after the commit
settings.MEMBERS_SENDER = "__main__.QuietSender"


class QuietSender:
    def send(self, *, user: object, title: str, body: str) -> bool:
        return True


call_command("migrate", verbosity=0)
call_command("load-refdata", verbosity=0)

from gongjiang.congress.models import Delegate, Delegation, Term  # noqa: E402
from gongjiang.congress.models_proposals import Department, Proposal  # noqa: E402
from gongjiang.congress.reminders import proposal_remind  # noqa: E402
from gongjiang.core.enterprise_models import Enterprise  # noqa: E402
from gongjiang.core.models import AuditEvent, Membership  # noqa: E402
from gongjiang.core.services import organization_create  # noqa: E402
from gongjiang.core.validators import uscc_with_check  # noqa: E402
from gongjiang.members.models import Notification  # noqa: E402
from gongjiang.workforce.models import Worker  # noqa: E402

User = get_user_model()
TODAY = timezone.localdate()
NOW = timezone.now()
CATEGORIES = ["wages", "safety", "training", "welfare", "management", "other"]


def uscc(n: int) -> str:
    """A valid unified social credit code (GB 32100) numbered ``n``."""
    org_code = f"{n:08d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    check = 11 - sum(int(c) * w for c, w in zip(org_code, weights, strict=True)) % 11
    return uscc_with_check("91320000" + org_code + {10: "X", 11: "0"}.get(check, str(check)))


def build() -> None:
    started = time.perf_counter()
    root = User.objects.create(username="bench_root", is_superuser=True, is_staff=True)
    national = organization_create(
        actor=root,
        parent=None,
        name="中华全国总工会",
        kind="national",
        region="110000",
        audit=False,
    )
    province = organization_create(
        actor=root,
        parent=national,
        name="江苏省总工会",
        kind="provincial",
        region="320000",
        audit=False,
    )
    cities = [
        organization_create(
            actor=root,
            parent=province,
            name=f"第{i + 1}市总工会",
            kind="city",
            region="320100",
            audit=False,
        )
        for i in range(args.cities)
    ]
    unions = [
        organization_create(
            actor=root,
            parent=cities[i % len(cities)],
            name=f"测试企业{i + 1}工会",
            kind="enterprise",
            region="320111",
            industry="3711",
            uscc=uscc(i + 1),
            audit=False,
        )
        for i in range(args.ents)
    ]
    password = make_password("bench-only-9")
    users = User.objects.bulk_create(
        [User(username=f"city_officer{i}", password=password) for i in range(len(cities))]
        + [
            User(username=f"u{i}_{k}", password=password)
            for i in range(len(unions))
            for k in ("committee", "r1", "r2", "r3", "r4", "r5", "r6")
        ],
        batch_size=2000,
    )
    by_name = {u.username: u for u in users}
    Membership.objects.bulk_create(
        [
            Membership(user=by_name[f"city_officer{i}"], organization=c, role="officer")
            for i, c in enumerate(cities)
        ]
        + [
            Membership(user=by_name[f"u{i}_committee"], organization=u, role="committee")
            for i, u in enumerate(unions)
        ]
        + [
            Membership(user=by_name[f"u{i}_r{k}"], organization=u, role="hr")
            for i, u in enumerate(unions)
            for k in range(1, 7)
        ],
        batch_size=2000,
    )
    employers = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=u.name.removesuffix("工会") + "集团",
                industry_id="3711",
                region_id=u.region_id,
                union=u,
            )
            for u in unions
        ]
    )
    workers = Worker.objects.bulk_create(
        [
            Worker(
                organization=u,
                employer=employers[i],
                name=f"职工{i}-{k}",
                name_pinyin=f"zhigong{i:05d}{k:03d}",
                citizen_id_encrypted="-",
                citizen_id_hash=f"h{i:031d}{k:032d}",
                citizen_id_last4=f"{k:04d}",
                citizen_id_masked="3201**********0000",
                gender="M",
                birth_date=dt.date(1990, 1, 1),
                employment_type="contract",
            )
            for i, u in enumerate(unions)
            for k in range(args.delegates)
        ],
        batch_size=5000,
    )
    terms = Term.objects.bulk_create(
        [
            Term(
                organization=u,
                number=1,
                starts_on=TODAY - dt.timedelta(days=400),
                ends_on=TODAY + dt.timedelta(days=1000),
                status="active",
            )
            for u in unions
        ]
    )
    delegations = Delegation.objects.bulk_create(
        [Delegation(term=t, name="第一代表团") for t in terms]
    )
    delegates = Delegate.objects.bulk_create(
        [
            Delegate(
                term=terms[i],
                delegation=delegations[i],
                worker=workers[i * args.delegates + k],
                category="worker",
                elected_on=terms[i].starts_on,
            )
            for i in range(len(unions))
            for k in range(args.delegates)
        ],
        batch_size=5000,
    )
    departments = Department.objects.bulk_create(
        [
            Department(organization=u, name=name)
            for u in unions
            for name in ("人力资源部", "安全环保部", "后勤服务部")
        ]
    )
    through = Department.responders.through
    through.objects.bulk_create(
        [
            through(department=d, user=by_name[f"u{j // 3}_r{(j % 3) * 2 + k}"])
            for j, d in enumerate(departments)
            for k in (1, 2)
        ],
        batch_size=5000,
    )
    proposals = []
    for i, u in enumerate(unions):
        for k in range(args.proposals):
            offset = (i * 7 + k * 13) % 90 - 30  # deadlines from 30 days ago to 59 days ahead
            due = TODAY + dt.timedelta(days=offset)
            proposals.append(
                Proposal(
                    organization=u,
                    term=terms[i],
                    number=f"{k + 1:03d}",
                    proposer=delegates[i * args.delegates + k % args.delegates],
                    title=f"关于改善第{k + 1}车间工作条件的提案",
                    reasons="现状与问题。",
                    measures="建议措施。",
                    category=CATEGORIES[k % 6],
                    status="assigned",
                    lead_department=departments[i * 3 + k % 3],
                    assigned_at=NOW - dt.timedelta(days=60),
                    reply_due=due,
                    reply_round=1,
                )
            )
    Proposal.objects.bulk_create(proposals, batch_size=5000)
    print(
        f"built {len(unions)} unions in {len(cities)} cities, {len(delegates)} delegates, "
        f"{len(departments)} departments, {len(proposals)} assigned proposals "
        f"in {time.perf_counter() - started:.1f} s"
    )


def settle(on: dt.date) -> None:
    """The steady state before ``on``: what earlier days' runs already flagged."""
    waiting = Proposal.objects.filter(status="assigned")
    waiting.update(reminded_at=None, escalated_at=None, escalated_to=None)
    waiting.filter(reply_due__lt=on + dt.timedelta(days=7)).update(reminded_at=NOW)
    waiting.filter(reply_due__lt=on - dt.timedelta(days=1)).update(escalated_at=NOW)


def anchor(on: dt.date) -> tuple[float, int, float, int]:
    """A plain count of the rows the run reads, and a plain fetch of those it changes."""
    t0 = time.perf_counter()
    n = Proposal.objects.filter(status="assigned", reply_due__isnull=False).count()
    t1 = time.perf_counter()
    changed = list(
        Proposal.objects.filter(status="assigned", reply_due__isnull=False)
        .filter(
            reminded_at__isnull=True,
            reply_due__gte=on,
            reply_due__lte=on + dt.timedelta(days=7),
        )
        .values_list("id", "reply_due")
    ) + list(
        Proposal.objects.filter(
            status="assigned", escalated_at__isnull=True, reply_due__lt=on
        ).values_list("id", "reply_due")
    )
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, n, (t2 - t1) * 1000, len(changed)


def run(label: str, on: dt.date) -> None:
    count_ms, rows, fetch_ms, changed = anchor(on)
    notes0, audits0 = Notification.objects.count(), AuditEvent.objects.count()
    t0 = time.perf_counter()
    counts = proposal_remind(on=on)
    elapsed = (time.perf_counter() - t0) * 1000
    notes = Notification.objects.count() - notes0
    audits = AuditEvent.objects.count() - audits0
    assert counts["reminded"] + counts["escalated"] == changed, (counts, changed)
    assert counts["notifications"] == notes, (counts, notes)
    assert audits == counts["escalated"]
    print(
        f"{label}: {elapsed:,.0f} ms — {counts['reminded']} reminded, {counts['escalated']} "
        f"escalated, {notes} notifications | anchor: count() of the {rows:,} assigned rows "
        f"{count_ms:.1f} ms, plain fetch of the {changed} changed rows {fetch_ms:.1f} ms"
    )


def main() -> None:
    print(describe())
    with transaction.atomic():
        build()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    for d in (0, 1, 2):
        day = TODAY + dt.timedelta(days=d)
        settle(day)
        run(f"daily run on day {d}", day)
    Proposal.objects.filter(status="assigned").update(
        reminded_at=None, escalated_at=None, escalated_to=None
    )
    run("first run over the backlog", TODAY)


if __name__ == "__main__":
    main()
