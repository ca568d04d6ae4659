"""Profile one fast-path submission per part, independently of the machine's load.

The contest answer (``members/contest_fast.py``) and the survey answer (``surveys/answer_fast.py``)
are run in this process through Django's WSGI handler (the whole middleware stack, as
``gongjiang serve`` calls it, minus gunicorn's HTTP parsing, which the bare view pays alike),
each by a fresh worker's session as in the load benchmarks' saturated phase, against PostgreSQL.
What is measured is CPU time, not wall time, so other jobs on the machine change it little:

* **this process**: ``time.thread_time_ns`` around each part of the fast path (request parsing,
  the session, the read, the user check, grading or answer checking, the write, the response, the
  WSGI handler around them), exclusive of the parts nested inside;
* **the PostgreSQL backend**: the CPU time of the connection's server process
  (``/proc/<pid>/schedstat``) around each statement, commit included (the fast path's statements
  run in autocommit), in a separate pass so that reading it is not counted as the client's;
* the bare view ``/healthz`` the same way, for the ratio.

Run::

    PYTHONPATH=src .venv/bin/python bench/hotpath_profile.py --requests 300

It prints one JSON object; ``--cprofile N`` also prints the N most expensive functions of the
contest and the survey answer (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _env  # noqa: E402  (the product as production runs it: DEBUG off)
import learning_exam_load as exam  # noqa: E402  (database set-up, the CSRF token)
import members_contest_load as contest_bench  # noqa: E402
import surveys_answer_load as survey_bench  # noqa: E402
import surveys_results as survey_results  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_e_prof"


# ------------------------------------------------------------------------------- timing
class Parts:
    """Exclusive thread CPU per named part (nested parts are subtracted from their parent)."""

    def __init__(self) -> None:
        self.ns: dict[str, int] = defaultdict(int)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack: list[list[int]] = []  # [start, children's inclusive time]
        self.on = False

    def run(self, name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self.on:
            return fn(*args, **kwargs)
        frame = [time.thread_time_ns(), 0]
        self.stack.append(frame)
        try:
            return fn(*args, **kwargs)
        finally:
            inclusive = time.thread_time_ns() - frame[0]
            self.stack.pop()
            if self.stack:
                self.stack[-1][1] += inclusive
            self.ns[name] += inclusive - frame[1]
            self.calls[name] += 1

    def wrap(self, module: Any, attr: str, name: str) -> None:
        original = getattr(module, attr)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return self.run(name, original, *args, **kwargs)

        setattr(module, attr, wrapped)

    def reset(self) -> None:
        self.ns.clear()
        self.calls.clear()


def statement_label(sql: str) -> str:
    s = " ".join(sql.split())[:60].lower()
    if "session_data" in s:
        return "sql: session row"
    if s.startswith("with done as") or s.startswith("with "):
        return "sql: write (one statement, autocommit)"
    if s.startswith("select 1"):
        return "sql: SELECT 1"
    if s.startswith("select") and "questions" in s:
        return "sql: questionnaire (once per process)"
    if s.startswith("select"):
        return "sql: decision read"
    return "sql: " + s[:30]


def backend_cpu_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


# ------------------------------------------------------------------------------- requests
def environ(method: str, path: str, cookie: str, key: str | None, body: bytes) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if key is not None:
        env["HTTP_COOKIE"] = f"csrftoken={exam.CSRF}; {cookie}={key}"
        env["HTTP_X_CSRFTOKEN"] = exam.CSRF
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


def call(app: Any, env: dict[str, Any]) -> int:
    status: list[str] = []

    def start_response(s: str, headers: list[Any], exc_info: Any = None) -> None:
        status.append(s)

    response = app(env, start_response)
    try:
        b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()
    return int(status[0].split()[0])


def contest_requests(info: dict[str, Any], keys: list[str]) -> list[dict[str, Any]]:
    rng = random.Random(7)
    out = []
    for key in keys:
        body = json.dumps({"answers": {c: rng.choice("ABCD") for c in info["questions"]}})
        path = f"/api/v1/members/campaigns/{info['campaign']}/answers"
        out.append(environ("POST", path, info["cookie"], key, body.encode()))
    return out


def survey_requests(info: dict[str, Any], keys: list[str]) -> list[dict[str, Any]]:
    out = []
    for i, key in enumerate(keys):
        rng = random.Random(i)
        body = json.dumps({"answers": survey_results.random_answers(rng, info["questions"])})
        path = f"/api/v1/surveys/mine/{info['survey']}/responses"
        out.append(environ("POST", path, info["cookie"], key, body.encode()))
    return out


def read_first(app: Any, kind: str, info: dict[str, Any]) -> None:
    """Each worker reads what it will answer (the full path, untimed): the read pins its session."""
    if kind == "contest":
        path = f"/api/v1/members/campaigns/{info['campaign']}"
    else:
        path = f"/api/v1/surveys/mine/{info['survey']}"
    for key in info["keys"]:
        status = call(app, environ("GET", path, info["cookie"], key, b""))
        if status != 200:
            raise SystemExit(f"{path}: {status}, expected 200")


# ------------------------------------------------------------------------------- passes
def measure(
    app: Any, envs: list[dict[str, Any]], expect: int, parts: Parts | None, backend: bool
) -> dict[str, Any]:
    """Run the requests; thread CPU of each whole request (and per part / per statement)."""
    from django.db import connection

    totals: list[int] = []
    backend_totals: list[int] = []
    per_statement: dict[str, int] = defaultdict(int)
    statements: dict[str, int] = defaultdict(int)

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        label = statement_label(sql)
        statements[label] += 1
        if backend:
            pid = connection.connection.info.backend_pid
            b0 = backend_cpu_ns(pid)
            try:
                return execute(sql, params, many, context)
            finally:
                per_statement[label] += backend_cpu_ns(pid) - b0
        if parts is not None:
            return parts.run(label, execute, sql, params, many, context)
        return execute(sql, params, many, context)

    # the connection is opened (and kept, CONN_MAX_AGE) by a first request outside the figures
    with connection.execute_wrapper(wrapper):
        if parts is not None:
            parts.on = True
        for env in envs:
            env["wsgi.input"].seek(0)
            if backend and connection.connection is not None:
                pid = connection.connection.info.backend_pid
                b0 = backend_cpu_ns(pid)
            t0 = time.thread_time_ns()
            status = call(app, env)
            t1 = time.thread_time_ns()
            if backend and connection.connection is not None:
                backend_totals.append(backend_cpu_ns(pid) - b0)
            if status != expect:
                raise SystemExit(f"{env['PATH_INFO']}: {status}, expected {expect}")
            totals.append(t1 - t0)
        if parts is not None:
            parts.on = False
    n = len(envs)
    out: dict[str, Any] = {
        "requests": n,
        "client_cpu_ms_median": round(statistics.median(totals) / 1e6, 3),
        "client_cpu_ms_mean": round(statistics.fmean(totals) / 1e6, 3),
        "statements_per_request": {k: round(v / n, 2) for k, v in statements.items()},
    }
    if backend:
        out["backend_cpu_ms_mean"] = round(statistics.fmean(backend_totals) / 1e6, 3)
        out["backend_cpu_ms_median"] = round(statistics.median(backend_totals) / 1e6, 3)
        out["backend_cpu_ms_per_statement"] = {
            k: round(v / n / 1e6, 3) for k, v in per_statement.items()
        }
    if parts is not None:
        whole = sum(totals)
        named = sum(parts.ns.values())
        breakdown = {k: round(v / n / 1e6, 3) for k, v in sorted(parts.ns.items())}
        breakdown["Django WSGI handler, middleware, signals (the rest)"] = round(
            (whole - named) / n / 1e6, 3
        )
        out["client_cpu_ms_per_part"] = breakdown
    return out


def instrument(parts: Parts, kind: str) -> None:
    from gongjiang.core import hotpath

    if kind == "contest":
        from gongjiang.members import contest_fast as fast
    else:
        from gongjiang.surveys import answer_fast as fast
    names = {
        "plain_json_body": "parse: CSRF check, body, JSON",
        "_plain_answers": "parse: answers' shape",
        "session_facts": "session: decode and check",
        "session_user_holds": "auth: user still holds the session (hash)",
        "pin_session": "auth: pin the session",
        "json_response": "response body",
        "client_address": "client address",
    }
    if kind == "contest":
        names["grade"] = "grading"
    else:
        names["clean_answers"] = "answers checked (clean_answers)"
        names["strata_of"] = "strata and cells"
        names["counted"] = "counted answers (payload)"
    for attr, label in names.items():
        if hasattr(fast, attr):
            parts.wrap(fast, attr, label)
    # the write's own Python (parameters, JSON of the columns) apart from its statement
    for attr in ("_write", "_write_params"):
        if hasattr(fast, attr):
            parts.wrap(fast, attr, "write: parameters")
    if hasattr(fast, "rollups"):
        parts.wrap(fast.rollups, "cells_of", "strata and cells")
    # the handler's own lines (unpacking the read, the decision) apart from what it calls
    for i, (method, pattern, handler) in enumerate(hotpath._HANDLERS):
        if handler.__module__ == fast.__name__ and not getattr(handler, "_timed", False):

            def timed(request: Any, match: Any, _h: Any = handler) -> Any:
                return parts.run("fast path: the handler's own lines", _h, request, match)

            timed._timed = True  # type: ignore[attr-defined]
            hotpath._HANDLERS[i] = (method, pattern, timed)


def profile(app: Any, envs: list[dict[str, Any]], expect: int, top: int) -> str:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    for env in envs:
        env["wsgi.input"].seek(0)
        prof.enable()
        status = call(app, env)
        prof.disable()
        if status != expect:
            raise SystemExit(status)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


class _HoldNothing(dict):  # type: ignore[type-arg]
    """``contest_fast._GRADED`` as before the one-statement entry: nothing is ever held."""

    def get(self, key: Any, default: Any = None) -> Any:
        return default

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def alternate(
    app: Any, chunks: list[list[dict[str, Any]]], expect: int, parts: Parts
) -> dict[str, Any]:
    """The pinned contest answer before and after the one-statement entry, alternately (plain,
    per part, backend), each pass on fresh pinned workers."""
    from gongjiang.members import contest_fast

    held = contest_fast._GRADED
    runs: dict[str, dict[str, list[Any]]] = {
        v: {"plain": [], "parts": [], "backend": []} for v in ("before", "after")
    }
    it = iter(chunks)
    try:
        while True:
            for variant in ("before", "after"):
                contest_fast._GRADED = _HoldNothing() if variant == "before" else held
                runs[variant]["plain"].append(measure(app, next(it), expect, None, False))
                parts.reset()
                runs[variant]["parts"].append(measure(app, next(it), expect, parts, False))
                runs[variant]["backend"].append(measure(app, next(it), expect, None, True))
    except StopIteration:
        pass
    finally:
        contest_fast._GRADED = held
    out: dict[str, Any] = {}
    for variant, r in runs.items():
        out[variant] = {
            "client_cpu_ms_median_per_pass": [p["client_cpu_ms_median"] for p in r["plain"]],
            "backend_cpu_ms_mean_per_pass": [p["backend_cpu_ms_mean"] for p in r["backend"]],
            "statements_per_request": r["plain"][0]["statements_per_request"] if r["plain"] else {},
            "backend_cpu_ms_per_statement": [
                p["backend_cpu_ms_per_statement"] for p in r["backend"]
            ],
            "client_cpu_ms_per_part": [p["client_cpu_ms_per_part"] for p in r["parts"]],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--requests", type=int, default=300, help="per pass and per kind")
    parser.add_argument("--which", choices=["both", "contest", "survey"], default="both")
    parser.add_argument("--cprofile", type=int, default=0, help="print the top N functions")
    parser.add_argument(
        "--pinned",
        action="store_true",
        help="each worker reads the questionnaire / the contest first (untimed), as a phone does "
        "before it submits: the read pins the session (core.auth.session_pins)",
    )
    parser.add_argument(
        "--alternate",
        type=int,
        default=0,
        help="with --pinned: N alternating pairs of passes of the contest answer before (the read, "
        "then the write: two round trips) and after (one statement: the process holds the "
        "campaign's graded versions), in the same run",
    )
    args = parser.parse_args()

    exam.ensure_database(args.database_url)
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "aW5zZWN1cmUtYmVuY2gta2V5LTAxMjM0NTY3ODlhYmM=")
    os.environ.setdefault("SECRET_KEY", "bench-profile-secret-key-0123456789abcdef0123456789")
    _env.production_environ(args.database_url)
    exam.django_setup(args.database_url)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    n = args.requests
    passes = 3 + (1 if args.cprofile else 0)  # warm-up + plain + parts + backend (+ cProfile)
    passes += 6 * args.alternate  # before / after: plain, parts and backend each
    result: dict[str, Any] = {
        "debug": settings.DEBUG,
        "machine": _env.machine(),
        "load_average_before": exam.loadavg(),
        "pinned": args.pinned,
    }
    kinds = ["contest", "survey"] if args.which == "both" else [args.which]
    for kind in kinds:
        t0 = time.monotonic()
        if kind == "contest":
            info = contest_bench.set_up((passes + 1) * n, 10)
            envs = contest_requests(info, info["keys"])
            expect = 201
        else:
            info = survey_bench.set_up((passes + 1) * n)
            envs = survey_requests(info, info["keys"])
            expect = 200
        if args.pinned:
            read_first(app, kind, info)
        chunks = [envs[i * n : (i + 1) * n] for i in range(passes + 1)]
        out: dict[str, Any] = {"setup_seconds": round(time.monotonic() - t0, 1)}
        measure(app, chunks[0], expect, None, False)  # warm-up: connection, caches, pins none
        out["plain"] = measure(app, chunks[1], expect, None, False)
        parts = Parts()
        instrument(parts, kind)
        out["parts"] = measure(app, chunks[2], expect, parts, False)
        out["backend"] = measure(app, chunks[3], expect, None, True)
        if args.cprofile:
            out["cprofile"] = profile(app, chunks[4], expect, args.cprofile)
        if kind == "contest" and args.alternate:
            out["alternating"] = alternate(
                app, chunks[4 + (1 if args.cprofile else 0) :], expect, parts
            )
        result[kind] = out
    bare = [environ("GET", "/healthz", "", None, b"") for _ in range(n)]
    measure(app, bare, 200, None, False)
    result["bare_view"] = {
        "plain": measure(app, bare, 200, None, False),
        "backend": measure(app, bare, 200, None, True),
    }
    result["load_average_after"] = exam.loadavg()
    cprofiles = {k: result[k].pop("cprofile") for k in kinds if "cprofile" in result[k]}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for kind, text in cprofiles.items():
        print(f"\n===== cProfile: {kind} =====\n{text}")


if __name__ == "__main__":
    main()
