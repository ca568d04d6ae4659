"""Benchmark: contest rankings and participation served from the rollups, at national scale.

What it does (PostgreSQL; ``--database-url``, default the local ``h_members`` database, migrated if
needed):

1. builds an organisation tree: the national federation, ``--provinces`` provinces, ``--cities``
   cities each, ``--enterprises`` enterprises per city and ``--teams`` teams per enterprise;
2. spreads ``--participants`` participants (default 10,000,000) over the enterprises and teams and
   writes one ``CampaignOrgTally`` row per unit (the rollup the service keeps), in bulk — the
   participants' entries themselves are not generated at this size (10 M logins and entries take
   longer to write than this shared machine allows); the generator keeps its own per-unit counts;
3. submits ``--real`` entries through the service (``contest_submit``: graded, entry saved, tally
   incremented in the same transaction) from real logins spread over the tree;
4. checks that the rollups equal a recount: for every province, city and a sample of enterprises,
   the tally sums equal the generator's counts plus a COUNT/SUM over the real entries;
5. times participation (subtree count and mean) and rankings (the units under an organisation,
   ties sharing a rank) at the national, a provincial and a city level: ``--repeat`` runs each,
   median and 95th percentile in milliseconds.

Run::

    PYTHONPATH=src .venv/bin/python bench/members_contest_rankings.py --participants 10000000

It prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_members"


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    os.environ.setdefault("SECRET_KEY", "bench-members-secret-key-0123456789abcdef0123456789")
    if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongjiang.core.models import Region
    from gongjiang.core.refdata import load_reference_data

    if not Region.objects.filter(code="320000").exists():
        load_reference_data()


def level(parents: list[Any], n: int, kind: str, label: str) -> list[Any]:
    from gongjiang.core.models import Organization

    rows = [
        Organization(
            name=f"{label}{p.pk}-{i}",
            kind=kind,
            parent=p,
            depth=p.depth + 1,
            region_id="320100",
            path=f"~{p.pk}-{i}-{label}",
        )
        for p in parents
        for i in range(n)
    ]
    Organization.objects.bulk_create(rows, batch_size=5000)
    for o in rows:
        o.path = o.parent.path + Organization.segment_for(o.pk)
    Organization.objects.bulk_update(rows, ["path"], batch_size=5000)
    return rows


def timed(fn: Any, repeat: int) -> dict[str, float]:
    fn()  # warm
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return {
        "median_ms": round(statistics.median(runs), 2),
        "p95_ms": round(runs[int(0.95 * (len(runs) - 1))], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=DEFAULT_DB)
    ap.add_argument("--participants", type=int, default=10_000_000)
    ap.add_argument("--provinces", type=int, default=31)
    ap.add_argument("--cities", type=int, default=10)
    ap.add_argument("--enterprises", type=int, default=30)
    ap.add_argument("--teams", type=int, default=2)
    ap.add_argument("--real", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()
    setup(args.database_url)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from gongjiang.core.actors import SYSTEM
    from gongjiang.core.models import Membership, Organization
    from gongjiang.learning.bank.services import question_create
    from gongjiang.members import campaigns
    from gongjiang.members.models import CampaignOrgTally, ContestEntry

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    national = Organization.objects.create(
        name=f"bench-national-{time.time_ns()}",
        kind="national",
        region_id="110000",
        path=f"~{time.time_ns()}",
    )
    national.path = Organization.segment_for(national.pk)
    national.save(update_fields=["path"])
    provinces = level([national], args.provinces, "provincial", "省")
    cities = level(provinces, args.cities, "city", "市")
    enterprises = level(cities, args.enterprises, "enterprise", "企")
    teams = level(enterprises, args.teams, "team", "组")
    units = enterprises + teams
    tree_s = time.perf_counter() - t0

    now = timezone.now()
    q = question_create(
        actor=SYSTEM,
        organization=national,
        qtype="single",
        stem="工匠精神的核心是？",
        options=["创新", "精益求精", "速度", "规模"],
        answer="B",
        audit=False,
    )
    campaign = campaigns.campaign_create(
        actor=SYSTEM,
        organization=national,
        title="bench contest",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=30),
        question_codes=[q.code],
    )

    # the rollups of the generated participants: one row per unit
    t0 = time.perf_counter()
    weights = [rng.random() for _ in units]
    total_w = sum(weights)
    counts = [int(args.participants * w / total_w) for w in weights]
    counts[0] += args.participants - sum(counts)
    truth: dict[int, tuple[int, Decimal]] = {}
    tallies = []
    for u, n in zip(units, counts, strict=True):
        s = Decimal(int(n * rng.uniform(0.4, 1.0)))
        truth[u.pk] = (n, s)
        tallies.append(
            CampaignOrgTally(
                campaign=campaign, organization=u, path=u.path, participants=n, total_score=s
            )
        )
    CampaignOrgTally.objects.bulk_create(tallies, batch_size=10000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE members_campaignorgtally")
    rollup_s = time.perf_counter() - t0

    # real participants through the service
    t0 = time.perf_counter()
    User = get_user_model()
    stamp = time.time_ns()
    users = User.objects.bulk_create(
        [User(username=f"bench{stamp}-{i}", password="!") for i in range(args.real)]
    )
    homes = [rng.choice(units) for _ in users]
    Membership.objects.bulk_create(
        [
            Membership(user=u, organization=h, role="worker")
            for u, h in zip(users, homes, strict=True)
        ]
    )
    for u in users:
        campaigns.contest_submit(actor=u, campaign=campaign, answers={q.code: rng.choice("ABCD")})
    real_s = time.perf_counter() - t0

    # rollups equal a recount (generator's counts + the real entries)
    def recount(org: Any) -> tuple[int, Decimal]:
        n = sum(c for pk, (c, _s) in truth.items() if by_pk[pk].path.startswith(org.path))
        s = sum(
            (s for pk, (_c, s) in truth.items() if by_pk[pk].path.startswith(org.path)), Decimal(0)
        )
        real = campaigns.recount(campaign=campaign, organization=org)
        n2 = n + real["participants"]
        total = s + (real["mean"] * real["participants"] if real["participants"] else 0)
        return n2, total

    by_pk = {u.pk: u for u in units}
    checked = mismatches = 0
    for org in [national, *provinces, *rng.sample(cities, 20), *rng.sample(enterprises, 50)]:
        got = CampaignOrgTally.objects.filter(campaign=campaign, path__startswith=org.path)
        agg = got.aggregate(n=Sum("participants"), s=Sum("total_score"))
        n, s = recount(org)
        checked += 1
        # the real entries' mean is rounded to the fen; compare counts exactly and sums to 1 yuan
        if agg["n"] != n or abs((agg["s"] or 0) - s) > Decimal("1"):
            mismatches += 1
    real_entries = ContestEntry.objects.filter(campaign=campaign).count()

    province, city = provinces[0], cities[0]
    figures = {
        "participants": CampaignOrgTally.objects.filter(campaign=campaign).aggregate(
            n=Sum("participants")
        )["n"],
        "organisations": 1 + len(provinces) + len(cities) + len(units),
        "tally_rows": CampaignOrgTally.objects.filter(campaign=campaign).count(),
        "real_entries": real_entries,
        "build_seconds": {
            "tree": round(tree_s, 1),
            "rollups": round(rollup_s, 1),
            "real_entries": round(real_s, 1),
        },
        "real_entries_per_second_serial": round(args.real / real_s, 1),
        "recount_checked": checked,
        "recount_mismatches": mismatches,
        "participation_national": timed(
            lambda: campaigns.participation(campaign=campaign, organization=national), args.repeat
        ),
        "participation_province": timed(
            lambda: campaigns.participation(campaign=campaign, organization=province), args.repeat
        ),
        "participation_city": timed(
            lambda: campaigns.participation(campaign=campaign, organization=city), args.repeat
        ),
        "rankings_national": timed(
            lambda: campaigns.rankings(campaign=campaign, organization=national), args.repeat
        ),
        "rankings_province": timed(
            lambda: campaigns.rankings(campaign=campaign, organization=province), args.repeat
        ),
        "rankings_city": timed(
            lambda: campaigns.rankings(campaign=campaign, organization=city), args.repeat
        ),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
