"""Where a roster import's time goes, per step (issue #19), on PostgreSQL.

    BENCH_DATABASE=gj_prof .venv/bin/python bench/workforce_import_steps.py [--rows 30000]
        [--preload 200000] [--rounds 2] [--writers 1,2] [--general] [--no-rebuild]

Preloads ``--preload`` other workers (as bench/workforce_import.py does), writes a CSV roster of
``--rows`` workers, builds the rollups, then imports the roster ``--rounds`` times into a cleared
enterprise and prints, for every step of a batch (the importing thread's look-up, merge and
preparation; the writer threads' COPY, checks, hooks and audit), per row: the CPU of the
PostgreSQL backend that ran it and its wait in the run queue, the CPU of the thread itself and
its wait, and the wall time (``/proc/<pid>/schedstat``, so the machine's load shows as waits, not
as work). ``--writers 1,2`` alternates the number of writer threads between rounds; ``--general``
alternates the prepared write with the general path. Figures: docs/workforce.md ("the write
prepared in the importing thread").
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("BENCH_DATABASE", "gj_prof")
import workforce_import as wi  # noqa: E402  (sets DATABASE_URL and the production settings)

_local = threading.local()


def _times() -> tuple[float, float, float, float]:
    """(backend CPU, backend run-queue wait, thread CPU, thread run-queue wait) in seconds, for
    the calling thread and its own database connection."""
    from django.db import connection

    if getattr(_local, "conn", None) is not connection.connection or connection.connection is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            _local.pid = cursor.fetchone()[0]
        _local.conn = connection.connection
    with open(f"/proc/{_local.pid}/schedstat", encoding="ascii") as fh:
        cpu, queued, _n = fh.read().split()
    with open(f"/proc/self/task/{threading.get_native_id()}/schedstat", encoding="ascii") as fh:
        tcpu, tqueued, _n = fh.read().split()
    return int(cpu) / 1e9, int(queued) / 1e9, int(tcpu) / 1e9, int(tqueued) / 1e9


STATS: dict[str, list[float]] = collections.defaultdict(lambda: [0.0] * 6)
LOCK = threading.Lock()


def _wrap(owner: Any, name: str, label: str | None = None) -> None:
    fn: Callable[..., Any] = getattr(owner, name)
    label = label or f"{getattr(owner, '__name__', '?').rsplit('.', 1)[-1]}.{name}"

    def timed(*args: Any, **kwargs: Any) -> Any:
        before, wall = _times(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            after, wall = _times(), time.perf_counter() - wall
            with LOCK:
                row = STATS[label]
                for i in range(4):
                    row[i] += after[i] - before[i]
                row[4] += wall
                row[5] += 1

    setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--preload", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--writers", default="")
    parser.add_argument("--general", action="store_true")
    parser.add_argument("--no-rebuild", action="store_false", dest="rebuild")
    args = parser.parse_args()
    wi._ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongjiang.core.actors import SystemActor
    from gongjiang.core.demo import _uscc
    from gongjiang.core.models import Organization
    from gongjiang.core.services import organization_create
    from gongjiang.workforce.analytics.rollups import rollups_rebuild
    from gongjiang.workforce.roster import bulk, fkeys, importer

    actor = SystemActor("bench")

    def org(parent: Any, name: str, kind: str, region: str, **extra: Any) -> Any:
        return Organization.objects.filter(name=name).first() or organization_create(
            actor=actor, parent=parent, name=name, kind=kind, region=region, audit=False, **extra
        )

    national = org(None, "全国（基准）", "national", "110000")
    extra = {"industry": "3711"}
    target = org(
        national, "导入目标企业", "enterprise", "110105", uscc=_uscc("bench-target"), **extra
    )
    other = org(
        national, "预置职工企业", "enterprise", "110105", uscc=_uscc("bench-other"), **extra
    )
    wi.preload(args.preload, other)
    directory = HERE.parent / "gongjiang-data" / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, _xlsx = wi.write_files(args.rows, directory, True)
    if args.rebuild:
        rollups_rebuild()
    for name in ("rehash_stale", "existing_by_hash", "copy_new_workers", "copy_prepared"):
        _wrap(bulk, name)
    for name in ("draw_ids", "upsert_workers_returning", "insert_level_changes"):
        _wrap(bulk, name)
    for name in ("verify", "relax", "restore"):
        _wrap(fkeys, name)
    _wrap(importer, "notify")
    _wrap(importer, "audit")
    _wrap(importer.RosterImport, "_prepare", "_prepare (importing thread)")
    _wrap(importer.RosterImport, "_write", "TOTAL _write (a writer thread, with its commit)")
    _wrap(importer.RosterImport, "_batch", "TOTAL _batch (importing thread, with its waits)")
    prepare = importer.RosterImport._prepare
    writers = [int(w) for w in args.writers.split(",") if w] or [importer.WRITERS]
    print(f"machine: {wi.machine()}")
    for rnd in range(args.rounds):
        importer.WRITERS = writers[rnd % len(writers)]
        general = args.general and rnd % 2 == 1
        importer.RosterImport._prepare = (lambda self, *a: None) if general else prepare
        wi.clear_target(target)
        STATS.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        result = importer.roster_import(actor=actor, source=csv_path, organization=target)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert result.created == args.rows, result.as_json(limit=3)
        n = args.rows
        print(
            f"round {rnd} ({importer.WRITERS} writer(s), {'general' if general else 'prepared'}"
            f" write): {n:,} rows in {wall:.1f} s = {n / wall:,.0f} rows/s; process CPU"
            f" {cpu / n * 1e6:.1f} µs a row; load {os.getloadavg()[0]:.1f}"
        )
        print(
            f"{'µs a row':52s} {'server':>7s} {'queued':>7s} {'thread':>7s} {'queued':>7s} {'wall':>7s}"
        )
        for label, row in sorted(STATS.items(), key=lambda kv: -kv[1][4]):
            cells = " ".join(f"{v / n * 1e6:7.1f}" for v in row[:5])
            print(f"{label[:52]:52s} {cells} ({int(row[5])} calls)")


if __name__ == "__main__":
    main()
