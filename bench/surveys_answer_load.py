"""Benchmark: many workers answering one survey against ``gongjiang serve`` on PostgreSQL.

The method of ``bench/learning_exam_load.py`` (its HTTP client, phases and summaries are reused):

1. sets up a database (``--database-url``, default ``gongjiang_bench_surveys_load``; created and
   migrated if missing): one enterprise, RESPONDENTS + SPARE workers with a login session each, a
   published 20-question survey (every type) sent to all of them;
2. starts ``gongjiang serve`` on a free local port and ``gongjiang worker`` beside it (its
   scheduler folds the queued counters every 5 s, ``core.counters_fold``), both with DEBUG off;
3. **round with think time**: RESPONDENTS simulated workers arrive over ``--ramp`` seconds, read
   the questionnaire (GET), think (0..2×``--think`` s) and submit their answers once (POST);
   5 % of submissions are sent twice (a retried request: the second must be refused with 409
   ``already_answered``, never counted twice);
4. **saturated comparison** (``--rounds`` alternating rounds of ``--seconds``): CONCURRENCY
   connections request the bare view ``/healthz`` as fast as they can, then the same number submit
   answers as fast as they can (each submission by a fresh SPARE worker: a session no web process
   has pinned), then — the **pinned** phase (``bench/pinned_common.py``, leave it out with
   ``--no-pinned``) — the same number of connections each read the questionnaire for their own
   share of fresh SPARE workers (untimed; the read pins each session in the process that served
   it) and then submit for them, timed, on the same connection, as a phone does;
5. waits for the worker to fold what is still queued (``fold``: the most answers seen waiting,
   sampled every second, and the seconds the last ones took), then counts lost answers: every
   acknowledged submission must be a stored response and a completion mark, nothing more (no
   double counts), and the rollups must equal a recount (``rollups.verify``).

Run::

    PYTHONPATH=src .venv/bin/python bench/surveys_answer_load.py --respondents 2000

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
import surveys_results as results  # noqa: E402  (the questionnaire and random answers)

TARGET = "surveys.rollup"  # the counter queue's target (core/counters.py)
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gongjiang_bench_surveys_load"


def set_up(total: int) -> dict[str, Any]:
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

    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    from gongjiang.core.demo import _uscc
    from gongjiang.core.enterprise_models import Enterprise
    from gongjiang.core.models import Membership
    from gongjiang.core.services import organization_create
    from gongjiang.surveys import services
    from gongjiang.workforce.models import Worker

    User = get_user_model()
    root, _ = User.objects.get_or_create(
        username="bench_root", defaults={"is_superuser": True, "is_staff": True}
    )
    editor, _ = User.objects.get_or_create(username="bench_editor", defaults={"is_superuser": True})
    stamp = str(int(time.time()))
    province = organization_create(
        actor=root, parent=None, name=f"调研压测省总工会{stamp}", kind="provincial", region="320000"
    )
    org = organization_create(
        actor=root,
        parent=province,
        name=f"调研压测企业{stamp}工会",
        kind="enterprise",
        region="320100",
        industry="3711",
        uscc=_uscc(f"bench-surveys-{stamp}"),
    )
    employer = Enterprise.objects.filter(union=org).first()
    users = User.objects.bulk_create(
        [User(username=f"sv{stamp}_{i}", password="!") for i in range(total)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organization=org, role="worker") for u in users]
    )
    rng = random.Random(1)
    Worker.objects.bulk_create(
        [
            Worker(
                organization=org,
                employer=employer,
                user=u,
                name=f"职工{i}",
                citizen_id_encrypted="-",
                citizen_id_hash=f"bench{stamp}{i}",
                citizen_id_last4="0000",
                citizen_id_masked="320***********0000",
                gender="M",
                birth_date=dt.date(1965 + rng.randrange(40), 1, 1),
                skill_level_id=rng.choice(["JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN"]),
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    survey = services.survey_create(
        actor=editor, organization=org, title="压测调查", questions=results.questionnaire()
    )
    services.survey_publish(actor=root, survey=survey)
    services.survey_distribute(actor=root, survey=survey, audience=org)
    keys = []
    for u in users:
        store = SessionStore()
        store[SESSION_KEY] = str(u.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = u.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return {
        "survey": survey.code,
        "survey_id": survey.pk,
        "keys": keys,
        "cookie": settings.SESSION_COOKIE_NAME,
        "questions": survey.published_version().questions,
    }


class Acks:
    def __init__(self) -> None:
        self.acked: set[str] = set()  # session keys whose submission was acknowledged (200)
        self.refused_retries = 0
        self.errors: list[str] = []


async def submit(
    conn: Any, info: dict[str, Any], key: str, rng: random.Random, acks: Acks
) -> tuple[int, float]:
    body = json.dumps({"answers": results.random_answers(rng, info["questions"])}).encode()
    status, raw, elapsed = await conn.request(
        "POST",
        f"/api/v1/surveys/mine/{info['survey']}/responses",
        exam.cookie_headers(info, key),
        body,
    )
    if status == 200:
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
            "GET", f"/api/v1/surveys/mine/{info['survey']}", exam.cookie_headers(info, key)
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
            "questionnaire_reads": exam.summarise(reads, wall),
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
        accepted=200,
        read_path=f"/api/v1/surveys/mine/{info['survey']}",
        pinned=pinned,
    )


def count_lost(info: dict[str, Any], acks: Acks) -> dict[str, Any]:
    from gongjiang.surveys import rollups
    from gongjiang.surveys.models import Invitation, Response, Survey

    survey = Survey.objects.get(pk=info["survey_id"])
    responses = Response.objects.filter(survey=survey).count()
    completed = Invitation.objects.filter(survey=survey).exclude(completed_on=None).count()
    return {
        "acknowledged": len(acks.acked),
        "stored_responses": responses,
        "completion_marks": completed,
        "lost": len(acks.acked) - min(responses, completed),
        "extra": max(responses, completed) - len(acks.acked),
        **{f"verify_{k}": v for k, v in rollups.verify(survey).items() if k != "differences"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--respondents", type=int, default=2000)
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
    os.environ.setdefault("SECRET_KEY", "bench-surveys-secret-key-0123456789abcdef0123456789")
    _env.production_environ(args.database_url)  # DEBUG off (the server and the worker too)
    exam.django_setup(args.database_url)
    t0 = time.monotonic()
    info = set_up(args.respondents + args.spare)
    result: dict[str, Any] = {
        "respondents": args.respondents,
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
    watch = cc.Watch(TARGET, info["survey_id"])
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
            round_with_think_time(info, keys[: args.respondents], args.think, args.ramp, acks, idle)
        )
        result["saturated"] = asyncio.run(
            saturated(
                info,
                keys[args.respondents :],
                args.concurrency,
                args.seconds,
                args.rounds,
                acks,
                pinned=not args.no_pinned,
            )
        )
        result["load_average_after"] = exam.loadavg()
        result["fold"] = {**watch.finish(), **cc.drain(TARGET, info["survey_id"])}
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
