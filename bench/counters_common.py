"""What the answer benchmarks share about the counter queue (core/counters.py): the background
worker that folds it, as production runs it, and a watch on how many answers wait in it.

* ``start_worker(env)`` starts ``gongjiang worker`` (the scheduler enqueues ``core.counters_fold``
  every 5 s; ``db_worker`` runs it), with the same environment as the server (DEBUG off).
* ``Watch`` samples the pending deltas of one scope once a second in a thread of its own (its own
  database connection) while the load runs: the most seen, and the last.
* ``drain`` waits, after the load, until the worker has folded everything (bounded), and says
  how long that took — the lag a person reading the results would see at the end of a burst.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def pending(target: str, scope: int) -> int:
    from gongjiang.core.counters import CounterDelta

    return CounterDelta.objects.filter(target=target, scope=scope).count()


class Watch(threading.Thread):
    def __init__(self, target: str, scope: int, every: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.target, self.scope, self.every = target, scope, every
        self.samples: list[int] = []
        self._halt = threading.Event()

    def run(self) -> None:
        from django.db import connections

        try:
            while not self._halt.wait(self.every):
                self.samples.append(pending(self.target, self.scope))
        finally:
            connections.close_all()

    def finish(self) -> dict[str, Any]:
        self._halt.set()
        self.join(timeout=10)
        return {
            "samples": len(self.samples),
            "max_pending": max(self.samples, default=0),
            "mean_pending": round(sum(self.samples) / len(self.samples), 1) if self.samples else 0,
        }


def drain(target: str, scope: int, timeout: float = 120.0) -> dict[str, Any]:
    """Wait for the worker to fold the scope's queue; ``seconds_to_fold_the_rest`` is None when
    it did not within ``timeout``."""
    at_end = left = pending(target, scope)
    started = time.monotonic()
    while left and time.monotonic() - started < timeout:
        time.sleep(0.5)
        left = pending(target, scope)
    return {
        "pending_at_end_of_load": at_end,
        "seconds_to_fold_the_rest": None if left else round(time.monotonic() - started, 1),
        "left_after_wait": left,
    }


def debug_flags(env: dict[str, str]) -> dict[str, Any]:
    """DEBUG of this process and of the server and worker started with ``env`` (as production:
    off; with DEBUG, Django keeps every SQL statement in memory)."""
    from django.conf import settings

    return {"bench": settings.DEBUG, "server_and_worker": env.get("DEBUG") not in ("0", "", None)}
