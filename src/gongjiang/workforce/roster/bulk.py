"""Bulk writes of workers and their history rows: PostgreSQL COPY + upsert, SQLite executemany.

The importer hands over fully prepared rows (tuples in :data:`WORKER_COLUMNS` order). On
PostgreSQL they are COPied into a temporary staging table (dropped at commit) and moved with one
``INSERT … SELECT … ON CONFLICT (citizen_id_hash) DO UPDATE … WHERE <something changed>
RETURNING``; on SQLite the same upsert runs through ``executemany``. History rows are plain inserts
(COPY / executemany). Nothing here loops over the ORM.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from ..models import SkillLevelChange, Transfer, Worker

# the columns an import writes (id, user_id, political_status, union_member_since are left alone)
WORKER_COLUMNS = (
    "code",
    "organization_id",
    "employer_id",
    "team_id",
    "name",
    "name_pinyin",
    "name_initials",
    "citizen_id_encrypted",
    "citizen_id_hash",
    "citizen_id_last4",
    "citizen_id_masked",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "political_status",
    "phone_encrypted",
    "phone_masked",
    "phone_hash",
    "employee_number",
    "occupation_id",
    "occupation_edition",
    "job_title",
    "skill_level_id",
    "hire_date",
    "employment_type",
    "status",
    "created_at",
    "updated_at",
)
# columns an upsert may change on an existing worker (code, hash, created_at … stay)
UPDATABLE = (
    "organization_id",
    "employer_id",
    "team_id",
    "name",
    "name_pinyin",
    "name_initials",
    "ethnicity",
    "education",
    "phone_encrypted",
    "phone_masked",
    "phone_hash",
    "employee_number",
    "occupation_id",
    "occupation_edition",
    "job_title",
    "skill_level_id",
    "hire_date",
)
# compared to tell "changed" (the encrypted phone differs on every encryption: its digest is compared)
COMPARED = tuple(c for c in UPDATABLE if c not in ("phone_encrypted", "phone_masked"))
HISTORY_COLUMNS = (
    "code",
    "worker_id",
    "date",
    "source",
    "source_ref",
    "recorded_by_id",
    "created_at",
)
LEVEL_COLUMNS = (*HISTORY_COLUMNS, "from_level_id", "to_level_id", "reason", "reverted")
TRANSFER_COLUMNS = (*HISTORY_COLUMNS, "from_organization_id", "to_organization_id", "reason")

_ALPHABET = b"23456789abcdefghjkmnpqrstuvwxyz"


def new_codes(n: int, length: int = 12) -> list[str]:
    """``n`` codes in the alphabet of core.codes.new_code (from one os.urandom call; the tiny
    modulo bias of 256 % 31 does not matter for identifiers that only need to be unguessable)."""
    raw = os.urandom(n * length)
    table = bytes(_ALPHABET[b % 31] for b in range(256))
    text = raw.translate(table).decode()
    return [text[i : i + length] for i in range(0, n * length, length)]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _upsert_sql(source: str) -> str:
    table = Worker._meta.db_table
    cols = ", ".join(WORKER_COLUMNS)
    sets = (
        ", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATABLE) + ", updated_at = EXCLUDED.updated_at"
    )
    if is_postgres():
        changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in COMPARED)
    else:
        changed = " OR ".join(f"{table}.{c} IS NOT EXCLUDED.{c}" for c in COMPARED)
    return (
        f"INSERT INTO {table} ({cols}) {source} ON CONFLICT (citizen_id_hash) DO UPDATE SET {sets} "
        f"WHERE {changed}"
    )


def upsert_workers(rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert or update workers (by citizen ID hash); returns how many rows were written."""
    if not rows:
        return 0
    with connection.cursor() as cursor:
        if is_postgres():
            stage = "wf_import_stage"
            cols = ", ".join(WORKER_COLUMNS)
            cursor.execute(
                f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols} FROM {Worker._meta.db_table} WITH NO DATA"
            )
            raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
            with raw.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(_upsert_sql(f"SELECT {cols} FROM {stage}") + " RETURNING 1")
            written = cursor.rowcount
            cursor.execute(f"DROP TABLE {stage}")
            return written
        placeholders = ", ".join(["%s"] * len(WORKER_COLUMNS))
        cursor.executemany(_upsert_sql(f"VALUES ({placeholders})"), rows)
        return len(rows)


def upsert_workers_returning(rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
    """Like :func:`upsert_workers`, returning {citizen_id_hash: worker id} of the rows given
    (written or not): RETURNING on PostgreSQL, a lookup on SQLite."""
    if not rows:
        return {}
    hash_at = WORKER_COLUMNS.index("citizen_id_hash")
    if not is_postgres():
        upsert_workers(rows)
        return ids_by_hash([r[hash_at] for r in rows])
    stage = "wf_import_stage"
    cols = ", ".join(WORKER_COLUMNS)
    table = Worker._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            _upsert_sql(f"SELECT {cols} FROM {stage}") + " RETURNING citizen_id_hash, id"
        )
        found = dict(cursor.fetchall())
        cursor.execute(f"DROP TABLE {stage}")
    missing = [r[hash_at] for r in rows if r[hash_at] not in found]  # unchanged rows return nothing
    if missing:
        found.update(ids_by_hash(missing))
    return found


def copy_new_workers(rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
    """PostgreSQL: COPY workers that are not registered yet straight into the table, with ids
    drawn from its sequence first; returns {citizen-ID hash: id}. A worker registered meanwhile
    raises IntegrityError (run it in a savepoint and fall back to the upsert)."""
    if not rows:
        return {}
    table = Worker._meta.db_table
    hash_at = WORKER_COLUMNS.index("citizen_id_hash")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        with (
            connection.wrap_database_errors,  # a duplicate raises Django's IntegrityError
            cursor.cursor.copy(
                f"COPY {table} (id, {', '.join(WORKER_COLUMNS)}) FROM STDIN"
            ) as copy,
        ):
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return {row[hash_at]: pk for pk, row in zip(ids, rows, strict=True)}


def draw_ids(n: int) -> list[int]:
    """PostgreSQL: ``n`` ids from the worker table's sequence (taken for good, rolled back or not)."""
    if not n:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Worker._meta.db_table, n],
        )
        return [r[0] for r in cursor.fetchall()]


def copy_text(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """PostgreSQL: the COPY text data of ``rows``, formatted by psycopg's own formatter (what
    ``copy.write_row`` runs), so that one thread formats and another only streams the bytes."""
    from psycopg._copy_base import format_row_text
    from psycopg.adapt import Transformer

    connection.ensure_connection()
    transformer = Transformer(connection.connection)
    out = bytearray()
    for row in rows:
        format_row_text(row, transformer, out)
    return bytes(out)


def copy_prepared(model: Any, columns: Sequence[str], data: bytes) -> None:
    """PostgreSQL: COPY ``data`` (from :func:`copy_text`, rows in ``columns`` order) into the
    model's table; a duplicate key raises Django's IntegrityError."""
    if not data:
        return
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(
            f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        ) as copy,
    ):
        copy.write(data)


def existing_by_hash(hashes: Sequence[str], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Workers with these citizen-ID hashes: ``columns`` of workforce_worker plus the employer's
    ``organization__path`` (raw SQL: one array parameter on PostgreSQL)."""
    table = Worker._meta.db_table
    org_table = Worker._meta.get_field("organization").related_model._meta.db_table
    cols = ", ".join(f"w.{c}" for c in columns)
    names = [*columns, "organization__path"]
    out: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        for i in range(0, len(hashes), 5000):
            chunk = list(hashes[i : i + 5000])
            if is_postgres():
                where, params = "w.citizen_id_hash = ANY(%s)", [chunk]
            else:
                where, params = f"w.citizen_id_hash IN ({', '.join(['%s'] * len(chunk))})", chunk
            cursor.execute(
                f"SELECT {cols}, o.path FROM {table} w JOIN {org_table} o ON o.id = w.organization_id "
                f"WHERE {where}",
                params,
            )
            out.extend(dict(zip(names, row, strict=True)) for row in cursor.fetchall())
    if not is_postgres():  # SQLite returns dates as text
        from django.utils.dateparse import parse_date

        for row in out:
            for key in ("hire_date", "birth_date"):
                if isinstance(row.get(key), str):
                    row[key] = parse_date(row[key])
    return out


def insert_rows(model: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    table = model._meta.db_table
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if is_postgres():
            raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", rows
            )


def insert_level_changes(rows: Sequence[tuple[Any, ...]]) -> None:
    insert_rows(SkillLevelChange, LEVEL_COLUMNS, rows)


def insert_transfers(rows: Sequence[tuple[Any, ...]]) -> None:
    insert_rows(Transfer, TRANSFER_COLUMNS, rows)


def rehash_stale(citizen_ids: Sequence[str]) -> int:
    """Give workers whose citizen-ID hash is still under an older key (a key rotation under way)
    the newest key's hash; returns how many. Costs nothing when one key is configured."""
    from gongjiang.core import crypto

    if len(crypto.keyed_hashes("")) < 2:
        return 0
    newest_of: dict[str, str] = {}
    for cid in citizen_ids:
        newest, *older = crypto.keyed_hashes(cid)
        for old in older:
            newest_of[old] = newest
    stale = list(newest_of)
    moved = 0
    for i in range(0, len(stale), 5000):
        found = Worker.objects.filter(citizen_id_hash__in=stale[i : i + 5000]).values_list(
            "pk", "citizen_id_hash"
        )
        for pk, old in found:
            moved += Worker.objects.filter(pk=pk).update(citizen_id_hash=newest_of[old])
    return moved


def ids_by_hash(hashes: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(hashes), 5000):
        out.update(
            Worker.objects.filter(citizen_id_hash__in=hashes[i : i + 5000]).values_list(
                "citizen_id_hash", "id"
            )
        )
    return out
