"""Benchmark: contest rankings and participation served from the rollups, at national scale.

What it does (PostgreSQL; ``--database-url``, default the local ``h_campaigns`` database, migrated if
needed):

1. builds, **once** (a later run finds the data set by its campaign title and reuses it; ``--fresh``
   builds another), an organisation tree — the national federation, ``--provinces`` provinces,
   ``--cities`` cities each, ``--enterprises`` enterprises per city and ``--teams`` teams per
   enterprise — and ``--participants`` participants (default 10,000,000): one user and one graded
   ``ContestEntry`` each, spread over the enterprises and teams, written set-based (``INSERT …
   SELECT generate_series``, 1,000,000 rows a statement; the foreign-key triggers are skipped for
   these statements only, ``session_replication_role = replica``, as the ids are generated from
   the tables they point to); then writes both levels of tallies from the entries
   (``campaign_tallies_rebuild``);
2. submits ``--real`` entries through the service (``contest_submit``: graded, entry saved, its
   unit, province and city increments queued in the same transaction) from real logins;
3. checks that the rollups equal a recount: ``campaign_tallies_verify`` folds the queued entries
   (``core.counters``), then recounts all the entries
   (10 M) per unit and per province and city subtree in one snapshot and compares every row;
4. times participation (subtree count and mean) and rankings (the units under an organisation,
   ties sharing a rank) at the national, a provincial and a city level: ``--repeat`` runs each,
   median and 95th percentile in milliseconds; the load average is printed beside them.

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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_campaigns"
CHUNK = 1_000_000


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


def build(args: Any, title: str) -> Any:
    """The tree, the participants and their entries, the tallies: set-based, once."""
    from django.db import connection
    from django.utils import timezone

    from gongjiang.core.actors import SYSTEM
    from gongjiang.core.models import Organization
    from gongjiang.learning.bank.services import question_create
    from gongjiang.members import campaigns
    from gongjiang.members.campaign_tallies import campaign_tallies_rebuild

    stamp = time.time_ns()
    national = Organization.objects.create(
        name=f"bench-national-{stamp}", kind="national", region_id="110000", path=f"~{stamp}"
    )
    national.path = Organization.segment_for(national.pk)
    national.save(update_fields=["path"])
    provinces = level([national], args.provinces, "provincial", "省")
    cities = level(provinces, args.cities, "city", "市")
    enterprises = level(cities, args.enterprises, "enterprise", "企")
    teams = level(enterprises, args.teams, "team", "组")
    units = [u.pk for u in enterprises + teams]
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
        title=title,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=365),
        question_codes=[q.code],
    )
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        try:
            for start in range(0, args.participants, CHUNK):
                stop = min(start + CHUNK, args.participants) - 1
                cur.execute(
                    """
                    WITH u AS (
                      INSERT INTO auth_user (password, is_superuser, username, first_name,
                        last_name, email, is_staff, is_active, date_joined)
                      SELECT '!', false, %s || '-' || g, '', '', '', false, true, now()
                      FROM generate_series(%s, %s) g
                      RETURNING id
                    )
                    INSERT INTO members_contestentry
                      (campaign_id, user_id, organization_id, answers, score, submitted_at)
                    SELECT %s, u.id, (%s::bigint[])[1 + (hashint8(u.id)::bigint %% %s + %s) %% %s],
                           '{}'::jsonb, (abs(hashint8(u.id + 7)) %% 101)::numeric, now()
                    FROM u
                    """,
                    [
                        f"b{stamp}",
                        start,
                        stop,
                        campaign.pk,
                        units,
                        len(units),
                        len(units),
                        len(units),
                    ],
                )
                print(f"  {stop + 1:,} entries", file=sys.stderr, flush=True)
        finally:
            cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("ANALYZE auth_user")
        cur.execute("ANALYZE members_contestentry")
    entries_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rebuilt = campaign_tallies_rebuild(actor=SYSTEM, campaign=campaign)
    with connection.cursor() as cur:
        cur.execute("ANALYZE members_campaignorgtally")
        cur.execute("ANALYZE members_campaignareatally")
    rebuild_s = time.perf_counter() - t0
    return {
        "entries_seconds": round(entries_s, 1),
        "tallies_rebuild_seconds": round(rebuild_s, 1),
        **rebuilt,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=DEFAULT_DB)
    ap.add_argument("--participants", type=int, default=10_000_000)
    ap.add_argument("--provinces", type=int, default=31)
    ap.add_argument("--cities", type=int, default=10)
    ap.add_argument("--enterprises", type=int, default=30)
    ap.add_argument("--teams", type=int, default=2)
    ap.add_argument("--real", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--fresh", action="store_true", help="build another data set")
    args = ap.parse_args()
    setup(args.database_url)

    from django.contrib.auth import get_user_model

    from gongjiang.core.models import Membership, Organization
    from gongjiang.members import campaigns
    from gongjiang.members.campaign_tallies import campaign_tallies_verify
    from gongjiang.members.models import Campaign, CampaignOrgTally, ContestEntry

    rng = random.Random(args.seed)
    title = (
        f"bench contest {args.participants} {args.provinces}x{args.cities}x{args.enterprises}"
        f"x{args.teams}"
    )
    campaign = None if args.fresh else Campaign.objects.filter(title=title).last()
    built: dict[str, Any] = {"reused": campaign is not None}
    t0 = time.perf_counter()
    if campaign is None:
        built.update(build(args, title))
        campaign = Campaign.objects.filter(title=title).last()
    built["build_seconds"] = round(time.perf_counter() - t0, 1)
    national = campaign.organization
    provinces = list(Organization.objects.filter(parent=national).order_by("pk"))
    cities = list(Organization.objects.filter(parent__in=provinces).order_by("pk"))
    units = list(
        Organization.objects.filter(
            path__startswith=national.path, kind__in=["enterprise", "team"]
        ).only("pk", "path")
    )
    question = campaign.questions.get()

    # real participants through the service
    t0 = time.perf_counter()
    User = get_user_model()
    stamp = time.time_ns()
    users = User.objects.bulk_create(
        [User(username=f"real{stamp}-{i}", password="!") for i in range(args.real)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organization=rng.choice(units), role="worker") for u in users]
    )
    for u in users:
        campaigns.contest_submit(
            actor=u, campaign=campaign, answers={question.code: rng.choice("ABCD")}
        )
    real_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    verified = campaign_tallies_verify(campaign=campaign)
    verify_s = time.perf_counter() - t0

    province, city = provinces[0], cities[0]
    figures = {
        "load_average_before": os.getloadavg(),
        "participants": campaigns.participation(campaign=campaign, organization=national)[
            "participants"
        ],
        "entries": ContestEntry.objects.filter(campaign=campaign).count(),
        "organisations": Organization.objects.filter(path__startswith=national.path).count(),
        "unit_tally_rows": CampaignOrgTally.objects.filter(campaign=campaign).count(),
        "data_set": built,
        "real_entries": args.real,
        "real_entries_per_second_serial": round(args.real / real_s, 1),
        "recount": {
            "seconds": round(verify_s, 1),
            "participants_recounted": verified["participants"],
            "unit_rows": verified["unit_rows"],
            "area_rows": verified["area_rows"],
            "mismatches": len(verified["mismatches"]),
        },
    }
    for name, org in (("national", national), ("province", province), ("city", city)):
        figures[f"participation_{name}"] = timed(
            lambda org=org: campaigns.participation(campaign=campaign, organization=org),
            args.repeat,
        )
        figures[f"rankings_{name}"] = timed(
            lambda org=org: campaigns.rankings(campaign=campaign, organization=org), args.repeat
        )
    figures["load_average_after"] = os.getloadavg()
    print(json.dumps(figures, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
