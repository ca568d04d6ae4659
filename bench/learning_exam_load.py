"""Benchmark: many candidates sitting one exam against ``gongjiang serve`` on PostgreSQL.

What it does, in one run:

1. sets up a database (``--database-url``, default a ``gongjiang_bench_learning`` database on the
   local PostgreSQL; created and migrated if missing): one enterprise, CANDIDATES workers with a
   login session each, a bank and a fixed paper of QUESTIONS single-choice questions, one open
   session;
2. starts ``gongjiang serve`` (gunicorn, ``--workers``/``--threads``) on a free local port;
3. **exam with think time**: CANDIDATES simulated candidates, all in the exam at once (they arrive
   over ``--ramp`` seconds), start their attempt and answer every question, each after a think
   time drawn uniformly from 0..2×``--think`` seconds; 5 % of saves are sent twice (a retried
   request) and three answers per candidate are changed at the end with a higher sequence number.
   Each candidate is one connection, kept alive while the server keeps it (gunicorn closes an idle
   connection after ``keepalive`` seconds; the candidate then reconnects, as a phone would);
4. **saturated comparison**, right after, on the same server and attempts (``--rounds`` rounds of
   ``--seconds`` seconds each, alternating so a change in the machine's background load hits both
   alike): CONCURRENCY keep-alive connections request the **bare view** ``/healthz`` (one
   ``SELECT 1``) as fast as they can, then the same number of connections **save answers** as fast
   as they can (each with its candidate's session cookie and CSRF token, as the phone page does);
5. counts lost answers in the database: every acknowledged (attempt, position) must hold the
   acknowledged sequence number and response (must be 0).

The load generator is one asyncio process with a minimal HTTP/1.1 client (no threads, so it costs
little CPU on the cores it shares with the server and PostgreSQL); its CPU time per phase is
reported. If Debian's ``wrk`` is installed (``apt-get install -y wrk``), ``--wrk`` measures the
bare view with it as well, as an independent check of the Python client.

Run (the issue's size takes 25 minutes here)::

    PYTHONPATH=src .venv/bin/python bench/learning_exam_load.py --candidates 2000 --questions 100

It prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gongjiang_bench_learning"
CSRF = "benchbenchbenchbenchbenchbench12"  # 32 characters: a valid unmasked CSRF secret


# ------------------------------------------------------------------------------------ set-up
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
    from gongjiang.learning.bank.services import paper_create
    from gongjiang.learning.exams.services import exam_session_create
    from gongjiang.learning.models import Question, QuestionVersion

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


# ------------------------------------------------------------------------------------ client
class Conn:
    """One HTTP/1.1 keep-alive connection (asyncio streams; Content-Length or chunked bodies).

    A connection idle for longer than ``idle`` seconds is closed by the client before it is reused
    (the server closes idle connections after its keep-alive timeout, and a request written into a
    connection the server is closing would be lost in flight). A request that fails on a reused
    connection is sent again on a new one: every request the benchmark sends is idempotent (answer
    saves by sequence number, start = resume)."""

    def __init__(self, port: int, idle: float = 1.5) -> None:
        self.port = port
        self.idle = idle
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last = 0.0
        self.reconnects = 0
        self.resent = 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def _connect(self) -> None:
        await self.close()
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.reconnects += 1

    async def request(
        self, method: str, path: str, headers: str = "", body: bytes = b""
    ) -> tuple[int, bytes, float]:
        """(status, body, seconds from sending to the whole answer read)."""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        for attempt in range(4):
            if self.writer is None or time.monotonic() - self.last > self.idle:
                await self._connect()
            assert self.reader is not None and self.writer is not None
            started = time.perf_counter()
            try:
                self.writer.write(head + body)
                await self.writer.drain()
                status_line = await self.reader.readuntil(b"\r\n")
                status = int(status_line.split(b" ", 2)[1])
                length = -1
                chunked = close = False
                while True:
                    line = await self.reader.readuntil(b"\r\n")
                    if line == b"\r\n":
                        break
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"transfer-encoding" and b"chunked" in value.lower():
                        chunked = True
                    elif name == b"connection" and b"close" in value.lower():
                        close = True
                if chunked:
                    parts = []
                    while True:
                        size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                        parts.append(await self.reader.readexactly(size + 2))
                        if size == 0:
                            break
                    data = b"".join(p[:-2] for p in parts)
                elif length >= 0:
                    data = await self.reader.readexactly(length)
                else:
                    data = await self.reader.read()
                    close = True
                elapsed = time.perf_counter() - started
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                await self.close()
                self.resent += 1
                if attempt == 3:
                    raise
                continue
            self.last = time.monotonic()
            if close:
                await self.close()
            return status, data, elapsed
        raise RuntimeError("unreachable")


def summarise(latencies: list[float], wall: float) -> dict[str, Any]:
    if not latencies:
        return {"requests": 0}
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 1)

    return {
        "requests": len(ordered),
        "per_second": round(len(ordered) / wall, 1),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def cookie_headers(info: dict[str, Any], key: str) -> str:
    return (
        f"Cookie: csrftoken={CSRF}; {info['cookie']}={key}\r\n"
        f"X-CSRFToken: {CSRF}\r\nContent-Type: application/json\r\n"
    )


class Ledger:
    """What the server acknowledged: (attempt code, position) → (seq, response)."""

    def __init__(self) -> None:
        self.acked: dict[tuple[str, int], tuple[int, Any]] = {}
        self.next_seq: dict[tuple[str, int], int] = {}

    def reserve(self, key: tuple[str, int]) -> int:
        seq = self.next_seq.get(key, 0) + 1
        self.next_seq[key] = seq
        return seq

    def ack(self, key: tuple[str, int], seq: int, response: Any) -> None:
        if seq >= self.acked.get(key, (0, None))[0]:
            self.acked[key] = (seq, response)


async def save(
    conn: Conn,
    info: dict[str, Any],
    key: str,
    code: str,
    position: int,
    ledger: Ledger,
    response: str,
    seq: int,
) -> tuple[int, dict[str, Any] | None, float]:
    status, raw, elapsed = await conn.request(
        "PUT",
        f"/api/v1/learning/attempts/{code}/answers/{position}",
        cookie_headers(info, key),
        json.dumps({"response": response, "seq": seq}).encode(),
    )
    payload = json.loads(raw) if raw else None
    if status == 200 and payload["seq"] == seq:
        ledger.ack((code, position), seq, response)
    return status, payload, elapsed


# ------------------------------------------------------------------------------------ phases
async def closed_loop(seconds: float, connections: int, one: Any) -> dict[str, Any]:
    """``connections`` loops each calling ``one(conn, slot, rng)`` back to back for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    async def loop(slot: int) -> None:
        conn = Conn(PORT, idle=3600)
        rng = random.Random(slot)
        while time.monotonic() < stop:
            ok, elapsed = await one(conn, slot, rng)
            if ok:
                latencies.append(elapsed)
            else:
                errors[0] += 1
        await conn.close()

    cpu = time.process_time()
    started = time.monotonic()
    await asyncio.gather(*(loop(s) for s in range(connections)))
    wall = time.monotonic() - started
    out = summarise(latencies, wall)
    out["errors"] = errors[0]
    out["client_cpu_share"] = round((time.process_time() - cpu) / wall, 2)
    return out


PORT = 0


async def saturated(
    info: dict[str, Any],
    attempts: dict[str, str],
    questions: int,
    connections: int,
    seconds: float,
    rounds: int,
    ledger: Ledger,
) -> dict[str, Any]:
    codes = sorted(attempts)

    async def bare(conn: Conn, slot: int, rng: random.Random) -> tuple[bool, float]:
        status, _, elapsed = await conn.request("GET", "/healthz")
        return status == 200, elapsed

    async def saver(conn: Conn, slot: int, rng: random.Random) -> tuple[bool, float]:
        mine = codes[slot::connections] or codes
        code = rng.choice(mine)
        position = rng.randint(1, questions)
        seq = ledger.reserve((code, position))  # each (attempt, position) has one writer at a time
        response = rng.choice("ABCD")
        status, payload, elapsed = await save(
            conn, info, attempts[code], code, position, ledger, response, seq
        )
        return status == 200 and payload["seq"] == seq, elapsed

    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "saves": []}
    for _ in range(rounds):
        runs["bare"].append(await closed_loop(seconds, connections, bare))
        runs["saves"].append(await closed_loop(seconds, connections, saver))

    def total(kind: str) -> float:
        return round(sum(r["per_second"] for r in runs[kind]) / rounds, 1)

    return {
        "connections": connections,
        "seconds_per_round": seconds,
        "rounds": runs,
        "bare_view_per_second": total("bare"),
        "answer_saves_per_second": total("saves"),
        "saves_vs_bare": round(total("saves") / total("bare"), 2) if total("bare") else None,
    }


async def exam(
    info: dict[str, Any],
    questions: int,
    think: float,
    ramp: float,
    ledger: Ledger,
    attempts: dict[str, str],
    keepalive_idle: float,
) -> dict[str, Any]:
    latencies: list[float] = []
    start_latencies: list[float] = []
    errors: list[str] = []
    duplicates = [0]
    per_second: dict[int, int] = {}
    timed: list[tuple[float, float]] = []  # (sent at, seconds from the start of the phase; latency)
    finished: list[float] = []
    conns: list[Conn] = []
    t0 = time.monotonic()
    n = len(info["keys"])

    async def candidate(index: int) -> None:
        rng = random.Random(index)
        key = info["keys"][index]
        await asyncio.sleep(ramp * index / n)
        conn = Conn(PORT, idle=keepalive_idle)
        conns.append(conn)
        status, raw, elapsed = await conn.request(
            "POST", f"/api/v1/learning/sessions/{info['session']}/start", cookie_headers(info, key)
        )
        start_latencies.append(elapsed)
        if status != 200:
            errors.append(f"start {status} {raw[:200]!r}")
            return
        code = json.loads(raw)["code"]
        attempts[code] = key
        positions = list(range(1, questions + 1))
        changes = rng.sample(positions, k=min(3, questions))
        for position in positions + changes:  # answer all, then change a few answers
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))
            seq = ledger.reserve((code, position))
            response = rng.choice("ABCD")
            for _ in range(2 if rng.random() < 0.05 else 1):  # 5 %: a retried request
                status, payload, elapsed = await save(
                    conn, info, key, code, position, ledger, response, seq
                )
                latencies.append(elapsed)
                sent = time.monotonic() - t0 - elapsed
                timed.append((sent, elapsed))
                second = int(sent)
                per_second[second] = per_second.get(second, 0) + 1
                if status != 200:
                    errors.append(f"save {status} {payload}")
                elif not payload["saved"]:
                    duplicates[0] += 1
        finished.append(time.monotonic() - t0)
        await conn.close()

    cpu = time.process_time()
    await asyncio.gather(*(candidate(i) for i in range(n)))
    wall = time.monotonic() - t0
    out = summarise(latencies, wall)
    # the steady part: from the last candidate's arrival to the first candidate's finish
    counts = [per_second.get(s, 0) for s in range(int(wall) + 1)]
    first_done = min(finished, default=wall)
    window = [c for s, c in enumerate(counts) if ramp + 5 <= s < first_done - 1]
    step = 60
    out.update(
        {
            "saves_while_candidates_arrive": summarise(
                [lat for at, lat in timed if at < ramp], ramp
            ),
            "saves_after_every_candidate_arrived": summarise(
                [lat for at, lat in timed if at >= ramp], max(1.0, wall - ramp)
            ),
            "timeline_per_minute": [
                {
                    "from_s": start,
                    **summarise([lat for at, lat in timed if start <= at < start + step], step),
                }
                for start in range(0, int(wall) + 1, step)
            ],
            "steady_saves_per_second": round(sum(window) / len(window), 1) if window else None,
            "peak_10s_saves_per_second": max(
                (sum(counts[s : s + 10]) / 10 for s in range(max(1, len(counts) - 9))), default=0
            ),
            "starts": summarise(start_latencies, wall),
            "errors": len(errors),
            "first_errors": errors[:5],
            "retries_absorbed": duplicates[0],
            "connections_opened": sum(c.reconnects for c in conns),
            "requests_resent_after_a_dropped_connection": sum(c.resent for c in conns),
            "wall_seconds": round(wall, 1),
            "client_cpu_share": round((time.process_time() - cpu) / wall, 2),
        }
    )
    return out


def count_lost(ledger: Ledger) -> dict[str, int]:
    """Every acknowledged answer must be in the database with its sequence number and response."""
    from gongjiang.learning.models import AttemptItem

    codes = {code for code, _ in ledger.acked}
    stored = {
        (code, pos): (seq, resp)
        for code, pos, seq, resp in AttemptItem.objects.filter(attempt__code__in=codes)
        .values_list("attempt__code", "position", "seq", "response")
        .iterator(chunk_size=5000)
    }
    lost = sum(1 for key, value in ledger.acked.items() if stored.get(key) != value)
    return {"acknowledged": len(ledger.acked), "lost": lost}


def run_wrk(port: int, connections: int, seconds: float) -> dict[str, Any] | None:
    """The bare view measured by wrk (C, its own threads), when it is installed."""
    exe = shutil.which("wrk")
    if exe is None:
        return {"skipped": "wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)"}
    out = subprocess.run(
        [
            exe,
            "-t2",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--latency",
            f"http://127.0.0.1:{port}/healthz",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)

    def ms(m: Any) -> float | None:
        return None if m is None else float(m[1]) * {"us": 0.001, "ms": 1, "s": 1000}[m[2]]

    return {
        "per_second": float(rate[1]) if rate else None,
        "p50_ms": ms(p50),
        "p99_ms": ms(p99),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument(
        "--think", type=float, default=10.0, help="mean think time per answer, seconds"
    )
    parser.add_argument(
        "--ramp", type=float, default=240, help="the candidates arrive over this many seconds"
    )
    parser.add_argument(
        "--concurrency", type=int, default=50, help="connections in the saturated comparison"
    )
    parser.add_argument("--seconds", type=float, default=15, help="length of a saturated round")
    parser.add_argument("--rounds", type=int, default=2, help="bare/saves rounds, alternating")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads per worker")
    parser.add_argument("--wrk", action="store_true", help="also measure the bare view with wrk")
    parser.add_argument("--skip-exam", action="store_true", help="only the saturated comparison")
    args = parser.parse_args()

    ensure_database(args.database_url)
    django_setup(args.database_url)
    t0 = time.monotonic()
    info = set_up(args.candidates, args.questions)
    setup_seconds = time.monotonic() - t0
    PORT = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "ACCESS_LOG": "",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    command = [str(ROOT / ".venv/bin/gongjiang"), "serve", "--bind", f"127.0.0.1:{PORT}"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ledger = Ledger()
    attempts: dict[str, str] = {}
    result: dict[str, Any] = {
        "candidates": args.candidates,
        "questions": args.questions,
        "think_seconds_mean": args.think,
        "ramp_seconds": args.ramp,
        "server": "gongjiang serve: gunicorn gthread, {} workers × {} threads, keep-alive {} s".format(
            args.workers or os.environ.get("WEB_WORKERS") or (os.cpu_count() or 1) * 2 + 1,
            args.threads or os.environ.get("WEB_THREADS") or 4,
            os.environ.get("WEB_KEEPALIVE", "5"),
        ),
        "cpus": os.cpu_count(),
        "setup_seconds": round(setup_seconds, 1),
        "load_average_before": loadavg(),
    }
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", PORT), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        keepalive = float(os.environ.get("WEB_KEEPALIVE", "5"))
        if not args.skip_exam:
            result["exam_with_think_time"] = asyncio.run(
                exam(info, args.questions, args.think, args.ramp, ledger, attempts, keepalive - 0.5)
            )
            result["load_average_after_exam"] = loadavg()
        else:
            # attempts for the saturated phase only
            async def starts() -> None:
                async def one(key: str) -> None:
                    conn = Conn(PORT)
                    status, raw, _ = await conn.request(
                        "POST",
                        f"/api/v1/learning/sessions/{info['session']}/start",
                        cookie_headers(info, key),
                    )
                    await conn.close()
                    if status == 200:
                        attempts[json.loads(raw)["code"]] = key

                await asyncio.gather(*(one(k) for k in info["keys"][: max(args.concurrency, 200)]))

            asyncio.run(starts())
        result["saturated"] = asyncio.run(
            saturated(
                info,
                attempts,
                args.questions,
                args.concurrency,
                args.seconds,
                args.rounds,
                ledger,
            )
        )
        if args.wrk:
            result["bare_view_wrk"] = run_wrk(PORT, args.concurrency, args.seconds)
        result["load_average_after"] = loadavg()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    result["answers"] = count_lost(ledger)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
