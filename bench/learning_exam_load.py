"""Benchmark: many candidates sitting one exam against ``gongjiang serve`` on PostgreSQL.

What it does, in one run:

1. sets up a database (``--database-url``, default a ``gongjiang_bench_learning`` database on the
   local PostgreSQL; created and migrated if missing): one enterprise, CANDIDATES workers with a
   login session each, a bank and a fixed paper of QUESTIONS single-choice questions, one open session;
2. starts ``gongjiang serve`` (gunicorn, ``--workers``/``--threads``) on a free local port;
3. **bare view**: CONCURRENCY clients request ``/healthz`` as fast as they can for ``--bare-seconds``;
4. **exam**: CANDIDATES simulated candidates (CONCURRENCY at a time, threads with keep-alive
   connections) start their attempt and answer every question with think time
   (uniform 0..2×``--think`` seconds); 5 % of saves are sent twice (a retried request); a few answers are
   changed later with a higher sequence number;
5. **saturated saves**: the same clients save answers with no think time for ``--bare-seconds``
   (the figure to compare with the bare view);
6. counts lost answers: every acknowledged (position, seq, response) must be in the database
   with that sequence number and response (must be 0).

Run (a few minutes here)::

    PYTHONPATH=src .venv/bin/python bench/learning_exam_load.py --candidates 300 --questions 100

It prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gongjiang_bench_learning"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    os.environ.setdefault("SECRET_KEY", "bench-learning-secret-key-0123456789abcdef")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def set_up(candidates: int, questions: int) -> dict[str, Any]:
    """Create (afresh) the bench organisation, users, bank, paper and session; return session keys."""
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
    from gongjiang.core.models import Membership, Organization
    from gongjiang.core.services import organization_create
    from gongjiang.learning.exams import exam_session_create
    from gongjiang.learning.models import Question, QuestionVersion
    from gongjiang.learning.services import paper_create

    User = get_user_model()
    system, _ = User.objects.get_or_create(
        username="bench_root", defaults={"is_superuser": True, "is_staff": True}
    )
    stamp = str(int(time.time()))
    root = Organization.objects.filter(
        parent=None, name="压测省总工会"
    ).first() or organization_create(
        actor=system, parent=None, name="压测省总工会", kind="provincial", region="320000"
    )
    org = organization_create(
        actor=system, parent=root, name=f"压测市总工会{stamp}", kind="city", region="320100"
    )
    qs = Question.objects.bulk_create(
        [
            Question(organization=org, qtype="single", knowledge_point="压测")
            for _ in range(questions)
        ]
    )
    versions = QuestionVersion.objects.bulk_create(
        [
            QuestionVersion(
                question=q,
                number=1,
                qtype="single",
                stem=f"压测题 {i + 1}",
                options=[{"key": k, "text": f"选项{k}"} for k in "ABCD"],
                answer="B",
            )
            for i, q in enumerate(qs)
        ]
    )
    for q, v in zip(qs, versions, strict=True):
        q.current = v
    Question.objects.bulk_update(qs, ["current"])
    paper = paper_create(
        actor=system, organization=org, title="压测试卷", question_codes=[q.code for q in qs]
    )
    users = User.objects.bulk_create(
        [User(username=f"bench{stamp}_{i}", password="!") for i in range(candidates)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organization=org, role="worker") for u in users]
    )
    now = timezone.now()
    session = exam_session_create(
        actor=system,
        organization=org,
        paper=paper,
        title="压测考试",
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(hours=3),
        duration_minutes=170,
        candidate_organizations=[org],
    )
    keys = []
    for u in users:
        store = SessionStore()
        store[SESSION_KEY] = str(u.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = u.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return {"session": session.code, "keys": keys, "cookie": settings.SESSION_COOKIE_NAME}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection with the candidate's session cookie and a CSRF token."""

    CSRF = "benchbenchbenchbenchbenchbench12"  # 32 characters: a valid unmasked CSRF secret

    def __init__(self, port: int, cookie_name: str, session_key: str | None) -> None:
        self.port = port
        cookies = [f"csrftoken={self.CSRF}"]
        if session_key:
            cookies.append(f"{cookie_name}={session_key}")
        self.headers = {
            "Cookie": "; ".join(cookies),
            "X-CSRFToken": self.CSRF,
            "Content-Type": "application/json",
        }
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        data = json.dumps(body) if body is not None else None
        for attempt in range(3):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=self.headers)
                response = self.conn.getresponse()
                raw = response.read()
                elapsed = time.perf_counter() - started
                payload = (
                    json.loads(raw)
                    if raw and response.getheader("Content-Type", "").startswith("application/json")
                    else None
                )
                return response.status, payload, elapsed
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")


def bare_phase(port: int, concurrency: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        client = Client(port, "", None)
        local = []
        while time.monotonic() < stop:
            status, _, elapsed = client.request("GET", "/healthz")
            if status == 200:
                local.append(elapsed)
        with lock:
            latencies.extend(local)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(worker)
    wall = time.monotonic() - started
    return summarise(latencies, wall)


def summarise(latencies: list[float], wall: float) -> dict[str, Any]:
    if not latencies:
        return {"requests": 0}
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "per_second": round(len(ordered) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
    }


def exam_phase(
    port: int,
    info: dict[str, Any],
    questions: int,
    concurrency: int,
    think: float,
    acked: dict[tuple[str, int], tuple[int, Any]],
    owners: dict[str, str],
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    duplicates = [0]

    def candidate(index: int) -> None:
        rng = random.Random(index)
        client = Client(port, info["cookie"], info["keys"][index])
        status, attempt, _ = client.request(
            "POST", f"/api/v1/learning/sessions/{info['session']}/start"
        )
        if status != 200:
            with lock:
                errors.append(f"start {status}")
            return
        code = attempt["code"]
        with lock:
            owners[code] = info["keys"][index]
        local: list[float] = []
        positions = list(range(1, questions + 1))
        changes = rng.sample(positions, k=min(3, questions))
        for position in positions + changes:  # answer all, then change a few answers
            if think:
                time.sleep(rng.uniform(0, 2 * think))
            seq = acked.get((code, position), (0, None))[0] + 1
            response = rng.choice("ABCD")
            body = {"response": response, "seq": seq}
            sends = 2 if rng.random() < 0.05 else 1  # a retried request
            for _ in range(sends):
                status, payload, elapsed = client.request(
                    "PUT", f"/api/v1/learning/attempts/{code}/answers/{position}", body
                )
                local.append(elapsed)
                if status != 200:
                    with lock:
                        errors.append(f"save {status} {payload}")
                    continue
                if payload["seq"] == seq:
                    with lock:
                        acked[(code, position)] = (seq, response)
                        if not payload["saved"]:
                            duplicates[0] += 1
        with lock:
            latencies.extend(local)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(candidate, range(len(info["keys"]))))
    wall = time.monotonic() - started
    out = summarise(latencies, wall)
    out.update(
        {
            "errors": len(errors),
            "first_errors": errors[:5],
            "retries_absorbed": duplicates[0],
            "wall_seconds": round(wall, 1),
        }
    )
    return out


def saturated_phase(
    port: int,
    info: dict[str, Any],
    questions: int,
    concurrency: int,
    seconds: float,
    acked: dict[tuple[str, int], tuple[int, Any]],
    owners: dict[str, str],
) -> dict[str, Any]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    codes = sorted(owners)
    failures = [0]
    by_code_key = owners  # each attempt is saved with its own candidate's session

    def worker(slot: int) -> None:
        my_codes = codes[slot::concurrency]
        if not my_codes:
            return
        rng = random.Random(1000 + slot)
        # one keep-alive connection per thread (idle connections would be closed by the server's
        # keep-alive timeout); the candidate's cookie changes per request
        client = Client(port, info["cookie"], None)
        cookies = {
            c: f"csrftoken={Client.CSRF}; {info['cookie']}={by_code_key[c]}" for c in my_codes
        }
        local = []
        while time.monotonic() < stop:
            code = rng.choice(my_codes)
            position = rng.randint(1, questions)
            with lock:
                seq = acked.get((code, position), (0, None))[0] + 1
                acked[(code, position)] = (seq, "pending")  # reserve this seq (one writer per key)
            response = rng.choice("ABCD")
            client.headers["Cookie"] = cookies[code]
            status, payload, elapsed = client.request(
                "PUT",
                f"/api/v1/learning/attempts/{code}/answers/{position}",
                {"response": response, "seq": seq},
            )
            local.append(elapsed)
            with lock:
                if status == 200 and payload["seq"] == seq:
                    acked[(code, position)] = (seq, response)
                else:
                    acked[(code, position)] = (seq, "failed")
                    failures[0] += 1
        with lock:
            latencies.extend(local)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    out = summarise(latencies, time.monotonic() - started)
    out["errors"] = failures[0]
    return out


def count_lost(acked: dict[tuple[str, int], tuple[int, Any]]) -> dict[str, int]:
    from gongjiang.learning.models import AttemptItem

    codes = {code for code, _ in acked}
    stored = {
        (code, pos): (seq, resp)
        for code, pos, seq, resp in AttemptItem.objects.filter(attempt__code__in=codes)
        .values_list("attempt__code", "position", "seq", "response")
        .iterator(chunk_size=5000)
    }
    lost = sum(
        1
        for key, (seq, resp) in acked.items()
        if resp not in ("pending", "failed") and stored.get(key) != (seq, resp)
    )
    return {"acknowledged": len(acked), "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument(
        "--think", type=float, default=0.5, help="mean think time per answer, seconds"
    )
    parser.add_argument("--bare-seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    ensure_database(args.database_url)
    django_setup(args.database_url)
    t0 = time.monotonic()
    info = set_up(args.candidates, args.questions)
    setup_seconds = time.monotonic() - t0
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "ACCESS_LOG": "",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gongjiang"),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                if Client(port, "", None).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        bare = bare_phase(port, args.concurrency, args.bare_seconds)
        acked: dict[tuple[str, int], tuple[int, Any]] = {}
        owners: dict[str, str] = {}
        exam = exam_phase(port, info, args.questions, args.concurrency, args.think, acked, owners)
        saturated = saturated_phase(
            port, info, args.questions, args.concurrency, args.bare_seconds, acked, owners
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    lost = count_lost(acked)
    result = {
        "auth": "session cookie (expiry slid at most once a minute: SessionActivityMiddleware)",
        "candidates": args.candidates,
        "questions": args.questions,
        "concurrency": args.concurrency,
        "think_seconds_mean": args.think,
        "server": f"gunicorn {args.workers} workers × {args.threads} threads",
        "cpus": os.cpu_count(),
        "setup_seconds": round(setup_seconds, 1),
        "bare_view_healthz": bare,
        "exam_with_think_time": exam,
        "saturated_answer_saves": saturated,
        "saves_vs_bare": round(saturated.get("per_second", 0) / bare["per_second"], 2)
        if bare.get("per_second")
        else None,
        "answers": lost,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
