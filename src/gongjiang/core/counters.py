"""Counters that scale: an answer queues its increments, a job folds them into the rollups.

A rollup row that every answer of a national survey or contest adds to (the survey's ``all``
counters, a province's tally) is the one row all of them would wait for if each answer updated
it in its own transaction. Instead:

* **Queue.** The answering transaction only INSERTs one ``CounterDelta`` row: the target (which
  rollup tables, ``surveys.rollup``, ``members.contest``), the scope (the survey's or campaign's
  id) and a small payload from which the target derives its rows and increments. No shared row is
  updated, so concurrent answers never wait on each other's locks. The delta commits with the
  answer or not at all.
* **Fold.** ``counters_fold`` takes a batch of deltas in one short transaction — on PostgreSQL
  ``SELECT … FOR UPDATE SKIP LOCKED``, so parallel folders take disjoint batches; SQLite has one
  writer at a time (``transaction_mode IMMEDIATE``) and takes the simple path — expands them
  through their target, sums the increments per rollup row, writes each table with one
  ``INSERT … ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n`` (rows in key order: two folders lock
  shared rows in the same order, so they never deadlock) and deletes the deltas it folded, in the
  same transaction.
* **Exactly once.** A delta is counted iff it is deleted: the increments and the delete commit
  together or roll back together (a folder that dies leaves the deltas for the next). A delta
  locked by one folder is skipped by the others; one already deleted is not returned to a folder
  that waited for it (READ COMMITTED re-checks the row). A delta inserted during a fold is not in
  its batch (not yet committed, or not selected) and waits for the next fold. So at every instant
  *rollups + pending deltas = everything answered*, and after a fold with nothing left pending the
  rollups equal a recount.

Targets register themselves (``counter_target``) in their app's module, imported by its
``AppConfig.ready``. The periodic job ``core.counters_fold`` (``core/tasks.py``, every 5 s) and
the command ``gongjiang counters-fold`` (until nothing is left) run the fold. Pages show
``counters_freshness``: when the last fold of a scope ran and how many answers are still pending.

A delta has a random key and no timestamp (like a survey ``Response``): its rows carry no order of
arrival that could be matched with the audit log's record of who answered when.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

BATCH = 500  # deltas per fold transaction: short transactions, one upsert per table each
SQLITE_ROWS = 400  # rows per INSERT on SQLite (its bound-parameter limit)


# ------------------------------------------------------------------------------------ tables
class CounterDeltaQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise ValidationError(_("Queued counter increments are never changed."))


class CounterDelta(models.Model):
    """One answer's increments, waiting to be folded into the rollups (append-only: inserted by
    the answer, deleted by the fold that counted it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.CharField(max_length=40)
    scope = models.BigIntegerField()
    payload = models.JSONField()

    objects = CounterDeltaQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["target", "scope"], name="core_counterdelta_scope")]

    def __str__(self) -> str:
        return f"counterdelta {self.target} {self.scope}"


class CounterFold(models.Model):
    """When the deltas of one scope were last folded (the "figures as of" of its pages)."""

    target = models.CharField(max_length=40)
    scope = models.BigIntegerField()
    folded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "scope"], name="core_counterfold_unique")
        ]

    def __str__(self) -> str:
        return f"counterfold {self.target} {self.scope}"


# ---------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class CounterTable:
    """A rollup table the fold adds to: ``key`` names the fields of the unique constraint the
    upsert lands on, ``extra`` fields written when a row is created (functions of the key, such
    as an organisation's path), ``sums`` the fields the increments are added to."""

    model: type[models.Model]
    key: tuple[str, ...]
    sums: tuple[str, ...]
    extra: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, *self.extra, *self.sums)


Row = tuple[Any, ...]  # values of CounterTable.columns, in order
Expand = Callable[[list[tuple[int, Any]]], Iterable[tuple[CounterTable, Row]]]


@dataclass(frozen=True)
class CounterTarget:
    """``expand`` turns a batch of ``(scope, payload)`` into ``(table, row)`` pairs; rows of the
    same key are summed by the fold. ``tables`` are written in this order."""

    name: str
    tables: tuple[CounterTable, ...]
    expand: Expand = field(compare=False)


_TARGETS: dict[str, CounterTarget] = {}


def counter_target(name: str, *, tables: Iterable[CounterTable], expand: Expand) -> CounterTarget:
    """Register a target (at import of the app module that defines it; again: replaced)."""
    if len(name) > 40:
        raise ImproperlyConfigured(f"counter target name {name!r} is longer than 40 characters")
    target = CounterTarget(name=name, tables=tuple(tables), expand=expand)
    _TARGETS[name] = target
    return target


def counter_targets() -> dict[str, CounterTarget]:
    return dict(_TARGETS)


# ----------------------------------------------------------------------------------- queueing
def counter_delta_add(*, target: str, scope: int, payload: Any) -> None:
    """Queue one answer's increments (inside the answering transaction: one INSERT)."""
    if target not in _TARGETS:
        raise ImproperlyConfigured(f"no counter target {target!r}")
    CounterDelta.objects.create(target=target, scope=scope, payload=payload)


# -------------------------------------------------------------------------------------- fold
def _summed(target: CounterTarget, batch: list[tuple[int, Any]]) -> dict[CounterTable, dict]:
    """{table: {key and extra values: [sums]}} of a batch of payloads."""
    out: dict[CounterTable, dict[Row, list[Any]]] = {t: {} for t in target.tables}
    for table, row in target.expand(batch):
        head = len(table.key) + len(table.extra)
        acc = out[table].get(row[:head])
        if acc is None:
            out[table][row[:head]] = list(row[head:])
        else:
            for i, value in enumerate(row[head:]):
                acc[i] += value
    return out


def _upsert(table: CounterTable, rows: dict[Row, list[Any]]) -> None:
    """Add the summed increments to the table: one statement on PostgreSQL (one array per
    column), chunks of ``SQLITE_ROWS`` on SQLite; rows in key order."""
    if not rows:
        return
    meta = table.model._meta
    qn = connection.ops.quote_name
    name = qn(meta.db_table)
    fields = [meta.get_field(c) for c in table.columns]
    cols = ", ".join(qn(f.column) for f in fields)
    conflict = ", ".join(qn(meta.get_field(c).column) for c in table.key)
    sets = ", ".join(
        f"{qn(f.column)} = {name}.{qn(f.column)} + EXCLUDED.{qn(f.column)}"
        for f in fields[len(table.key) + len(table.extra) :]
    )
    upsert = f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    ordered = [(*head, *sums) for head, sums in sorted(rows.items(), key=lambda kv: kv[0])]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [list(column) for column in zip(*ordered, strict=True)]
            casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            names = ", ".join(f"c{i}" for i in range(len(fields)))
            cursor.execute(
                f"INSERT INTO {name} ({cols}) SELECT {names} FROM unnest({casts}) "
                f"WITH ORDINALITY AS t({names}, i) ORDER BY t.i {upsert}",
                arrays,
            )
            return
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(ordered), SQLITE_ROWS):
            chunk = ordered[start : start + SQLITE_ROWS]
            cursor.execute(
                f"INSERT INTO {name} ({cols}) VALUES {', '.join([one] * len(chunk))} {upsert}",
                [v for row in chunk for v in row],
            )


def counters_fold(
    *, batch: int = BATCH, target: str | None = None, scope: int | None = None
) -> int:
    """Fold one batch of pending deltas (of one target and scope, or of all) in one transaction;
    returns how many were folded (0: nothing left that another folder is not holding)."""
    names = [target] if target is not None else sorted(_TARGETS)
    if not names or any(n not in _TARGETS for n in names):
        raise ImproperlyConfigured(f"no counter target {target!r}")
    with transaction.atomic():
        qs = CounterDelta.objects.filter(target__in=names)
        if scope is not None:
            qs = qs.filter(scope=scope)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        picked = list(qs.values_list("pk", "target", "scope", "payload")[:batch])
        if not picked:
            return 0
        by_target: dict[str, list[tuple[int, Any]]] = {}
        for _pk, name, sc, payload in picked:
            by_target.setdefault(name, []).append((sc, payload))
        for name in sorted(by_target):
            target_ = _TARGETS[name]
            for table, rows in _summed(target_, by_target[name]).items():
                _upsert(table, rows)
        CounterDelta.objects.filter(pk__in=[p[0] for p in picked]).delete()
        now = timezone.now()
        CounterFold.objects.bulk_create(
            [
                CounterFold(target=name, scope=sc, folded_at=now)
                for name, sc in sorted({(p[1], p[2]) for p in picked})
            ],
            update_conflicts=True,
            unique_fields=["target", "scope"],
            update_fields=["folded_at"],
        )
    return len(picked)


def counters_fold_all(
    *,
    target: str | None = None,
    scope: int | None = None,
    seconds: float | None = None,
    batch: int = BATCH,
) -> int:
    """Fold batch after batch until nothing is left (or ``seconds`` have passed); returns the
    number of deltas folded."""
    started = time.monotonic()
    total = 0
    while True:
        done = counters_fold(batch=batch, target=target, scope=scope)
        total += done
        if done == 0 or (seconds is not None and time.monotonic() - started >= seconds):
            return total


# ------------------------------------------------------------------------------------ reads
@dataclass(frozen=True)
class Freshness:
    """What a page says beside figures read from folded rollups."""

    pending: int  # answers not yet in the figures
    as_of: dt.datetime  # the last fold of the scope (the time of reading when none ran yet)

    def as_dict(self) -> dict[str, Any]:
        return {"pending": self.pending, "as_of": self.as_of}


def counters_freshness(*, target: str, scope: int) -> Freshness:
    pending = CounterDelta.objects.filter(target=target, scope=scope).count()
    folded = (
        CounterFold.objects.filter(target=target, scope=scope)
        .values_list("folded_at", flat=True)
        .first()
    )
    return Freshness(pending=pending, as_of=folded or timezone.now())


def counters_unfolded(*, target: str, scope: int) -> dict[CounterTable, dict[Row, list[Any]]]:
    """The increments still pending for a scope, summed per rollup row (for checks: rollups plus
    these equal a recount at every instant)."""
    t = _TARGETS[target]
    rows = CounterDelta.objects.filter(target=target, scope=scope).values_list("payload", flat=True)
    return _summed(t, [(scope, p) for p in rows.iterator(chunk_size=2000)])


def counters_discard(*, target: str, scope: int) -> int:
    """Drop the pending deltas of a scope — only for a rebuild that recounts the rollups from the
    answers themselves, in the same transaction, with new answers held back."""
    deleted, _detail = CounterDelta.objects.filter(target=target, scope=scope).delete()
    return deleted


@contextlib.contextmanager
def snapshot() -> Iterator[bool]:
    """A transaction whose reads see one state (PostgreSQL REPEATABLE READ) when it is the
    outermost; yields whether it is. Inside a request's or a test's transaction the isolation level
    is already set: a concurrent commit between two reads may then show as a difference."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield outermost or connection.vendor != "postgresql"
