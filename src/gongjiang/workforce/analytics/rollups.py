"""Rollups of the workforce registry: kept current, rebuildable, verifiable.

The tables (:mod:`gongjiang.workforce.analytics.rollup_models`) hold counts per employer; the dashboards sum
them. Three ways keep them right:

* :func:`rollups_apply_delta` — the listener of :mod:`gongjiang.workforce.hooks`: every service
  that changes workers (create, update, transfer, skill-level change and revert, roster import)
  calls ``hooks.notify`` inside its transaction, and :func:`on_workers_changed` turns each change
  into −1/+1 on the affected cells. An employer that takes more than :data:`DELTA_LIMIT` of a
  batch's changes and whose changes are at least half its headcount is recounted instead
  (:func:`_recount_employers`), so an import's upkeep grows with the rows it writes, not with the
  number of its batches. Skill-level gains and honours of the employers involved are recounted
  (they depend on history rows, not on the snapshot).
* :func:`rollups_refresh` — recounts only the given employers (set-based ``INSERT … SELECT …
  GROUP BY``); call it after writing workers by any other path.
* :func:`rollups_rebuild` — recounts everything, and moves the as-of date of the age bands to
  today. Run nightly (``gongjiang rollups rebuild``) so age bands stay current.

Two tiers: employer rows (``subtree=False``) are counted from the registry; subtree rows
(``subtree=True``) of every federation or union above the employers are their sums, kept by
carrying each employer-level difference up the tree (:func:`_lift`), so a province's figure reads
a few rows. Subtree rows also hold the employers' totals by the employer's region and industry.
Editing an employer's region or industry, or moving organisations in the tree, is not a worker
change: the nightly rebuild (or ``rollups rebuild`` at once) brings the subtree rows up to date,
and ``rollups verify`` reports them until then.

:func:`rollups_verify` recounts from scratch and lists every difference (``gongjiang rollups verify``).

Age bands are computed at an as-of date stored in :class:`RollupMeta` (the rebuild date); between
rebuilds a worker who has a birthday stays in the band of the as-of date. Deltas and refreshes use
the stored date, so the tables always equal a recount at that date.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..hooks import WorkerChange, register_worker_listener, unregister_worker_listener
from ..models import Honour, SkillLevelChange, Worker
from .rollup_models import HonourRollup, LevelGainRollup, RollupMeta, WorkerRollup

META_KEY = "workers"
DELTA_LIMIT = 500  # an employer taking more of a batch may be recounted (_recount_employers)
AGE_BANDS = ("u25", "25_34", "35_44", "45_54", "55p")
AGE_LIMITS = ((25, "u25"), (35, "25_34"), (45, "35_44"), (55, "45_54"))  # age below limit → band
ACTIVE = Worker.Status.ACTIVE.value
CELL_DIMS = ("status", "total", "gender", "age", "emp", "occ")

W = Worker._meta.db_table
C = SkillLevelChange._meta.db_table
H = Honour._meta.db_table
R_CELL = WorkerRollup._meta.db_table
R_GAIN = LevelGainRollup._meta.db_table
R_HON = HonourRollup._meta.db_table

Cell = tuple[int, str, str, str]  # (organization_id, dim, key, level)


# ------------------------------------------------------------------------------------ dates
def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band(birth_date: dt.date, as_of: dt.date) -> str:
    for limit, band in AGE_LIMITS:
        if birth_date > years_before(as_of, limit):
            return band
    return "55p"


def age_band_range(band: str, as_of: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(born_after inclusive, born_before exclusive) of the workers in ``band`` at ``as_of``."""
    limits = {
        "u25": (None, 25),
        "25_34": (25, 35),
        "35_44": (35, 45),
        "45_54": (45, 55),
        "55p": (55, None),
    }
    low, high = limits[band]
    after = years_before(as_of, high) + dt.timedelta(days=1) if high else None
    before = years_before(as_of, low) + dt.timedelta(days=1) if low else None
    return after, before


def as_of_date() -> dt.date | None:
    meta = RollupMeta.objects.filter(key=META_KEY).only("as_of").first()
    return meta.as_of if meta else None


# ------------------------------------------------------------------------------------ SQL
def _year(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _org_filter(column: str, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _cell_select(as_of: dt.date, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    where, ids_params = _org_filter("organization_id", ids)
    cases = " ".join(f"WHEN birth_date > %s THEN '{band}'" for _limit, band in AGE_LIMITS)
    band_params = [years_before(as_of, limit) for limit, _band in AGE_LIMITS]
    level = "COALESCE(skill_level_id, '')"
    parts = [
        (
            f"SELECT organization_id, 'status', status, {level}, COUNT(*) FROM {W} WHERE 1=1{where} "
            "GROUP BY 1, 3, 4",
            ids_params,
        ),
    ]
    for dim, expr, params in (
        ("total", "''", []),
        ("gender", "gender", []),
        ("age", f"CASE {cases} ELSE '55p' END", band_params),
        ("emp", "employment_type", []),
        ("occ", "COALESCE(SUBSTR(occupation_id, 1, 4), '')", []),
    ):
        parts.append(
            (
                f"SELECT organization_id, '{dim}', {expr}, {level}, COUNT(*) FROM {W} WHERE status = %s{where} "
                "GROUP BY 1, 3, 4",
                [*params, ACTIVE, *ids_params],
            )
        )
    return " UNION ALL ".join(p[0] for p in parts), [x for p in parts for x in p[1]]


def _gain_select(ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    where, params = _org_filter("w.organization_id", ids)
    sql = (
        f"SELECT w.organization_id, {_year('c.date')}, c.to_level_id, COUNT(*) FROM {C} c "
        f"JOIN {W} w ON w.id = c.worker_id JOIN core_skilllevel t ON t.code = c.to_level_id "
        f"LEFT JOIN core_skilllevel f ON f.code = c.from_level_id "
        f"WHERE c.reverted = %s AND (f.code IS NULL OR t.rank > f.rank){where} "
        "GROUP BY 1, 2, 3"
    )
    return sql, [False, *params]


def _honour_select(ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    where, params = _org_filter("w.organization_id", ids)
    sql = (
        f"SELECT w.organization_id, h.title, h.level, h.year, COUNT(*) FROM {H} h JOIN {W} w ON w.id = h.worker_id "
        f"WHERE h.revoked = %s{where} GROUP BY 1, 2, 3, 4"
    )
    return sql, [False, *params]


PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cells": (R_CELL, ("dim", "key", "level")),
    "gains": (R_GAIN, ("year", "level")),
    "honours": (R_HON, ("title", "honour_level", "year")),
}
AGGREGATE_KINDS_EXCLUDED = ("enterprise", "team")  # every other kind holds subtree rows

Key = tuple[Any, ...]  # (organization_id, *keys)


def _select(part: str, as_of: dt.date, ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if part == "cells":
        return _cell_select(as_of, ids)
    if part == "gains":
        return _gain_select(ids)
    return _honour_select(ids)


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _fill(part: str, as_of: dt.date, ids: Sequence[int] | None) -> None:
    """Recount the employer rows (all, or of these employers)."""
    table, keys = PARTS[part]
    select, params = _select(part, as_of, ids)
    cols = ", ".join(("organization_id", *keys, "n", "subtree"))
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(f"DELETE FROM {table} WHERE subtree = %s", [False])
        else:
            cursor.execute(
                f"DELETE FROM {table} WHERE subtree = %s AND organization_id IN ({_in(ids)})",
                [False, *ids],
            )
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT s.*, %s FROM ({select}) s", [False, *params]
        )


def _read(part: str, ids: Sequence[int] | None, subtree: bool) -> Counter[Key]:
    table, keys = PARTS[part]
    sql = f"SELECT organization_id, {', '.join(keys)}, n FROM {table} WHERE subtree = %s AND n <> 0"
    params: list[Any] = [subtree]
    if ids is not None:
        sql += f" AND organization_id IN ({_in(ids)})"
        params += list(ids)
    out: Counter[Key] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            out[tuple(row[:-1])] += int(row[-1])
    return out


def _employers(org_ids: Iterable[int]) -> dict[int, tuple[list[int], str, str]]:
    """employer id → (ids of the federations/unions above it, its region code, its industry code)."""
    from gongjiang.core.models import Organization

    seg = Organization.SEGMENT
    rows = Organization.objects.filter(pk__in=set(org_ids)).values_list(
        "pk", "path", "region_id", "industry_id"
    )
    info = {pk: (path, region or "", industry or "") for pk, path, region, industry in rows}
    prefixes = {p[:i] for p, _r, _i in info.values() for i in range(seg, len(p), seg)}
    holders = dict(
        Organization.objects.filter(path__in=prefixes)
        .exclude(kind__in=AGGREGATE_KINDS_EXCLUDED)
        .values_list("path", "pk")
    )
    return {
        pk: (
            [holders[p[:i]] for i in range(seg, len(p), seg) if p[:i] in holders],
            region,
            industry,
        )
        for pk, (p, region, industry) in info.items()
    }


def _lift(diff: Counter[Key]) -> Counter[Key]:
    """Employer-level counts → the same counts on every organisation above the employers; the
    employers' totals also by the employer's region and industry (dims "region", "industry")."""
    info = _employers({key[0] for key in diff})
    out: Counter[Key] = Counter()
    for key, n in diff.items():
        if not n or key[0] not in info:
            continue
        above, region, industry = info[key[0]]
        for ancestor in above:
            out[(ancestor, *key[1:])] += n
            if len(key) == 4 and key[1] == "total":  # a cell: (org, dim, key, level)
                out[(ancestor, "region", region, key[3])] += n
                out[(ancestor, "industry", industry, key[3])] += n
    return out


def _apply(part: str, diff: Counter[Key], subtree: bool) -> None:
    """Add signed counts to rows (upsert), then drop rows that reached zero."""
    rows = [(*key, n, subtree) for key, n in sorted(diff.items(), key=str) if n]
    if not rows:
        return
    table, keys = PARTS[part]
    cols = ", ".join(("organization_id", *keys, "n", "subtree"))
    conflict = ", ".join(("organization_id", "subtree", *keys))
    orgs = sorted({r[0] for r in rows})
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({_in(rows[0])}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET n = {table}.n + EXCLUDED.n",
            rows,
        )
        for chunk in _chunks(orgs):
            cursor.execute(
                f"DELETE FROM {table} WHERE n = 0 AND subtree = %s AND organization_id IN ({_in(chunk)})",
                [subtree, *chunk],
            )


def _build_subtrees(part: str) -> None:
    """All subtree rows from the employer rows, one statement per depth of the tree."""
    from gongjiang.core.models import Organization

    table, keys = PARTS[part]
    seg = Organization.SEGMENT
    deepest = max((len(p) for p in Organization.objects.values_list("path", flat=True)), default=0)
    cols = ", ".join(("organization_id", *keys, "n", "subtree"))
    rkeys = ", ".join(f"r.{k}" for k in keys)
    excluded = ", ".join(f"'{k}'" for k in AGGREGATE_KINDS_EXCLUDED)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE subtree = %s", [True])
        for length in range(seg, deepest, seg):
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT a.id, {rkeys}, SUM(r.n), %s FROM {table} r "
                f"JOIN core_organization e ON e.id = r.organization_id "
                f"JOIN core_organization a ON a.path = SUBSTR(e.path, 1, %s) "
                f"WHERE r.subtree = %s AND LENGTH(e.path) > %s AND a.kind NOT IN ({excluded}) "
                f"GROUP BY a.id, {rkeys}",
                [True, length, False, length],
            )
            if part != "cells":
                continue
            for dim, column in (
                ("region", "e.region_id"),
                ("industry", "COALESCE(e.industry_id, '')"),
            ):
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) SELECT a.id, %s, {column}, r.level, SUM(r.n), %s "
                    f"FROM {table} r JOIN core_organization e ON e.id = r.organization_id "
                    f"JOIN core_organization a ON a.path = SUBSTR(e.path, 1, %s) "
                    f"WHERE r.subtree = %s AND r.dim = 'total' AND LENGTH(e.path) > %s "
                    f"AND a.kind NOT IN ({excluded}) GROUP BY a.id, {column}, r.level",
                    [dim, True, length, False, length],
                )


# ------------------------------------------------------------------------------------ acts
@transaction.atomic
def rollups_rebuild(*, as_of: dt.date | None = None) -> RollupMeta:
    """Recount every rollup from the registry (set-based), with age bands at ``as_of`` (today)."""
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    for part in PARTS:
        _fill(part, as_of, None)
        _build_subtrees(part)
    meta, _created = RollupMeta.objects.update_or_create(
        key=META_KEY,
        defaults={
            "as_of": as_of,
            "built_at": timezone.now(),
            "seconds": time.perf_counter() - started,
        },
    )
    return meta


def _chunks(ids: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    items = sorted({i for i in ids if i is not None})
    for i in range(0, len(items), size):
        yield items[i : i + size]


@transaction.atomic
def rollups_refresh(
    organization_ids: Iterable[int], *, parts: Sequence[str] = ("cells", "gains", "honours")
) -> None:
    """Recount the rollups of these employers only (after writing their workers by any path), and
    carry the difference up to the organisations above them. Does nothing while the rollups have
    never been built (the first rebuild counts everything)."""
    as_of = as_of_date()
    if as_of is None:
        return
    for chunk in _chunks(organization_ids):
        for part in parts:
            old = _read(part, chunk, False)
            _fill(part, as_of, chunk)
            diff = _read(part, chunk, False)
            diff.subtract(old)
            _apply(part, _lift(diff), True)


def cells_of(snapshot: dict[str, Any] | None, as_of: dt.date) -> list[Cell]:
    """The rollup cells one worker counts in."""
    if not snapshot or snapshot.get("organization_id") is None:
        return []
    org = snapshot["organization_id"]
    level = snapshot.get("skill_level_id") or ""
    status = snapshot.get("status") or ACTIVE
    out: list[Cell] = [(org, "status", status, level)]
    if status == ACTIVE:
        birth = snapshot.get("birth_date")
        occupation = snapshot.get("occupation_id") or ""
        out += [
            (org, "total", "", level),
            (org, "gender", snapshot.get("gender") or "", level),
            (org, "age", age_band(birth, as_of) if birth else "55p", level),
            (org, "emp", snapshot.get("employment_type") or "", level),
            (org, "occ", occupation[:4], level),
        ]
    return out


def rollups_apply_delta(changes: Sequence[WorkerChange]) -> None:
    """Apply worker changes (before/after snapshots) to the rollups, inside the caller's
    transaction. Large batches recount their employers instead."""
    if not changes:
        return
    as_of = as_of_date()
    if as_of is None:
        return
    batch = _IMPORT_BATCH.get()
    if batch is not None:  # a roster import's batch: every part by deltas, never a recount
        _apply_cells(changes, as_of, set())
        _apply_history(changes, batch)
        return
    touched: set[int] = set()
    history: set[int] = set()  # employers whose gains / honours must be recounted
    honours: set[int] = set()
    for change in changes:
        before_org = (change.before or {}).get("organization_id")
        after_org = (change.after or {}).get("organization_id")
        orgs = {o for o in (before_org, after_org) if o is not None}
        touched |= orgs
        level_changed = (change.before or {}).get("skill_level_id") != (change.after or {}).get(
            "skill_level_id"
        )
        if level_changed or before_org != after_org:
            history |= orgs
        if before_org != after_org and change.before is not None:
            honours |= orgs
    recount = _recount_employers(changes, touched)
    _apply_cells(changes, as_of, recount)
    if recount:
        rollups_refresh(recount)  # every part of these employers
    if history - recount:
        rollups_refresh(history - recount, parts=("gains",))
    if honours - recount:
        rollups_refresh(honours - recount, parts=("honours",))


def _apply_cells(changes: Sequence[WorkerChange], as_of: dt.date, skip: set[int]) -> None:
    """Summed −1/+1 of every change on its cells (employers in ``skip`` are recounted instead)."""
    delta = cell_delta(changes, as_of, skip)
    _apply("cells", delta, False)
    _apply("cells", _lift(delta), True)


def cell_delta(changes: Sequence[WorkerChange], as_of: dt.date, skip: set[int]) -> Counter[Key]:
    """The signed counts of every change's cells: −1 for each cell of its ``before``, +1 for each
    of its ``after`` (:func:`cells_of`), employers in ``skip`` left out.

    A roster import's batch brings thousands of snapshots that fall into a few hundred profiles
    (employer, level, status, gender, age band, employment type, occupation group): the signs are
    summed per profile first, and each profile's cells are expanded once (the same sums as
    expanding every snapshot's cells, at a fraction of the work)."""
    limits = [(years_before(as_of, limit), band) for limit, band in AGE_LIMITS]
    profiles: Counter[tuple[Any, ...]] = Counter()
    for change in changes:
        for snapshot, sign in ((change.before, -1), (change.after, 1)):
            if not snapshot:
                continue
            org = snapshot.get("organization_id")
            if org is None or org in skip:
                continue
            status = snapshot.get("status") or ACTIVE
            level = snapshot.get("skill_level_id") or ""
            if status != ACTIVE:
                profiles[(org, level, status)] += sign
                continue
            birth = snapshot.get("birth_date")
            band = "55p"
            if birth:
                for threshold, name in limits:
                    if birth > threshold:
                        band = name
                        break
            profiles[
                (
                    org,
                    level,
                    status,
                    snapshot.get("gender") or "",
                    band,
                    snapshot.get("employment_type") or "",
                    (snapshot.get("occupation_id") or "")[:4],
                )
            ] += sign
    delta: Counter[Key] = Counter()
    for profile, n in profiles.items():
        if not n:
            continue
        org, level, status = profile[:3]
        delta[(org, "status", status, level)] += n
        if status == ACTIVE:
            gender, band, employment, occupation = profile[3:]
            delta[(org, "total", "", level)] += n
            delta[(org, "gender", gender, level)] += n
            delta[(org, "age", band, level)] += n
            delta[(org, "emp", employment, level)] += n
            delta[(org, "occ", occupation, level)] += n
    return delta


# (worker id, date, from level, to level) of each skill-level change row a batch wrote
NewLevel = tuple[int, dt.date, str | None, str | None]
_IMPORT_BATCH: ContextVar[Sequence[NewLevel] | None] = ContextVar(
    "rollup_import_batch", default=None
)


@contextmanager
def import_batch(new_levels: Sequence[NewLevel]) -> Iterator[None]:
    """Around a roster import's ``hooks.notify``: the batch's changes update every part of the
    rollups by deltas — cells from the snapshots, gains from ``new_levels`` (the level-change rows
    the batch wrote), and for a worker the batch moved between employers, their earlier gains and
    honours carried from the old employer to the new (one set-based read of those workers'
    history). The upkeep costs the batch's rows, never an employer's size: an import recounts no
    employer, however many batches it has."""
    token = _IMPORT_BATCH.set(new_levels)
    try:
        yield
    finally:
        _IMPORT_BATCH.reset(token)


def _gain(ranks: dict[str, int], from_level: str | None, to_level: str | None) -> bool:
    """A gain as :func:`_gain_select` counts one: a first level, or a higher one."""
    if to_level is None or to_level not in ranks:
        return False
    return from_level is None or from_level not in ranks or ranks[to_level] > ranks[from_level]


def _apply_history(changes: Sequence[WorkerChange], new_levels: Sequence[NewLevel]) -> None:
    from gongjiang.core.models import SkillLevel

    after_org = {c.worker_id: (c.after or {}).get("organization_id") for c in changes}
    moved = {
        c.worker_id: (c.before or {}).get("organization_id")
        for c in changes
        if c.before is not None and c.before.get("organization_id") != after_org[c.worker_id]
    }
    ranks = dict(SkillLevel.objects.values_list("code", "rank"))
    gains: Counter[Key] = Counter()
    for worker_id, date, from_level, to_level in new_levels:
        if not _gain(ranks, from_level, to_level):
            continue
        if worker_id in moved:  # in the history read below, which the old employer never had
            gains[(moved[worker_id], date.year, to_level)] += 1
        else:
            gains[(after_org[worker_id], date.year, to_level)] += 1
    honours: Counter[Key] = Counter()
    for chunk in _chunks(moved):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.worker_id, {_year('c.date')}, c.to_level_id, COUNT(*) FROM {C} c "
                "JOIN core_skilllevel t ON t.code = c.to_level_id "
                "LEFT JOIN core_skilllevel f ON f.code = c.from_level_id "
                f"WHERE c.reverted = %s AND (f.code IS NULL OR t.rank > f.rank) "
                f"AND c.worker_id IN ({_in(chunk)}) GROUP BY 1, 2, 3",
                [False, *chunk],
            )
            for worker_id, year, level, n in cursor.fetchall():
                gains[(after_org[worker_id], year, level)] += n
                gains[(moved[worker_id], year, level)] -= n
            cursor.execute(
                f"SELECT worker_id, title, level, year, COUNT(*) FROM {H} WHERE revoked = %s "
                f"AND worker_id IN ({_in(chunk)}) GROUP BY 1, 2, 3, 4",
                [False, *chunk],
            )
            for worker_id, title, level, year, n in cursor.fetchall():
                honours[(after_org[worker_id], title, level, year)] += n
                honours[(moved[worker_id], title, level, year)] -= n
    for part, diff in (("gains", gains), ("honours", honours)):
        _apply(part, diff, False)
        _apply(part, _lift(diff), True)


def _recount_employers(changes: Sequence[WorkerChange], touched: set[int]) -> set[int]:
    """The employers whose rollups are cheaper to recount than to update by deltas: those that
    take more than :data:`DELTA_LIMIT` of the batch's changes *and* whose changes make up at least
    half of their headcount after the batch. Recounting costs the employer's size, a delta the
    batch's: with this rule an import's recounts of one employer add up to a few times its final
    size, however many batches it is written in (never one recount per batch, which grew with the
    square of the employer)."""
    per_org: Counter[int] = Counter()
    for change in changes:
        for org in {
            (change.before or {}).get("organization_id"),
            (change.after or {}).get("organization_id"),
        }:
            if org is not None:
                per_org[org] += 1
    big = [org for org in touched if per_org[org] > DELTA_LIMIT]
    if not big:
        return set()
    heads = _headcounts(big)  # before this batch (the rollups do not include it yet)
    return {org for org in big if 2 * per_org[org] >= heads.get(org, 0) + per_org[org]}


def _headcounts(organization_ids: Sequence[int]) -> dict[int, int]:
    """Workers per employer (every status) as the rollups count them: one indexed read of the
    employers' status rows, not a scan of their workers."""
    out: dict[int, int] = {}
    for chunk in _chunks(organization_ids):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT organization_id, SUM(n) FROM {R_CELL} WHERE subtree = %s AND dim = %s "
                f"AND organization_id IN ({_in(chunk)}) GROUP BY organization_id",
                [False, "status", *chunk],
            )
            out.update({org: int(n or 0) for org, n in cursor.fetchall()})
    return out


def on_workers_changed(changes: list[WorkerChange]) -> None:
    rollups_apply_delta(changes)


def connect() -> None:
    """Keep the rollups current on every worker change (call once at start-up)."""
    register_worker_listener(on_workers_changed)


def disconnect() -> None:
    unregister_worker_listener(on_workers_changed)


# ------------------------------------------------------------------------------------ verify
def _expected(part: str, as_of: dt.date) -> Counter[Key]:
    select, params = _select(part, as_of, None)
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        return Counter({tuple(row[:-1]): int(row[-1]) for row in cursor.fetchall() if row[-1]})


def _differences(part: str, tier: str, expected: Counter[Key], actual: Counter[Key]) -> list[str]:
    return [
        f"{part} {tier} {key}: rollup {actual.get(key, 0)}, recount {expected.get(key, 0)}"
        for key in sorted(set(expected) | set(actual), key=str)
        if expected.get(key, 0) != actual.get(key, 0)
    ]


def rollups_verify() -> list[str]:
    """Recount from scratch (both tiers) and compare; one line per difference (empty: all equal)."""
    as_of = as_of_date()
    if as_of is None:
        return ["the rollups have never been built: run `gongjiang rollups rebuild`"]
    problems: list[str] = []
    for part in PARTS:
        expected = _expected(part, as_of)
        problems += _differences(part, "employer", expected, _read(part, None, False))
        lifted = +_lift(expected)
        problems += _differences(part, "subtree", lifted, _read(part, None, True))
    return problems
