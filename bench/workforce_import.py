"""Benchmark of the roster import (issue #3 §5), on PostgreSQL.

    .venv/bin/python bench/workforce_import.py [--rows 1000000] [--preload 1000000] [--skip-xlsx] [--breakdown] [--no-memory] [--no-rollups]

1. makes (or reuses) the database ``gj_bench_workforce`` and migrates it;
2. preloads ``--preload`` other workers into another enterprise (so the upsert runs against a big table)
   and builds the dashboard rollups, as production has them (``--no-rollups`` leaves them unbuilt, so
   the imports do no rollup upkeep);
3. writes a roster of ``--rows`` workers with valid citizen IDs as .xlsx (xlsxwriter) and as UTF-8 CSV;
4. times the end-to-end import of the .xlsx (read with calamine, parse and validate every row,
   encrypt, upsert in 5,000-row batches with COPY + INSERT … ON CONFLICT, history rows, audit);
5. times the floor of any importer on this schema: a bare COPY of the same rows, already prepared
   (encrypted, hashed, with pinyin), into workforce_worker with its indexes and foreign keys;
6. deletes those workers, times the end-to-end import of the CSV, and a bare ``COPY`` of the same CSV
   into an empty table of text columns; prints the rows/s and the CSV/COPY ratio;
7. imports each file again in a fresh process and prints its peak RSS and that of the child that
   reads the workbook (``--no-memory`` skips this), and the time to read the .xlsx through the
   bounded reader against calamine in-process;
8. with ``--breakdown``, shows where the floor's time goes: the same COPY with everything in place,
   without the foreign keys, with the primary key as the only index, and into the bare heap.

Set DATABASE_URL to use another server (the database name is replaced by gj_bench_workforce, or
by BENCH_DATABASE).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
DB_NAME = os.environ.get("BENCH_DATABASE", "gj_bench_workforce")
os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + DB_NAME
sys.path.insert(0, str(ROOT / "bench"))
from _env import describe, production_environ  # noqa: E402

production_environ()  # DEBUG off and keys stable per bench database, also for the child processes

HEADER = ["姓名", "身份证号", "性别", "出生日期", "手机号", "工种", "技能等级", "入职日期", "工号"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文斌鹏辉宇浩凯健俊帆帅旭宁龙林欣晨阳春雪梅兰海波峰亮成"
LEVELS = ["", "初级工", "中级工", "四级", "高级工", "三级/高级工", "技师", "高级技师"]
OCCUPATIONS = ["焊工", "车工", "钳工", "电工", "装配钳工", "工具钳工", "汽车装调工", "化工总控工"]


def _ensure_database() -> None:
    import psycopg

    admin = BASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def citizen_id(n: int, half: int) -> str:
    """A valid, unique ID: births spread over 1965–2003, sequence numbers 000–499 (half 0) or 500–999."""
    from gongjiang.core.validators import citizen_id_check_digit

    day, seq = divmod(n, 500)
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=day % 14000)
    body = f"110105{birth:%Y%m%d}{seq + 500 * half:03d}"
    return body + citizen_id_check_digit(body)


def roster_rows(count: int, half: int, seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    for i in range(count):
        number = citizen_id(i, half)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        hire = dt.date(birth.year + 20 + i % 15, 1 + i % 12, 1 + i % 28)
        yield [
            name,
            number,
            "男" if int(number[16]) % 2 else "女",
            birth.isoformat(),
            f"13{i % 10}{i:08d}"[:11],
            OCCUPATIONS[i % len(OCCUPATIONS)],
            LEVELS[i % len(LEVELS)],
            hire.isoformat(),
            f"E{i:07d}",
        ]


def write_files(count: int, directory: Path, skip_xlsx: bool) -> tuple[Path, Path]:
    csv_path = directory / f"roster-{count}.csv"
    xlsx_path = directory / f"roster-{count}.xlsx"
    if not csv_path.exists():
        with open(csv_path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(roster_rows(count, 1, 1))
    if not skip_xlsx and not xlsx_path.exists():
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
        ws = wb.add_worksheet()
        ws.write_row(0, 0, HEADER)
        for r, row in enumerate(roster_rows(count, 1, 1), start=1):
            ws.write_row(r, 0, row)
        wb.close()
    return csv_path, xlsx_path


def preload(count: int, organization) -> None:  # type: ignore[no-untyped-def]
    """Fill the worker table with ``count`` other workers, generated inside PostgreSQL (their
    indexed columns — codes, hashes, names, pinyin — are spread like real ones; the encrypted
    columns hold placeholders: they are never read here)."""
    from django.db import connection, transaction

    from gongjiang.core.enterprises import employer_of_union
    from gongjiang.workforce.models import Worker

    employer = employer_of_union(organization)  # the enterprise the union covers
    have = Worker.objects.filter(organization=organization).count()
    step = 200_000
    for start in range(have, count, step):
        stop = min(count, start + step)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO workforce_worker (code, organization_id, employer_id, team_id, name, name_pinyin, name_initials,
                    citizen_id_encrypted, citizen_id_hash, citizen_id_last4, citizen_id_masked, gender, birth_date,
                    ethnicity, education, political_status, phone_encrypted, phone_masked, phone_hash,
                    employee_number, occupation_id, occupation_edition, job_title, skill_level_id, hire_date,
                    employment_type, status, union_member_since, user_id, created_at, updated_at)
                SELECT substr(md5('code' || g), 1, 12), %s, %s, NULL, '预置职工' || g,
                    translate(substr(md5('py' || g), 1, 12), '0123456789', 'ghijklmnop'),
                    translate(substr(md5('py' || g), 1, 3), '0123456789', 'ghijklmnop'),
                    'g1:placeholder', encode(sha256(('preload' || g)::bytea), 'hex'), lpad((g %% 10000)::text, 4, '0'),
                    '110***********' || lpad((g %% 10000)::text, 4, '0'), CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                    DATE '1965-01-01' + (g %% 14000), '', '', '', '', '', '', 'P' || g, NULL, '', '',
                    (ARRAY['JUNIOR','INTERMEDIATE','SENIOR','TECHNICIAN'])[1 + g %% 4], DATE '1990-01-01' + (g %% 12000),
                    'contract', 'active', NULL, NULL, now(), now()
                FROM generate_series(%s, %s) AS g
                """,
                [organization.pk, employer.pk, start + 1, stop],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE workforce_worker")


def bare_copy(csv_path: Path) -> float:
    from django.db import connection

    cols = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_copy ({cols})")
        started = time.perf_counter()
        with (
            cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            open(csv_path, "rb") as fh,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return elapsed


def prepared_copy(organization) -> float:
    """The floor of any importer on this schema: dump the imported workers (prepared rows:
    encrypted, hashed, pinyin), delete them, and time a bare COPY of those rows back into
    workforce_worker with its indexes and constraints (committed, so the deferred foreign-key
    checks run). Returns seconds."""
    import io

    from django.db import connection, transaction

    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY (SELECT * FROM workforce_worker WHERE organization_id = %s) TO STDOUT",
            [organization.pk],
        ) as copy:
            for chunk in copy:
                buffer.write(chunk)
    clear_target(organization)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy("COPY workforce_worker FROM STDIN") as copy:
            copy.write(buffer.getvalue())
    return time.perf_counter() - started


def floor_breakdown(organization, rows: int = 200_000) -> None:
    """Where PostgreSQL's time goes when rows enter workforce_worker: COPY ``rows`` prepared rows
    (taken from the imported workers) with everything in place, without the foreign keys, with the
    primary key as the only index, and into the bare heap. Each variant runs in a transaction that
    is rolled back (its DDL too); foreign keys are checked at the end of the COPY statement. Prints
    µs of wall time a row (the COPY runs on one backend, so this is its CPU on an idle machine)."""
    import io

    from django.db import connection

    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY (SELECT * FROM workforce_worker WHERE organization_id = %s ORDER BY id LIMIT %s) TO STDOUT",
            [organization.pk, rows],
        ) as copy:
            for chunk in copy:
                buffer.write(chunk)
        clear_target(organization)
        cursor.execute(
            "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'workforce_worker'::regclass"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'workforce_worker' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'workforce_worker'::regclass)"
        )
        plain_indexes = [name for (name,) in cursor.fetchall()]
    data = buffer.getvalue()
    count = data.count(b"\n")
    drop_fks = [
        f'ALTER TABLE workforce_worker DROP CONSTRAINT "{n}"' for n, t in constraints if t == "f"
    ]
    drop_indexes = [
        f'ALTER TABLE workforce_worker DROP CONSTRAINT "{n}"' for n, t in constraints if t == "u"
    ] + [f'DROP INDEX "{n}"' for n in plain_indexes]
    raw = connection.connection
    variants = [
        (f"everything ({len(drop_indexes) + 1} indexes, {len(drop_fks)} foreign keys)", []),
        ("without the foreign keys", drop_fks),
        ("primary key only, foreign keys kept", drop_indexes),
        ("bare heap with its primary key", drop_fks + drop_indexes),
    ]
    print(f"floor breakdown: COPY of {count:,} prepared rows, µs a row")
    for label, ddl in variants:
        raw.autocommit = False
        try:
            with raw.cursor() as cursor:
                for statement in ddl:
                    cursor.execute(statement)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                started = time.perf_counter()
                with cursor.copy("COPY workforce_worker FROM STDIN") as copy:
                    copy.write(data)
                elapsed = time.perf_counter() - started
        finally:
            raw.rollback()
            raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM workforce_worker")
        print(f"  {label:45s} {elapsed / count * 1e6:6.1f}")


def server_settings() -> str:
    from django.db import connection

    names = (
        "shared_buffers",
        "max_wal_size",
        "checkpoint_timeout",
        "wal_compression",
        "synchronous_commit",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
            [list(names)],
        )
        return ", ".join(f"{n}={v}" for n, v in cursor.fetchall())


def clear_target(organization) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from gongjiang.workforce.analytics.rollups import rollups_refresh

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM workforce_skilllevelchange WHERE worker_id IN "
            "(SELECT id FROM workforce_worker WHERE organization_id = %s)",
            [organization.pk],
        )
        cursor.execute("DELETE FROM workforce_worker WHERE organization_id = %s", [organization.pk])
        cursor.execute("VACUUM ANALYZE workforce_worker")
    rollups_refresh([organization.pk])  # the rollups follow the deleted workers (if built)


MEASURE = """
import json, resource, sys
from pathlib import Path
import django
django.setup()
from django.conf import settings
settings.DEBUG = False  # as in production: with DEBUG, Django keeps every SQL statement in memory
from gongjiang.core.models import Organization
from gongjiang.core.actors import SystemActor
from gongjiang.workforce.roster.importer import roster_import
result = roster_import(
    actor=SystemActor("bench"), source=Path(sys.argv[1]),
    organization=Organization.objects.get(code=sys.argv[2]),
)
print(json.dumps({
    "created": result.created, "seconds": result.seconds,
    "worker_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "reader_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    "prepare_mib": result.reader_peak_kib // 1024,
}))
"""


def measure_memory(path: Path, organization) -> dict:  # type: ignore[no-untyped-def]
    """Import ``path`` in a fresh process and return its peak RSS (the importing process, and the
    child that reads a workbook: core/sheet_child.py)."""
    import json
    import subprocess

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), organization.code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def read_overhead(xlsx_path: Path) -> tuple[float, float]:
    """Seconds to read every row of the .xlsx through core.spreadsheets (a child process, rows
    pickled through a pipe) and with calamine in this process (what the reader did before)."""
    from python_calamine import CalamineWorkbook

    from gongjiang.core.spreadsheets import read_rows

    started = time.perf_counter()
    for _row in read_rows(xlsx_path):
        pass
    bounded = time.perf_counter() - started
    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0)
    for _row in sheet.iter_rows():
        pass
    return bounded, time.perf_counter() - started


def _timed(args, actor, target, path: Path, label: str, figures: dict) -> None:  # type: ignore[no-untyped-def]
    """Import ``path`` into the cleared target, then again (every row unchanged)."""
    from gongjiang.workforce.roster.importer import roster_import

    clear_target(target)
    cpu = time.process_time()
    result = roster_import(actor=actor, source=path, organization=target)
    cpu = time.process_time() - cpu
    assert result.created == args.rows, result.as_json(limit=3)
    figures[label] = args.rows / result.seconds
    print(
        f"{label} end to end: {args.rows:,} rows in {result.seconds:.1f} s = {figures[label]:,.0f} rows/s "
        f"(Python CPU of this process {cpu / args.rows * 1e6:.0f} µs/row, load average {os.getloadavg()[0]:.1f})"
    )
    if args.rollups:
        from gongjiang.workforce.analytics.rollups import rollups_verify

        started = time.perf_counter()
        problems = rollups_verify()
        print(
            f"{label}: rollups after the import against a recount: "
            f"{'equal' if not problems else f'{len(problems)} differences: {problems[:3]}'}"
            f" ({time.perf_counter() - started:.1f} s to recount)"
        )
    again = roster_import(actor=actor, source=path, organization=target)
    assert again.unchanged == args.rows, again.as_json(limit=3)
    figures[f"{label} again"] = args.rows / again.seconds
    print(
        f"{label} again, every row unchanged: {figures[f'{label} again']:,.0f} rows/s "
        f"= {figures[f'{label} again'] / figures[label]:.2f} × the first import"
    )


def timed_imports(args, actor, target, csv_path: Path, xlsx_path: Path, figures: dict) -> None:  # type: ignore[no-untyped-def]
    """The timed imports (.xlsx and CSV, each twice), the floor, the ratios, and the bare COPY of
    the CSV."""
    _timed(args, actor, target, csv_path, "csv", figures)
    floor = prepared_copy(target)
    figures["floor"] = args.rows / floor
    print(
        f"floor: COPY of the same {args.rows:,} prepared rows into workforce_worker (its indexes"
        f" and foreign keys, no history rows): {floor:.1f} s = {figures['floor']:,.0f} rows/s"
    )
    if not args.skip_xlsx:
        _timed(args, actor, target, xlsx_path, "xlsx", figures)
    for label in ("xlsx", "csv"):
        if label in figures:
            print(
                f"RATIO {label} end to end / floor = {figures[label]:,.0f} / {figures['floor']:,.0f}"
                f" = {figures[label] / figures['floor']:.2f} × (goal ≥ 0.75 ×)"
            )
    copy_seconds = bare_copy(csv_path)
    figures["copy"] = args.rows / copy_seconds
    print(f"bare COPY of the CSV into a table of text columns: {figures['copy']:,.0f} rows/s")


def machine() -> str:
    """The CPU as /proc/cpuinfo names it, the cores, and the load now."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--preload", type=int, default=1_000_000)
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="after the imports, show where the floor's time goes (see floor_breakdown)",
    )
    parser.add_argument(
        "--no-memory",
        action="store_false",
        dest="memory",
        help="skip the peak-memory imports (each file imported again in a fresh process)",
    )
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the peak-memory imports and the reading overhead (no timed imports, no COPY)",
    )
    parser.add_argument(
        "--no-rollups",
        action="store_false",
        dest="rollups",
        help="leave the dashboard rollups unbuilt (production builds them, so by default they are)",
    )
    parser.add_argument("--dir", default=str(ROOT / "gongjiang-data" / "bench"))
    args = parser.parse_args()
    _ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(describe(), flush=True)
    from gongjiang.core.actors import SystemActor
    from gongjiang.core.demo import _uscc
    from gongjiang.core.models import Organization
    from gongjiang.core.services import organization_create

    actor = SystemActor("bench")

    def org(parent, name, kind, region, **extra):  # type: ignore[no-untyped-def]
        return Organization.objects.filter(name=name).first() or organization_create(
            actor=actor, parent=parent, name=name, kind=kind, region=region, audit=False, **extra
        )

    national = org(None, "全国（基准）", "national", "110000")
    target = org(
        national,
        "导入目标企业",
        "enterprise",
        "110105",
        industry="3711",
        uscc=_uscc("bench-target"),
    )
    other = org(
        national, "预置职工企业", "enterprise", "110105", industry="3711", uscc=_uscc("bench-other")
    )
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    preload(args.preload, other)
    print(f"preloaded {args.preload:,} other workers ({time.perf_counter() - started:.1f} s)")
    if args.rollups:  # as in production: the imports keep the rollups current as they write
        from gongjiang.workforce.analytics.rollups import rollups_rebuild

        started = time.perf_counter()
        rollups_rebuild()
        print(f"rollups built ({time.perf_counter() - started:.1f} s); imports keep them current")
    else:
        print("rollups not built (--no-rollups): the imports do no rollup upkeep")
    started = time.perf_counter()
    csv_path, xlsx_path = write_files(args.rows, directory, args.skip_xlsx)
    print(
        f"roster files ready ({time.perf_counter() - started:.1f} s): {csv_path.name}, {xlsx_path.name}"
    )
    print(f"machine: {machine()}")
    print(f"server: {server_settings()}")
    figures: dict[str, float] = {}
    if not args.memory_only:
        timed_imports(args, actor, target, csv_path, xlsx_path, figures)
    if args.memory:
        for path in ([] if args.skip_xlsx else [xlsx_path]) + [csv_path]:
            clear_target(target)
            m = measure_memory(path, target)
            assert m["created"] == args.rows, m
            print(
                f"peak RSS, {path.suffix} import of {args.rows:,} rows in a fresh process: "
                f"importing process {m['worker_mib']:,} MiB, the process that reads and prepares "
                f"the rows {m['prepare_mib']:,} MiB, largest child (ru_maxrss of the children: the "
                f"preparing one, the workbook reader) {m['reader_mib']:,} MiB "
                f"({args.rows / m['seconds']:,.0f} rows/s)"
            )
        if not args.skip_xlsx:
            bounded, direct = read_overhead(xlsx_path)
            print(
                f"reading the .xlsx: {bounded:.1f} s through the bounded reader (child process), "
                f"{direct:.1f} s with calamine in this process"
            )
    if args.breakdown:
        floor_breakdown(target)
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
