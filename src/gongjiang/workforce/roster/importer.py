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
    """Writes commit batches in a thread of its own (with its own database connection), so that
    reading and checking the next batch overlaps writing this one; at most one batch waits.

    Used on PostgreSQL when the caller is not inside a transaction (each batch commits on its own
    either way). The first error stops the writing and is raised by the next :meth:`submit` or by
    :meth:`close`; the batches committed before it stay committed, as in the synchronous path.
    """

    def __init__(self, write: Callable[..., None]) -> None:
        self._write = write
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._language = translation.get_language()
        self._thread = threading.Thread(target=self._run, name="roster-import-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with translation.override(self._language):
                while (item := self._queue.get()) is not None:
                    if self._error is None:
                        try:
                            self._write(*item)
                        except BaseException as exc:  # re-raised in the importing thread
                            self._error = exc
        finally:
            connection.close()  # this thread's own connection

    def submit(self, *args: Any) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(args)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


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
        self.batches = 0
        self.user = user_or_none(actor)
        self.team_label = ""
        self.employer_label = ""
        self.id_label = ""
        self.reason = _("roster import")
        self.writer: _BackgroundWriter | None = None
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
            self.writer = _BackgroundWriter(self._write)
        else:
            items = pipeline.in_process(reader, lookup, self.today)
        try:
            self._rows(items, reader)
        finally:
            if prepared is not None:
                prepared.close()
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
        for number, worker, errors, warnings, keys in items:
            if warnings:
                result.warnings.extend(warnings)
            if worker is None:
                result.rejected += 1
                result.errors.extend(errors)
                continue
            batch.append((worker, keys))
            if len(batch) >= self.batch_size:
                self._batch(batch)
                batch = []
                if self.progress:
                    self.progress(max(reader.rows_count, number), None)
        if batch:
            self._batch(batch)

    def _batch(self, batch: list[tuple[ParsedWorker, pipeline.Keys | None]]) -> None:
        # during a key rotation, records still hashed under an older key take the newest hash
        # first, so the upsert below finds them instead of registering the person twice
        bulk.rehash_stale([p.citizen_id for p, _k in batch])
        items = [p for p, _k in batch]
        keys = [k if k is not None else self._keys(p) for p, k in batch]
        hashes = [k[0] for k in keys]
        existing = {row["citizen_id_hash"]: row for row in bulk.existing_by_hash(hashes, _EXISTING)}
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
        if self.writer is not None:
            self.writer.submit(inserts, changes)
        else:
            self._write(inserts, changes)

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

    def _write(
        self,
        inserts: list[tuple[Any, ...]],
        changes: list[tuple[str, Any, dict[str, Any], ParsedWorker]],
    ) -> None:
        now, user_id = self.now, getattr(self.user, "pk", None)
        checked = self.batch_fkeys
        with transaction.atomic():
            if checked:
                fkeys.verify(Worker, bulk.WORKER_COLUMNS, inserts)
                fkeys.relax()
            ids = self._upsert(inserts, changes)
            level_rows: list[tuple[Any, ...]] = []
            transfer_rows: list[tuple[Any, ...]] = []
            notes: list[WorkerChange] = []
            source = self.source_label[:200]
            ref = self.source_ref[:60]
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
            new_levels: list[rollups.NewLevel] = []
            for (digest, old, new, p), code in zip(level_changes, level_codes, strict=True):
                date = p.hire_date if old is None and p.hire_date else self.today
                from_level = (old or {}).get("skill_level_id")
                new_levels.append((ids[digest], date, from_level, new["skill_level_id"]))
                level_rows.append(
                    (
                        code,
                        ids[digest],
                        date,
                        source,
                        ref,
                        user_id,
                        now,
                        (old or {}).get("skill_level_id"),
                        new["skill_level_id"],
                        self.reason,
                        False,
                    )
                )
            for (digest, old, new, _p), code in zip(moves, transfer_codes, strict=True):
                transfer_rows.append(
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
            if checked:
                fkeys.verify(SkillLevelChange, bulk.LEVEL_COLUMNS, level_rows)
                fkeys.verify(Transfer, bulk.TRANSFER_COLUMNS, transfer_rows)
            bulk.insert_level_changes(level_rows)
            bulk.insert_transfers(transfer_rows)
            if checked:
                fkeys.restore()  # the hooks, rollups and audit row: every check in place
            for digest, old, new, p in changes:
                after = {f: new.get(f) for f in SNAPSHOT_FIELDS}
                after.update(
                    gender=p.gender,
                    birth_date=p.birth_date,
                    employment_type=(old or {}).get(
                        "employment_type", Worker.EmploymentType.CONTRACT
                    ),
                    status=(old or {}).get("status", Worker.Status.ACTIVE),
                )
                before = {f: old.get(f) for f in SNAPSHOT_FIELDS} if old is not None else None
                notes.append(WorkerChange(ids[digest], before, after, self.today))
            with rollups.import_batch(new_levels):  # rollup upkeep by deltas, no recount
                notify(notes)
            created = sum(1 for c in changes if c[1] is None)
            audit(
                actor=self.actor,
                action="worker.import_batch",
                organization=self.organization,
                details={
                    "source": self.source_label,
                    "source_ref": self.source_ref,
                    "batch": self.batches + 1,
                    "created": created,
                    "updated": len(changes) - created,
                    "skill_level_changes": len(level_rows),
                    "transfers": len(transfer_rows),
                },
            )
        self.batches += 1
        if PAUSE_AFTER_BATCH and self.batches == PAUSE_AFTER_BATCH:
            print(f"import: batch {self.batches} committed", file=sys.stderr, flush=True)
            time.sleep(120)


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
