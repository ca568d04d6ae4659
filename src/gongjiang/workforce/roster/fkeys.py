"""Foreign keys of an import batch checked once per batch, set-based, instead of once per row.

On PostgreSQL every foreign key of ``workforce_worker`` and of the history tables is a trigger that
runs one lookup per written row; Django declares them ``DEFERRABLE INITIALLY DEFERRED``, so for a
5,000-row batch some 20,000 lookups queue up and run at commit (measured at 15–25 µs of the
server's CPU a row, a third of what the import may spend: docs/workforce.md).

The importer already resolves every reference of a batch against its own tables (employer, team,
occupation, skill level) and takes worker ids from its own upsert. So, when the database role may
do it, a batch's worker and history writes run with ``session_replication_role = replica`` (which
fires no triggers, among them the foreign-key checks), and integrity is kept by :func:`verify`
instead: before the rows are written, one ``SELECT … FOR KEY SHARE`` per foreign-key column over
the batch's distinct values. It refuses the batch if any value is missing (the same
``IntegrityError`` the deferred check would raise at commit, naming the column and the value), and
its row locks are the ones the trigger would take, so no referenced row can be deleted or have its
key changed before the batch commits.

Only the worker and history writes run that way (:func:`relax` … :func:`restore`): the rollups, the change hooks and
the audit row of the batch are written with every check in place. The role must be a superuser or
(PostgreSQL 15+) hold ``GRANT SET ON PARAMETER session_replication_role``; otherwise, on SQLite,
or with ``GONGJIANG_IMPORT_FK_CHECKS=row``, the database checks every row as usual.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, connection

from ..models import SkillLevelChange, Transfer, Worker

MODE = os.environ.get("GONGJIANG_IMPORT_FK_CHECKS", "batch")


def references(model: Any, columns: Sequence[str]) -> list[tuple[int, str, str, str]]:
    """(position in ``columns``, column, referenced table, referenced column) of each foreign key
    among ``columns``."""
    out = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.column in columns and field.db_constraint:
            target = field.target_field
            out.append(
                (
                    columns.index(field.column),
                    field.column,
                    target.model._meta.db_table,
                    target.column,
                )
            )
    return out


def allowed() -> bool:
    """May this connection check a batch's foreign keys itself (PostgreSQL, and the role may set
    ``session_replication_role``), with no other trigger on the written tables that would be
    skipped too?"""
    if MODE == "row" or connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute(
                "SELECT current_setting('is_superuser') = 'on'"
                " OR has_parameter_privilege('session_replication_role', 'SET')"
            )
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgrelid::regclass::text = ANY(%s)",
            [[m._meta.db_table for m in (Worker, SkillLevelChange, Transfer)]],
        )
        return cursor.fetchone()[0] == 0


def verify(model: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Refuse (IntegrityError) rows whose foreign-key values do not all exist; lock those that do
    against deletion and key changes until the transaction ends (``FOR KEY SHARE``)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        for at, column, table, target in references(model, columns):
            wanted = {row[at] for row in rows if row[at] is not None}
            if not wanted:
                continue
            cursor.execute(
                f'SELECT "{target}" FROM "{table}" WHERE "{target}" = ANY(%s) FOR KEY SHARE',
                [sorted(wanted)],
            )
            missing = wanted - {r[0] for r in cursor.fetchall()}
            if missing:
                value = sorted(missing, key=str)[0]
                raise IntegrityError(
                    f'insert into "{model._meta.db_table}" violates a foreign key: '
                    f'{column}={value!r} is not present in "{table}"'
                    + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                )


def relax() -> None:
    """Within a transaction: fire no triggers (so no per-row foreign-key checks) until
    :func:`restore`. Every write in between must have passed :func:`verify`. Should an error come
    first, the setting is undone with the savepoint or transaction that the caller's ``atomic``
    rolls back (``SET LOCAL`` is transactional)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")


def restore() -> None:
    """Every trigger fires again (the end of what :func:`relax` began)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
