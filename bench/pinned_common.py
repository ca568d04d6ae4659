"""The pinned saturated phase shared by the one-time submission benchmarks
(``members_contest_load.py``, ``surveys_answer_load.py``).

A phone reads the contest or the questionnaire before it submits, and that read pins its session
in the web process that served it (``core.auth.session_pins``); pins are per process. So each of
the CONNECTIONS keep-alive connections (gunicorn's gthread workers keep a connection on the process
that accepted it) first reads for its own share of fresh workers, untimed; when every connection
has read, all of them submit for those workers back to back for SECONDS, on the same connection —
each submission on a session its process has pinned. Only the submissions are timed."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import learning_exam_load as exam

Submit = Callable[[Any, str, random.Random], Awaitable[tuple[bool, float]]]


def per_connection(rate: float, seconds: float, connections: int) -> int:
    """Workers each connection reads for: 1.5 × what the unpinned rate would answer, so that no
    connection runs dry before the time is up (``exhausted`` in the result says if one did)."""
    return max(5, math.ceil(1.5 * rate * seconds / max(1, connections)) + 5)


async def pinned_round(
    *,
    pool: list[str],
    info: dict[str, Any],
    read_path: str,
    submit: Submit,
    connections: int,
    seconds: float,
    share: int,
) -> dict[str, Any]:
    """One timed round of submissions on sessions pinned by their read (see the module)."""
    barrier = asyncio.Barrier(connections)
    latencies: list[float] = []
    counts = {"errors": 0, "read_errors": 0, "exhausted": 0, "unused": 0, "reconnects": 0}
    marks: dict[str, float] = {}

    async def loop(slot: int) -> None:
        conn = exam.Conn(exam.PORT, idle=3600)
        rng = random.Random(10_000 + slot)
        keys = [pool.pop() for _ in range(min(share, len(pool)))]
        for key in keys:
            status, _raw, _elapsed = await conn.request(
                "GET", read_path, exam.cookie_headers(info, key)
            )
            if status != 200:
                counts["read_errors"] += 1
        await barrier.wait()
        marks.setdefault("start", time.monotonic())
        before = conn.reconnects
        stop = marks["start"] + seconds
        while keys and time.monotonic() < stop:
            ok, elapsed = await submit(conn, keys.pop(), rng)
            if ok:
                latencies.append(elapsed)
            else:
                counts["errors"] += 1
        if not keys and time.monotonic() < stop:
            counts["exhausted"] += 1
        counts["unused"] += len(keys)
        counts["reconnects"] += conn.reconnects - before
        marks["end"] = max(marks.get("end", 0.0), time.monotonic())
        await conn.close()

    cpu = time.process_time()
    await asyncio.gather(*(loop(s) for s in range(connections)))
    wall = marks["end"] - marks["start"]
    out = exam.summarise(latencies, wall)
    out.update(counts)
    out["client_cpu_seconds"] = round(time.process_time() - cpu, 2)  # reads included
    return out


Post = Callable[[Any, str, random.Random], Awaitable[tuple[int, float]]]


async def saturated(
    *,
    info: dict[str, Any],
    spare: list[str],
    connections: int,
    seconds: float,
    rounds: int,
    post: Post,
    accepted: int,
    read_path: str,
    pinned: bool = True,
) -> dict[str, Any]:
    """The saturated phase of a one-time submission benchmark: alternating rounds of the bare view,
    of submissions by fresh (unpinned) workers and, unless ``pinned`` is off, of submissions on
    pinned sessions (``pinned_round``); ``post(conn, key, rng)`` sends one worker's submission and
    answers (status, seconds), ``accepted`` being the status of a stored one."""
    pool = list(reversed(spare))

    async def bare(conn: Any, slot: int, rng: random.Random) -> tuple[bool, float]:
        status, _, elapsed = await conn.request("GET", "/healthz")
        return status == 200, elapsed

    async def answer(conn: Any, slot: int, rng: random.Random) -> tuple[bool, float]:
        if not pool:
            await asyncio.sleep(0.01)
            return False, 0.0
        status, elapsed = await post(conn, pool.pop(), rng)
        return status == accepted, elapsed

    async def pinned_answer(conn: Any, key: str, rng: random.Random) -> tuple[bool, float]:
        status, elapsed = await post(conn, key, rng)
        return status == accepted, elapsed

    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "answers": [], "pinned": []}
    for _ in range(rounds):
        runs["bare"].append(await exam.closed_loop(seconds, connections, bare))
        runs["answers"].append(await exam.closed_loop(seconds, connections, answer))
        if pinned:
            # the same number of connections, each submitting for workers it read for first
            share = per_connection(runs["answers"][-1].get("per_second", 0), seconds, connections)
            runs["pinned"].append(
                await pinned_round(
                    pool=pool,
                    info=info,
                    read_path=read_path,
                    submit=pinned_answer,
                    connections=connections,
                    seconds=seconds,
                    share=share,
                )
            )

    def total(kind: str) -> float:
        return round(sum(r.get("per_second", 0) for r in runs[kind]) / rounds, 1)

    def ratio(kind: str) -> float | None:
        return round(total(kind) / total("bare"), 2) if total("bare") else None

    return {
        "connections": connections,
        "rounds": runs,
        "bare_view_per_second": total("bare"),
        "answers_per_second": total("answers"),
        "answers_vs_bare": ratio("answers"),
        "pinned_answers_per_second": total("pinned") if pinned else None,
        "pinned_answers_vs_bare": ratio("pinned") if pinned else None,
        "spare_left": len(pool),
    }
