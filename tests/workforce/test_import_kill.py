"""An import killed between batches leaves no half-written worker; running it again completes it.

The CLI runs in a subprocess against a database of its own, so the subprocess sees committed data
only — as after a real crash: a file SQLite database always, and, when the suite runs on PostgreSQL,
a fresh PostgreSQL database too (there the batches are written by the importer's background writer
thread while the next batch is read). The hook
``GONGJIANG_IMPORT_PAUSE_AFTER_BATCH=k`` makes the importer report on stderr that batch k was
committed and sleep; the test kills the process (SIGKILL) right then.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import valid_uscc

from .helpers import unique_id, write_roster

ROOT = Path(__file__).resolve().parents[2]
GONGJIANG = [sys.executable, "-m", "gongjiang.cli"]


def _env(db: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DEBUG": "1",
            "DATABASE_URL": db,
            "DJANGO_SETTINGS_MODULE": "gongjiang.settings",
            "PYTHONPATH": str(ROOT / "src"),
            **extra,
        }
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GONGJIANG, *args], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for the subprocesses (a fresh PostgreSQL database is dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the suite runs on SQLite")
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name}_kill_{os.getpid()}"
    admin = f"{base}/postgres".replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _query(db: str, sql: str) -> list[tuple[Any, ...]]:
    if db.startswith("sqlite:///"):
        with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(db.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.slow
def test_kill_between_batches_then_rerun(tmp_path: Path, database: str) -> None:
    db = database
    env = _env(db)
    assert _run(["migrate", "-v0"], env).returncode == 0
    setup = (
        "from gongjiang.core.services import organization_create as c\n"
        "from gongjiang.core.actors import SYSTEM as s\n"
        "n = c(actor=s, parent=None, name='全总', kind='national', region='110000', audit=False)\n"
        "e = c(actor=s, parent=n, name='企业', kind='enterprise', region='110105', industry='3711',"
        f" uscc='{valid_uscc(987654)}', audit=False)\n"
        "print(e.code)\n"
    )
    made = _run(["shell", "-c", setup], env)
    assert made.returncode == 0, made.stderr
    org = made.stdout.strip().splitlines()[-1]
    rows = [[f"工人{i}", unique_id(500 + i), "", "", "", "高级工"] for i in range(50)]
    path = write_roster(
        tmp_path / "r.csv",
        rows,
        header=["姓名", "身份证号", "性别", "出生日期", "手机号", "技能等级"],
    )

    paused = _env(db, GONGJIANG_IMPORT_BATCH_SIZE="10", GONGJIANG_IMPORT_PAUSE_AFTER_BATCH="2")
    proc = subprocess.Popen(
        [*GONGJIANG, "import-workers", str(path), "--org", org, "--json"],
        env=paused,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stderr is not None
    line = ""
    for line in proc.stderr:  # wait for "batch 2 committed"
        if "batch 2 committed" in line:
            break
    assert "batch 2 committed" in line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    workers = _query(db, "SELECT id FROM workforce_worker")
    history = _query(db, "SELECT COUNT(DISTINCT worker_id) FROM workforce_skilllevelchange")[0][0]
    complete = _query(
        db,
        "SELECT COUNT(*) FROM workforce_worker WHERE name <> '' AND citizen_id_encrypted <> ''"
        " AND skill_level_id = 'SENIOR' AND name_pinyin <> ''",
    )[0][0]
    assert len(workers) == 20  # two whole batches, nothing of the third
    assert history == 20 and complete == 20

    again = _run(
        ["import-workers", str(path), "--org", org, "--json"],
        _env(db, GONGJIANG_IMPORT_BATCH_SIZE="10"),
    )
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert (data["created"], data["updated"], data["unchanged"]) == (30, 0, 20)
    third = _run(["import-workers", str(path), "--org", org, "--json"], env)
    assert json.loads(third.stdout)["unchanged"] == 50
