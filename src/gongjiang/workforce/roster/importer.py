"""The roster import engine, used by the import page (a background job), the API and the CLI.

``roster_import(actor=…, source=…, filename=…, organization=…, dry_run=…)`` reads the file
(:mod:`gongjiang.core.spreadsheets`), parses each row (:mod:`gongjiang.workforce.roster.reader`), and, in
batches of :data:`BATCH_SIZE` valid rows:

1. looks the batch's citizen-ID hashes up among existing workers;
2. hands a row whose worker belongs to an enterprise outside the actor's scope on to that
   employer as a transfer request (never moved, never disclosed: transfer_requests.py);
3. merges each row into the existing worker — a cell left empty keeps the stored value — and
   classifies it as created / updated / unchanged;
4. writes the batch in ONE transaction (:mod:`gongjiang.workforce.roster.bulk`): the upserted workers,
   a skill-level-change row for every new or changed level, a transfer row for every worker moved
   from another enterprise in the actor's scope, and one audit row for the batch.

So an import killed at any moment leaves whole batches written and no half-written worker; running
the same file again reports the written rows as unchanged and completes the rest. In a dry run
nothing is written and created / updated / unchanged say what an import would do (when an
enterprise is given).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core import crypto as core_crypto
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError
from gongjiang.core.gc_tuning import fewer_collections
from gongjiang.core.models import Enterprise, Occupation, Organization
from gongjiang.core.spreadsheets import read_rows
from gongjiang.core.validators import mask_citizen_id

from .. import personal
from ..analytics import rollups
from ..hooks import SNAPSHOT_FIELDS, WorkerChange, notify
from ..models import SkillLevelChange, Transfer, Worker
from ..names import name_keys
from ..transfer_requests import NEUTRAL_REPLY, file_for_held_worker
from . import bulk, fkeys, pipeline
from .reader import ParsedWorker, RosterReader, RowError, RowWarning

BATCH_SIZE = int(os.environ.get("GONGJIANG_IMPORT_BATCH_SIZE", "5000"))
# test hook: after committing batch k, say so on stderr and sleep (a test kills the process then)
# batches written at once on PostgreSQL (each on its own connection; see _BackgroundWriter)
WRITERS = max(1, int(os.environ.get("GONGJIANG_IMPORT_WRITERS", "2")))
PAUSE_AFTER_BATCH = int(os.environ.get("GONGJIANG_IMPORT_PAUSE_AFTER_BATCH", "0"))
MAX_STORED_ERRORS = 2000

Progress = Callable[..., None]

_EXISTING = (
    "id",
    "citizen_id_hash",
    *bulk.UPDATABLE,
    "gender",
    "birth_date",
    "employment_type",
    "status",
)


@dataclass
class ImportResult:
    rows: int = 0
    valid: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    dry_run: bool = True
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, int] = field(default_factory=dict)
    detected_mapping: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    reader_peak_kib: int = 0  # peak RSS of the process that read and prepared the rows, if forked

    def as_json(self, *, mask_ids: bool = False, limit: int | None = None) -> dict[str, Any]:
        """The CLI/API shape: counts, errors and warnings (optionally capped and with IDs masked)."""
        id_label = (
            self.headers[self.mapping["citizen_id"]]
            if "citizen_id" in self.mapping and self.mapping["citizen_id"] < len(self.headers)
            else None
        )

        def item(e: RowError | RowWarning) -> dict[str, Any]:
            value = e.value
            if mask_ids and e.column == id_label and len(value) >= 8:
                value = mask_citizen_id(value)
            return {"row": e.row, "column": e.column, "value": value, "message": e.message}

        errors = self.errors if limit is None else self.errors[:limit]
        warnings = self.warnings if limit is None else self.warnings[:limit]
        return {
            "rows": self.rows,
            "valid": self.valid,
            "rejected": self.rejected,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [item(e) for e in errors],
            "warnings": [item(w) for w in warnings],
        }


class _Hasher:
    """core.crypto.keyed_hash without re-keying the HMAC for every value (same digests)."""

    def __init__(self) -> None:
        self._base = hmac.new(core_crypto.hash_key(), digestmod=hashlib.sha256)

    def __call__(self, value: str) -> str:
        h = self._base.copy()
        h.update(value.encode())
        return h.hexdigest()


def occupation_lookup() -> Callable[[str], str | None]:
    """Text → occupation code: an occupation's exact name or code (2022 catalogue), or a code
    written before its name ("6-18-01-01 焊工")."""
    table: dict[str, str] = {}
    for code, name in Occupation.objects.filter(level=Occupation.Level.OCCUPATION).values_list(
        "code", "name"
    ):
        table[code] = code
        table.setdefault(name, code)

    def lookup(text: str) -> str | None:
        found = table.get(text)
        if found is None and " " in text:
            head = text.split(" ", 1)[0]
            found = table.get(head)
        return found

    return lookup


class EmployerLookup:
    """Resolves a row's employer (legal name or unified social credit code, as written) to one of
    the enterprises the import's union covers. The union's enterprises are read once per import —
    set-based, never a query per row — and an empty cell means the union's only enterprise."""

    def __init__(self, union: Organization | None) -> None:
        rows = (
            list(
                Enterprise.objects.filter(union=union, is_active=True).values_list(
                    "id", "name", "uscc"
                )
            )
            if union is not None
            else []
        )
        self.by_key: dict[str, int] = {}
        for pk, name, uscc in rows:
            self.by_key[_employer_key(name)] = pk
            if uscc:
                self.by_key[uscc.upper()] = pk
        self.default = rows[0][0] if len(rows) == 1 else None
        self.count = len(rows)

    def resolve(self, text: str) -> tuple[int | None, str]:
        if not text:
            if self.default is not None:
                return self.default, ""
            if not self.count:
                return None, _(
                    "No enterprise is registered under this union: register the enterprise first."
                )
            return None, _(
                "This union covers several enterprises: give the employer (legal name or unified "
                "social credit code) in the employer column."
            )
        found = self.by_key.get(text.strip().upper()) or self.by_key.get(_employer_key(text))
        if found is None:
            return None, _("No enterprise of this name or credit code is covered by the union.")
        return found, ""


def _employer_key(name: str) -> str:
    return "".join((name or "").split()).replace("（", "(").replace("）", ")")


def _team_lookup(organization: Organization | None) -> dict[str, int]:
    if organization is None:
        return {}
    rows = Organization.objects.filter(
        path__startswith=organization.path, kind=Organization.Kind.TEAM, is_active=True
    ).values_list("name", "id", "short_name")
    table: dict[str, int] = {}
    for name, pk, short in rows:
        table.setdefault(name, pk)
        if short:
            table.setdefault(short, pk)
    return table


class _LazyKeys:
    """:data:`pipeline.Keys` of a row read in this process, each computed when first read (the
    one-process path: a dry run or an unchanged row never encrypts)."""

    __slots__ = ("_p", "_values")

    def __init__(self, p: ParsedWorker, digest: str) -> None:
        self._p = p
        self._values: dict[int, str] = {0: digest}

    def __getitem__(self, index: int) -> str:
        found = self._values.get(index)
        if found is None:
            p = self._p
            if index == 1:
                found = personal.encrypt(p.citizen_id)
            elif index == 2:
                found = mask_citizen_id(p.citizen_id)
            elif index in (3, 4):
                found = name_keys(p.name)[index - 3]
            elif index == 5:
                found = personal.phone_digest(p.phone) if p.phone else ""
            elif index == 6:
                found = personal.encrypt(p.phone) if p.phone else ""
            else:
                found = personal.mask_phone(p.phone) if p.phone else ""
            self._values[index] = found
        return found


class _BackgroundWriter:
    """Writes commit batches in threads of their own (:data:`WRITERS`, each with its own database
    connection), so that reading and checking the next batch overlaps writing this one, and two
    batches are written at once: the server's work for a batch (the COPY into the indexed table,
    the history rows, the rollup deltas, the commit) is the import's longest chain, and a second
    connection puts it on the second core. At most one batch per writer waits.

    Each batch is still one transaction. Commits pass one at a time through a gate, so the
    committed count and the test hook that pauses after batch k see whole batches in order of
    commit; the batches themselves may commit out of file order (batch 4 before batch 3). The
    first error stops the writing and is raised by the next :meth:`submit` or by :meth:`close`;
    a batch the other writer had begun may still commit, and the batches committed stay
    committed: a re-run reports their rows as unchanged and writes the rest.

    Used on PostgreSQL when the caller is not inside a transaction.
    """

    def __init__(self, write: Callable[..., None], writers: int = 1) -> None:
        self._write = write
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=max(1, writers))
        self._error: BaseException | None = None
        self._language = translation.get_language()
        self.gate = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, name=f"roster-import-writer-{i}", daemon=True)
            for i in range(max(1, writers))
        ]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        try:
            with translation.override(self._language):
                while (item := self._queue.get()) is not None:
                    if self._error is None:
                        try:
                            self._write(*item)
                        except BaseException as exc:  # re-raised in the importing thread
                            if self._error is None:
                                self._error = exc
        finally:
            connection.close()  # this thread's own connection

    def submit(self, *args: Any) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(args)

    def close(self) -> None:
        for thread in self._threads:
            if thread.is_alive():
                self._queue.put(None)
        for thread in self._threads:
            thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _close_connection() -> None:
    connection.close()  # resolved in the calling thread: its own connection


class _Lookahead:
    """Looks batches up in a thread of its own, with its own database connection: the stale hashes
    of a key rotation, the registered workers, and ids from the worker table's sequence for the
    rest. The importing thread hands it batch N+1 and merges batch N while the server answers, so
    that the look-up's round trip and server time no longer stand in the import's longest chain."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-import-lookup")

    def submit(self, citizen_ids: list[str], hashes: list[str]) -> Future[_Looked]:
        return self._pool.submit(self._look, citizen_ids, hashes)

    @staticmethod
    def _look(citizen_ids: list[str], hashes: list[str]) -> _Looked:
        # during a key rotation, records still hashed under an older key take the newest hash
        # first, so the look-up finds them instead of registering the person twice
        bulk.rehash_stale(citizen_ids)
        existing = {row["citizen_id_hash"]: row for row in bulk.existing_by_hash(hashes, _EXISTING)}
        return existing, bulk.draw_ids(len(hashes) - len(existing))

    def close(self) -> None:
        try:
            self._pool.submit(_close_connection).result()  # that thread's own connection
        finally:
            self._pool.shutdown(wait=True)


class RosterImport:
    """One run over one file (see the module docstring); use :func:`roster_import`."""

    def __init__(
        self,
        *,
        actor: Any,
        organization: Organization | None,
        dry_run: bool,
        source_label: str,
        source_ref: str,
        progress: Progress | None,
        batch_size: int,
    ) -> None:
        self.actor = actor
        self.organization = organization
        self.dry_run = dry_run
        self.source_label = source_label
        self.source_ref = source_ref
        self.progress = progress
        self.batch_size = max(1, batch_size)
        self.result = ImportResult(dry_run=dry_run)
        self.hasher = _Hasher()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.teams = _team_lookup(organization)
        self.employers = EmployerLookup(organization)
        self.scope = access.scope_paths(actor, "workforce.change_worker")
        self.batches = 0  # committed
        self.submitted = 0  # handed to be written: the number of the batch in the file
        self.user = user_or_none(actor)
        self.team_label = ""
        self.employer_label = ""
        self.id_label = ""
        self.reason = _("roster import")
        self.writer: _BackgroundWriter | None = None
        self.lookahead: _Lookahead | None = None
        # foreign keys checked once per batch instead of once per row, where the role may (fkeys.py)
        self.batch_fkeys = not dry_run and fkeys.allowed()

    # ---------------------------------------------------------------------------- scope
    def _in_scope(self, path: str) -> bool:
        return self.scope is None or any(path.startswith(p) for p in self.scope)

    # ---------------------------------------------------------------------------- rows
    def run(self, reader: RosterReader) -> ImportResult:
        result = self.result
        result.header_row, result.headers = reader.header_row, reader.headers
        result.mapping, result.detected_mapping = (
            dict(reader.mapping),
            dict(reader.detected_mapping),
        )
        columns = reader.columns
        self.team_label = columns.get("team", "")
        self.employer_label = columns.get("employer", "") or str(_("employer"))
        self.id_label = columns.get("citizen_id", "")
        lookup = occupation_lookup()
        items: Iterable[pipeline.Item]
        prepared: pipeline.PreparedRows | None = None
        if not self.dry_run and bulk.is_postgres() and not connection.in_atomic_block:
            if pipeline.ENABLED:  # reading and preparing in a child process (pipeline.py)
                items = prepared = pipeline.PreparedRows(reader, lookup, self.today, self.hasher)
            else:
                items = pipeline.in_process(reader, lookup, self.today)
            self.writer = _BackgroundWriter(self._write, WRITERS)
            self.lookahead = _Lookahead()
        else:
            items = pipeline.in_process(reader, lookup, self.today)
        try:
            self._rows(items, reader)
        finally:
            if prepared is not None:
                prepared.close()
            if self.lookahead is not None:
                self.lookahead.close()
            if self.writer is not None:
                self.writer.close()
        if prepared is not None:
            reader.rows_count = prepared.rows_count
            result.reader_peak_kib = prepared.child_maxrss_kib
        result.rows = reader.rows_count
        result.valid = result.rows - result.rejected
        result.errors.sort(key=lambda e: e.row)
        result.warnings.sort(key=lambda w: w.row)
        if self.progress:
            self.progress(reader.rows_count, reader.rows_count)
        return result

    def _rows(self, items: Iterable[pipeline.Item], reader: RosterReader) -> None:
        result = self.result
        batch: list[tuple[ParsedWorker, pipeline.Keys | None]] = []
        pending: tuple[list[tuple[ParsedWorker, pipeline.Keys | None]], Future[_Looked]] | None
        pending = None

        def checked(batch: list[tuple[ParsedWorker, pipeline.Keys | None]]) -> None:
            nonlocal pending
            if self.lookahead is None:
                self._batch(batch)
                return
            keyed: list[tuple[ParsedWorker, pipeline.Keys | None]] = [
                (p, k if k is not None else self._keys(p)) for p, k in batch
            ]
            looked = self.lookahead.submit(
                [p.citizen_id for p, _k in keyed],
                [k[0] for _p, k in keyed],  # type: ignore[index]
            )
            previous, pending = pending, (keyed, looked)
            if previous is not None:  # batch N is merged while batch N+1 is looked up
                self._batch(previous[0], previous[1].result())

        rows = iter(items)
        while True:
            try:
                number, worker, errors, warnings, keys = next(rows)
            except StopIteration:
                break
            except BaseException:
                # the file failed to read on: the batches read whole before it are written, as
                # they would have been without the look-ahead, and the reading error is raised
                if pending is not None:
                    last, pending = pending, None
                    self._batch(last[0], last[1].result())
                raise
            if warnings:
                result.warnings.extend(warnings)
            if worker is None:
                result.rejected += 1
                result.errors.extend(errors)
                continue
            batch.append((worker, keys))
            if len(batch) >= self.batch_size:
                checked(batch)
                batch = []
                if self.progress:
                    self.progress(max(reader.rows_count, number), None)
        if batch:
            checked(batch)
        if pending is not None:
            self._batch(pending[0], pending[1].result())

    def _batch(
        self,
        batch: list[tuple[ParsedWorker, pipeline.Keys | None]],
        looked: _Looked | None = None,
    ) -> None:
        items = [p for p, _k in batch]
        keys = [k if k is not None else self._keys(p) for p, k in batch]
        drawn: list[int] | None = None
        if looked is None:
            # during a key rotation, records still hashed under an older key take the newest hash
            # first, so the upsert below finds them instead of registering the person twice
            bulk.rehash_stale([p.citizen_id for p in items])
            hashes = [k[0] for k in keys]
            existing = {
                row["citizen_id_hash"]: row for row in bulk.existing_by_hash(hashes, _EXISTING)
            }
        else:
            existing, drawn = looked
        org = self.organization
        org_id = org.pk if org is not None else None
        inserts: list[tuple[Any, ...]] = []
        changes: list[tuple[str, dict[str, Any] | None, dict[str, Any], ParsedWorker]] = []
        codes = bulk.new_codes(len(items))
        now = self.now
        for p, k, code in zip(items, keys, codes, strict=True):
            digest = k[0]
            old = existing.get(digest)
            if (
                old is not None
                and old["organization_id"] != org_id
                and not self._in_scope(old["organization__path"])
            ):
                # not disclosed: the row is handed on to the holding employer as a transfer
                # request, with the same words a transfer request gets for any number
                self.result.rejected += 1
                self.result.errors.append(
                    RowError(p.row, self.id_label, p.citizen_id, str(NEUTRAL_REPLY))
                )
                if org is not None and not self.dry_run:
                    file_for_held_worker(
                        actor=self.actor, worker_id=old["id"], to_organization=org, name=p.name
                    )
                continue
            if org is None:  # dry run without an enterprise: validation only
                continue
            employer_id, problem = self.employers.resolve(p.employer)
            if employer_id is None:
                self.result.rejected += 1
                self.result.errors.append(
                    RowError(p.row, self.employer_label, p.employer, str(problem))
                )
                continue
            new = self._merged(p, k, old, org_id)
            new["employer_id"] = employer_id
            if old is None:
                self.result.created += 1
            elif any(new[c] != old[c] for c in bulk.COMPARED):
                self.result.updated += 1
            else:
                self.result.unchanged += 1
                continue
            changes.append((digest, old, new, p))
            if not self.dry_run:
                inserts.append(self._row(p, k, code, new, now))
        if self.dry_run or not changes:
            return
        self.submitted += 1
        if self.writer is not None:
            self.writer.submit(
                self.submitted, inserts, changes, self._prepare(inserts, changes, drawn)
            )
        else:
            self._write(self.submitted, inserts, changes)

    def _keys(self, p: ParsedWorker) -> pipeline.Keys:
        """Keys of a row read in this process: the hash now, the costly rest only when asked."""
        return _LazyKeys(p, self.hasher(p.citizen_id))  # type: ignore[return-value]

    def _merged(
        self, p: ParsedWorker, k: pipeline.Keys, old: dict[str, Any] | None, org_id: int
    ) -> dict[str, Any]:
        """The worker's updatable fields after this row: a value in the file wins, an empty cell keeps
        what is stored."""
        new = dict(old) if old is not None else {c: None for c in bulk.UPDATABLE}
        if old is None:
            new.update(
                ethnicity="",
                education="",
                phone_encrypted="",
                phone_masked="",
                phone_hash="",
                employee_number="",
                occupation_edition="",
                job_title="",
            )
        if old is None or new["name"] != p.name:
            new["name"] = p.name
            new["name_pinyin"], new["name_initials"] = k[3], k[4]
        if new["organization_id"] != org_id:
            new["organization_id"] = org_id
            new["team_id"] = None
        if p.team:
            team_id = self.teams.get(p.team)
            if team_id is not None:
                new["team_id"] = team_id
            elif old is None or new["team_id"] is None:
                self.result.warnings.append(
                    RowWarning(
                        p.row,
                        self.team_label,
                        p.team,
                        _(
                            "No team “%(team)s” was found in the enterprise; the worker is imported without a team."
                        )
                        % {"team": p.team},
                    )
                )
        for name in ("ethnicity", "education", "employee_number"):
            value = getattr(p, name)
            if value:
                new[name] = value[:40] if name == "employee_number" else value[:20]
        if p.phone:
            digest = k[5]
            if digest != new["phone_hash"]:
                new["phone_hash"] = digest
                new["phone_encrypted"] = k[6]
                new["phone_masked"] = k[7]
        if p.occupation_code:
            new["occupation_id"] = p.occupation_code
            new["occupation_edition"] = "2022"
        elif p.job_title:
            new["job_title"] = p.job_title[:100]
        if p.skill_level:
            new["skill_level_id"] = p.skill_level
        if p.hire_date:
            new["hire_date"] = p.hire_date
        return new

    def _row(
        self, p: ParsedWorker, k: pipeline.Keys, code: str, new: dict[str, Any], now: dt.datetime
    ) -> tuple[Any, ...]:
        cid = p.citizen_id
        return (
            code,
            new["organization_id"],
            new["employer_id"],
            new["team_id"],
            new["name"],
            new["name_pinyin"],
            new["name_initials"],
            k[1],
            k[0],
            cid[-4:],
            k[2],
            p.gender,
            p.birth_date,
            new["ethnicity"],
            new["education"],
            "",
            new["phone_encrypted"],
            new["phone_masked"],
            new["phone_hash"],
            new["employee_number"],
            new["occupation_id"],
            new["occupation_edition"],
            new["job_title"],
            new["skill_level_id"],
            new["hire_date"],
            Worker.EmploymentType.CONTRACT,
            Worker.Status.ACTIVE,
            now,
            now,
        )

    @staticmethod
    def _upsert(
        inserts: list[tuple[Any, ...]],
        changes: list[tuple[str, Any, dict[str, Any], ParsedWorker]],
    ) -> dict[str, int]:
        """Write the batch's workers; {citizen-ID hash: worker id}. On PostgreSQL the workers that
        were not registered when the batch was checked are COPied straight into the table (ids
        drawn from its sequence); should one of them have been registered meanwhile (another import
        of the same person), that savepoint is undone and the whole batch goes through the upsert."""
        if not bulk.is_postgres():
            return bulk.upsert_workers_returning(inserts)
        fresh = [row for row, change in zip(inserts, changes, strict=True) if change[1] is None]
        if not fresh:
            return bulk.upsert_workers_returning(inserts)
        try:
            with transaction.atomic():
                ids = bulk.copy_new_workers(fresh)
        except IntegrityError:
            return bulk.upsert_workers_returning(inserts)
        rest = [row for row, change in zip(inserts, changes, strict=True) if change[1] is not None]
        ids.update(bulk.upsert_workers_returning(rest))
        return ids

    def _compose(
        self, changes: list[tuple[str, Any, dict[str, Any], ParsedWorker]], ids: dict[str, int]
    ) -> _Composed:
        """The batch's history rows, rollup gains and change notes, once the workers' ids are known
        (no database work: the prepared path runs it in the importing thread)."""
        now, user_id = self.now, getattr(self.user, "pk", None)
        source = self.source_label[:200]
        ref = self.source_ref[:60]
        composed = _Composed()
        level_changes = [
            c for c in changes if (c[1] or {}).get("skill_level_id") != c[2]["skill_level_id"]
        ]
        moves = [
            c
            for c in changes
            if c[1] is not None and c[1]["organization_id"] != c[2]["organization_id"]
        ]
        level_codes = bulk.new_codes(len(level_changes))
        transfer_codes = bulk.new_codes(len(moves))
        for (digest, old, new, p), code in zip(level_changes, level_codes, strict=True):
            date = p.hire_date if old is None and p.hire_date else self.today
            from_level = (old or {}).get("skill_level_id")
            composed.new_levels.append((ids[digest], date, from_level, new["skill_level_id"]))
            composed.level_rows.append(
                (
                    code,
                    ids[digest],
                    date,
                    source,
                    ref,
                    user_id,
                    now,
                    from_level,
                    new["skill_level_id"],
                    self.reason,
                    False,
                )
            )
        for (digest, old, new, _p), code in zip(moves, transfer_codes, strict=True):
            composed.transfer_rows.append(
                (
                    code,
                    ids[digest],
                    self.today,
                    source,
                    ref,
                    user_id,
                    now,
                    old["organization_id"],
                    new["organization_id"],
                    self.reason,
                )
            )
        for digest, old, new, p in changes:
            after = {f: new.get(f) for f in SNAPSHOT_FIELDS}
            after.update(
                gender=p.gender,
                birth_date=p.birth_date,
                employment_type=(old or {}).get("employment_type", Worker.EmploymentType.CONTRACT),
                status=(old or {}).get("status", Worker.Status.ACTIVE),
            )
            before = {f: old.get(f) for f in SNAPSHOT_FIELDS} if old is not None else None
            composed.notes.append(WorkerChange(ids[digest], before, after, self.today))
        return composed

    def _prepare(
        self,
        inserts: list[tuple[Any, ...]],
        changes: list[tuple[str, Any, dict[str, Any], ParsedWorker]],
        drawn: list[int] | None = None,
    ) -> _Prepared:
        """Everything of a batch's write that is Python, done in the importing thread so that the
        writing thread only streams it (its Python would otherwise wait for the GIL while this
        thread reads the next batch, and the writer's backend would wait for it): ids for the new
        workers drawn from the table's sequence, the ids of registered workers as they were read,
        the COPY text of the new workers and of the level-change rows, the notes for the hooks.
        :meth:`_write` checks that those ids still hold; if another import registered one of these
        people meanwhile, the batch is written by the general path instead."""
        fresh = [row for row, change in zip(inserts, changes, strict=True) if change[1] is None]
        rest = [row for row, change in zip(inserts, changes, strict=True) if change[1] is not None]
        # ids drawn with the look-up (one for every row not found; some may go unused)
        drawn = drawn[: len(fresh)] if drawn is not None else bulk.draw_ids(len(fresh))
        hash_at = bulk.WORKER_COLUMNS.index("citizen_id_hash")
        ids = {row[hash_at]: pk for pk, row in zip(drawn, fresh, strict=True)}
        ids.update((digest, old["id"]) for digest, old, _new, _p in changes if old is not None)
        composed = self._compose(changes, ids)
        return _Prepared(
            ids=ids,
            fresh=bulk.copy_text((pk, *row) for pk, row in zip(drawn, fresh, strict=True)),
            rest=rest,
            composed=composed,
            levels=bulk.copy_text(composed.level_rows),
        )

    def _write(
        self,
        number: int,
        inserts: list[tuple[Any, ...]],
        changes: list[tuple[str, Any, dict[str, Any], ParsedWorker]],
        prepared: _Prepared | None = None,
    ) -> None:
        gate = self.writer.gate if self.writer is not None else None
        held = False

        def hold() -> None:  # commits one at a time (released below, after the commit)
            nonlocal held
            if gate is not None:
                gate.acquire()
                held = True

        try:
            if prepared is not None:
                try:
                    with transaction.atomic():
                        self._write_batch(number, inserts, changes, prepared)
                        hold()
                except _StaleBatch:  # rolled back whole; written by the general path below
                    prepared = None
            if prepared is None:
                with transaction.atomic():
                    self._write_batch(number, inserts, changes, None)
                    hold()
            self.batches += 1
            if PAUSE_AFTER_BATCH and self.batches == PAUSE_AFTER_BATCH:
                print(f"import: batch {self.batches} committed", file=sys.stderr, flush=True)
                time.sleep(120)
        finally:
            if held:
                gate.release()  # type: ignore[union-attr]

    def _write_batch(
        self,
        number: int,
        inserts: list[tuple[Any, ...]],
        changes: list[tuple[str, Any, dict[str, Any], ParsedWorker]],
        prepared: _Prepared | None,
    ) -> None:
        """Write one batch inside the caller's transaction."""
        checked = self.batch_fkeys
        if checked:
            fkeys.verify(Worker, bulk.WORKER_COLUMNS, inserts)
            fkeys.relax()
        if prepared is not None:
            try:
                with transaction.atomic():
                    bulk.copy_prepared(Worker, ("id", *bulk.WORKER_COLUMNS), prepared.fresh)
            except IntegrityError:  # one of them was registered meanwhile
                raise _StaleBatch from None
            written = bulk.upsert_workers_returning(prepared.rest)
            if any(prepared.ids[digest] != pk for digest, pk in written.items()):
                raise _StaleBatch  # a registered worker was deleted and registered again
            composed = prepared.composed
        else:
            composed = self._compose(changes, self._upsert(inserts, changes))
        if checked:
            fkeys.verify(SkillLevelChange, bulk.LEVEL_COLUMNS, composed.level_rows)
            fkeys.verify(Transfer, bulk.TRANSFER_COLUMNS, composed.transfer_rows)
        if prepared is not None:
            bulk.copy_prepared(SkillLevelChange, bulk.LEVEL_COLUMNS, prepared.levels)
        else:
            bulk.insert_level_changes(composed.level_rows)
        bulk.insert_transfers(composed.transfer_rows)
        if checked:
            fkeys.restore()  # the hooks, rollups and audit row: every check in place
        with rollups.import_batch(composed.new_levels):  # rollup upkeep by deltas, no recount
            notify(composed.notes)
        created = sum(1 for c in changes if c[1] is None)
        audit(
            actor=self.actor,
            action="worker.import_batch",
            organization=self.organization,
            details={
                "source": self.source_label,
                "source_ref": self.source_ref,
                "batch": number,
                "created": created,
                "updated": len(changes) - created,
                "skill_level_changes": len(composed.level_rows),
                "transfers": len(composed.transfer_rows),
            },
        )


_Looked = tuple[dict[str, dict[str, Any]], list[int]]


class _StaleBatch(Exception):
    """A prepared batch no longer matches the table (another import wrote one of its people)."""


@dataclass
class _Composed:
    level_rows: list[tuple[Any, ...]] = field(default_factory=list)
    transfer_rows: list[tuple[Any, ...]] = field(default_factory=list)
    new_levels: list[rollups.NewLevel] = field(default_factory=list)
    notes: list[WorkerChange] = field(default_factory=list)


@dataclass
class _Prepared:
    ids: dict[str, int]
    fresh: bytes
    rest: list[tuple[Any, ...]]
    composed: _Composed
    levels: bytes


def roster_import(
    *,
    actor: Any,
    source: str | Path | IO[bytes] | Iterable[tuple[int, list[Any]]],
    filename: str | None = None,
    organization: Organization | None = None,
    dry_run: bool = False,
    mapping: dict[str, int | None] | None = None,
    progress: Progress | None = None,
    source_ref: str = "",
    batch_size: int | None = None,
) -> ImportResult:
    """Import (or with ``dry_run`` only validate) a roster file into ``organization``.

    ``source`` is a path, a binary file object, or already-read rows (``read_rows`` output).
    ``mapping`` optionally replaces the detected {field: column index}. Raises
    ``core.spreadsheets.UnreadableFile`` (an ApplicationError) when the file cannot be read or has
    no header row, PermissionDenied when the actor may not import into the enterprise.
    """
    started = time.perf_counter()
    if organization is not None:
        access.require(actor, "workforce.change_worker", organization)
        if organization.kind != Organization.Kind.ENTERPRISE:
            raise ApplicationError(
                _("Workers can only be imported into an enterprise."), code="not_enterprise"
            )
        if not organization.is_active:
            raise ApplicationError(_("The employer is deactivated."), code="employer_inactive")
    elif not dry_run:
        raise ApplicationError(
            _("Choose the enterprise to import into."), code="organization_required"
        )
    elif not access.can(actor, "workforce.change_worker"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("workforce.change_worker")
    if isinstance(source, str | Path) or hasattr(source, "read"):
        name = filename or (
            str(source) if isinstance(source, str | Path) else getattr(source, "name", "")
        )
        rows: Iterable[tuple[int, list[Any]]] = read_rows(source, name)  # type: ignore[arg-type]
        label = Path(name).name
    else:
        rows = source  # type: ignore[assignment]
        label = filename or ""
    try:
        reader = RosterReader(rows, mapping)
    except ValueError as exc:  # a broken mapping
        raise ApplicationError(str(exc), code="invalid_mapping") from exc
    run = RosterImport(
        actor=actor,
        organization=organization,
        dry_run=dry_run,
        source_label=_("roster import %(file)s") % {"file": label} if label else _("roster import"),
        source_ref=source_ref,
        progress=progress,
        batch_size=batch_size or BATCH_SIZE,
    )
    with fewer_collections():  # millions of short-lived objects: fewer collector passes
        result = run.run(reader)
    result.seconds = time.perf_counter() - started
    if not dry_run:
        audit(
            actor=actor,
            action="worker.import",
            organization=organization,
            details={
                "file": label,
                "source_ref": source_ref,
                **{
                    k: v
                    for k, v in result.as_json(limit=0).items()
                    if k not in ("errors", "warnings")
                },
            },
        )
    return result
