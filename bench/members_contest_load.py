"""Benchmark: many workers answering one online campaign's knowledge contest at once, against
``gongjiang serve`` on PostgreSQL.

The method of ``bench/learning_exam_load.py`` (its HTTP client, phases and summaries are reused,
as ``bench/surveys_answer_load.py`` does for a one-time submission):

1. sets up a database (``--database-url``, default ``h_campaigns``, this engineer's own; created and migrated if
   missing): a national federation, 2 provinces, 2 cities each, 5 enterprises per city;
   PARTICIPANTS + SPARE workers spread over the enterprises with a login session each; a running
   national campaign whose contest has ``--questions`` objective questions of the national bank;
2. starts ``gongjiang serve`` on a free local port and ``gongjiang worker`` beside it (its
   scheduler folds the queued tallies every 5 s, ``core.counters_fold``), both with DEBUG off;
3. **round with think time**: PARTICIPANTS simulated workers arrive over ``--ramp`` seconds, read
   the contest (GET ``/api/v1/members/campaigns/{code}``), think (0..2×``--think`` s) and submit
   their answers once (POST ``…/answers``: graded, entry saved and its increments of the unit's,
   city's and province's tallies queued, in one transaction); 5 % are sent twice (a retried request: the second
   must be refused with 409 ``already_answered``, never counted twice);
4. **saturated comparison** (``--rounds`` alternating rounds of ``--seconds``): CONCURRENCY
   connections request the bare view ``/healthz`` as fast as they can, then the same number submit
   contest answers as fast as they can (each submission by a fresh SPARE worker: a session no web
   process has pinned), then — the **pinned** phase (``bench/pinned_common.py``, leave it out with
   ``--no-pinned``) — the same number of connections each read the contest for their own share of
   fresh SPARE workers (untimed; the read pins each session in the process that served it) and then
   submit for them, timed, on the same connection, as a phone does;
5. waits for the worker to fold what is still queued (``fold``: the most entries seen waiting,
   sampled every second, and the seconds the last ones took), then counts lost answers: every
   acknowledged submission must be a stored entry, nothing more, and both levels of tallies must
   equal a recount (``campaign_tallies_verify``).

Run::

    PYTHONPATH=src .venv/bin/python bench/members_contest_load.py --participants 2000

It prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _env  # noqa: E402  (the product as production runs it: DEBUG off)
import counters_common as cc  # noqa: E402  (the fold worker and the queue watch)
import learning_exam_load as exam  # noqa: E402  (the shared client and summaries)
import pinned_common  # noqa: E402  (the pinned saturated phase)

TARGET = "members.contest"  # the counter queue's target (core/counters.py)
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_campaigns"


def _level(parents: list[Any], n: int, kind: str, label: str) -> list[Any]:
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
    Organization.objects.bulk_create(rows)
    for o in rows:
        o.path = o.parent.path + Organization.segment_for(o.pk)
    Organization.objects.bulk_update(rows, ["path"])
    return rows


def set_up(total: int, questions: int) -> dict[str, Any]:
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    from gongjiang.core.actors import SYSTEM
    from gongjiang.core.models import Membership, Organization, Region
    from gongjiang.core.refdata import load_reference_data
    from gongjiang.learning.bank.services import question_create
    from gongjiang.members import campaigns

    if not Region.objects.filter(code="320100").exists():
        load_reference_data()
    User = get_user_model()
    stamp = time.time_ns()
    national = Organization.objects.create(
        name=f"压测全总{stamp}", kind="national", region_id="110000", path=f"~{stamp}"
    )
    national.path = Organization.segment_for(national.pk)
    national.save(update_fields=["path"])
    provinces = _level([national], 2, "provincial", "省")
    cities = _level(provinces, 2, "city", "市")
    enterprises = _level(cities, 5, "enterprise", "企")
    users = User.objects.bulk_create(
        [User(username=f"ct{stamp}_{i}", password="!") for i in range(total)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, organization=enterprises[i % len(enterprises)], role="worker")
            for i, u in enumerate(users)
        ]
    )
    codes = [
        question_create(
            actor=SYSTEM,
            organization=national,
            qtype="single",
            stem=f"第{i + 1}题：工匠精神的核心是？",
            options=["创新", "精益求精", "速度", "规模"],
            answer="B",
            audit=False,
        ).code
        for i in range(questions)
    ]
    now = timezone.now()
    campaign = campaigns.campaign_create(
        actor=SYSTEM,
        organization=national,
        title=f"压测知识竞赛{stamp}",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        question_codes=codes,
    )
    keys = []
    for u in users:
        store = SessionStore()
        store[SESSION_KEY] = str(u.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = u.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return {
        "campaign": campaign.code,
        "campaign_id": campaign.pk,
        "keys": keys,
        "cookie": settings.SESSION_COOKIE_NAME,
        "questions": codes,
    }


class Acks:
    def __init__(self) -> None:
        self.acked: set[str] = set()  # session keys whose submission was acknowledged (200)
        self.refused_retries = 0
        self.errors: list[str] = []


async def submit(
    conn: Any, info: dict[str, Any], key: str, rng: random.Random, acks: Acks
) -> tuple[int, float]:
    answers = {code: rng.choice("ABCD") for code in info["questions"]}
    body = json.dumps({"answers": answers}).encode()
    status, raw, elapsed = await conn.request(
        "POST",
        f"/api/v1/members/campaigns/{info['campaign']}/answers",
        exam.cookie_headers(info, key),
        body,
    )
    if status == 201:
        acks.acked.add(key)
    elif status == 409 and key in acks.acked:
        acks.refused_retries += 1
    else:
        acks.errors.append(f"{status} {raw[:120]!r}")
    return status, elapsed


async def round_with_think_time(
    info: dict[str, Any], keys: list[str], think: float, ramp: float, acks: Acks, idle: float
) -> dict[str, Any]:
    latencies: list[float] = []
    reads: list[float] = []
    t0 = time.monotonic()

    async def respondent(index: int, key: str) -> None:
        rng = random.Random(index)
        await asyncio.sleep(ramp * index / len(keys))
        conn = exam.Conn(exam.PORT, idle=idle)
        status, _raw, elapsed = await conn.request(
            "GET", f"/api/v1/members/campaigns/{info['campaign']}", exam.cookie_headers(info, key)
        )
        reads.append(elapsed)
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))
        for _ in range(2 if rng.random() < 0.05 else 1):
            _status, elapsed = await submit(conn, info, key, rng, acks)
            latencies.append(elapsed)
        await conn.close()

    cpu = time.process_time()
    await asyncio.gather(*(respondent(i, k) for i, k in enumerate(keys)))
    wall = time.monotonic() - t0
    out = exam.summarise(latencies, wall)
    out.update(
        {
            "contest_reads": exam.summarise(reads, wall),
            "retries_refused_as_already_answered": acks.refused_retries,
            "errors": len(acks.errors),
            "first_errors": acks.errors[:5],
            "wall_seconds": round(wall, 1),
            "client_cpu_share": round((time.process_time() - cpu) / wall, 2),
        }
    )
    return out


async def saturated(
    info: dict[str, Any],
    spare: list[str],
    connections: int,
    seconds: float,
    rounds: int,
    acks: Acks,
    pinned: bool = True,
) -> dict[str, Any]:
    async def post(conn: Any, key: str, rng: random.Random) -> tuple[int, float]:
        return await submit(conn, info, key, rng, acks)

    return await pinned_common.saturated(
        info=info,
        spare=spare,
        connections=connections,
        seconds=seconds,
        rounds=rounds,
        post=post,
        accepted=201,
        read_path=f"/api/v1/members/campaigns/{info['campaign']}",
        pinned=pinned,
    )


def count_lost(info: dict[str, Any], acks: Acks) -> dict[str, Any]:
    from django.contrib.sessions.models import Session

    from gongjiang.members.campaign_tallies import campaign_tallies_verify
    from gongjiang.members.models import Campaign, ContestEntry

    campaign = Campaign.objects.get(pk=info["campaign_id"])
    acked_users = {
        int(s.get_decoded()["_auth_user_id"])
        for s in Session.objects.filter(session_key__in=list(acks.acked))
    }
    stored = set(ContestEntry.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    verified = campaign_tallies_verify(campaign=campaign)
    return {
        "acknowledged": len(acks.acked),
        "stored_entries": len(stored),
        "lost": len(acked_users - stored),
        "extra": len(stored - acked_users),
        "tally_participants": verified["participants"],
        "pending_at_verify": verified["pending"],
        "tallies_equal_recount": not verified["mismatches"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--spare", type=int, default=3000, help="workers for the saturated phase")
    parser.add_argument("--think", type=float, default=30.0, help="mean think time, seconds")
    parser.add_argument("--ramp", type=float, default=120, help="arrivals spread over seconds")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--no-pinned",
        action="store_true",
        help="leave out the pinned saturated phase (read first, then submit; bench/pinned_common.py)",
    )
    args = parser.parse_args()

    exam.ensure_database(args.database_url)
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "aW5zZWN1cmUtYmVuY2gta2V5LTAxMjM0NTY3ODlhYmM=")
    os.environ.setdefault("SECRET_KEY", "bench-contest-secret-key-0123456789abcdef0123456789")
    _env.production_environ(args.database_url)  # DEBUG off (the server and the worker too)
    exam.django_setup(args.database_url)
    t0 = time.monotonic()
    info = set_up(args.participants + args.spare, args.questions)
    result: dict[str, Any] = {
        "participants": args.participants,
        "questions": args.questions,
        "think_seconds_mean": args.think,
        "ramp_seconds": args.ramp,
        "cpus": os.cpu_count(),
        "setup_seconds": round(time.monotonic() - t0, 1),
        "load_average_before": exam.loadavg(),
    }
    exam.PORT = exam.free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "ACCESS_LOG": "",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "serve", "--bind", f"127.0.0.1:{exam.PORT}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # the background worker folds the queued counters every 5 s, as in production
    worker = cc.start_worker(env)
    result["debug"] = cc.debug_flags(env)
    watch = cc.Watch(TARGET, info["campaign_id"])
    acks = Acks()
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", exam.PORT), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        idle = float(os.environ.get("WEB_KEEPALIVE", "5")) - 0.5
        keys = info["keys"]
        watch.start()
        result["round_with_think_time"] = asyncio.run(
            round_with_think_time(
                info, keys[: args.participants], args.think, args.ramp, acks, idle
            )
        )
        result["saturated"] = asyncio.run(
            saturated(
                info,
                keys[args.participants :],
                args.concurrency,
                args.seconds,
                args.rounds,
                acks,
                pinned=not args.no_pinned,
            )
        )
        result["load_average_after"] = exam.loadavg()
        result["fold"] = {**watch.finish(), **cc.drain(TARGET, info["campaign_id"])}
    finally:
        cc.stop(worker)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    result["answers"] = count_lost(info, acks)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
