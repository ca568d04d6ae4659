"""The roster import on two cores: one process reads and prepares the rows, the other writes them.

On PostgreSQL (outside a transaction) :class:`PreparedRows` forks a child process that goes on
reading the file the importer opened, parses and checks every row with the same
:class:`~gongjiang.workforce.roster.reader.RowParser` (so every error and warning is word for word
what the one-process path says), and computes what costs CPU but needs no database: the citizen
ID's keyed hash, its AES-GCM encryption and mask, the name's pinyin keys, the phone's digest,
encryption and mask. It sends them in chunks of :data:`CHUNK` rows (marshal data: plain tuples, a
fraction of the cost of pickling objects) through a pipe, which a thread of the importing process
empties into a queue of at most :data:`QUEUED` chunks: the child works ahead while a batch is
merged and handed on, never more than about 8,000 rows ahead, so memory stays flat whatever the
file's size. The importing process meanwhile looks the rows up, merges them, and COPies each batch
in one transaction (its writer thread), exactly as before: all-or-nothing per batch, resumable,
idempotent and audited.

The child never touches the database (the occupation table is read before the fork), never
returns to the caller's code (it ends with ``os._exit``), and draws its own AES-GCM nonces (the
nonce pool copied by the fork is dropped, so no nonce is ever used twice). Should the importing
process die, the child's next send fails and it ends; should the child fail, its exception is
re-raised in the importing process with the same type, message and code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
import multiprocessing
import os
import pickle
import queue
import resource
import threading
import traceback
from collections import namedtuple
from collections.abc import Callable, Iterator
from typing import Any

from gongjiang.core.validators import mask_citizen_id

from .. import personal
from ..names import name_keys
from .reader import ParsedWorker, RosterReader, RowError, RowWarning

CHUNK = 500  # rows a message: ~180 KB
QUEUED = 16  # chunks waiting in the importing process at most (~3 MB): more than a 5,000-row batch
# off unless GONGJIANG_IMPORT_PIPELINE=1: on the shared 2-core machine it cost more CPU than it
# overlapped (docs/workforce.md, Benchmarks); to be re-measured on an idle machine
ENABLED = os.environ.get("GONGJIANG_IMPORT_PIPELINE", "0") == "1"

# (citizen-ID hash, encrypted ID, masked ID, pinyin, initials, phone digest, encrypted phone,
#  masked phone) of one row
Keys = tuple[str, str, str, str, str, str, str, str]
Item = tuple[int, ParsedWorker | None, list[RowError], list[RowWarning], Keys | None]


def row_keys(p: ParsedWorker, hasher: Callable[[str], str]) -> Keys:
    """The keys of one parsed row (the child computes them; the one-process path on demand)."""
    cid = p.citizen_id
    pinyin, initials = name_keys(p.name)
    phone = p.phone
    return (
        hasher(cid),
        personal.encrypt(cid),
        mask_citizen_id(cid),
        pinyin,
        initials,
        personal.phone_digest(phone) if phone else "",
        personal.encrypt(phone) if phone else "",
        personal.mask_phone(phone) if phone else "",
    )


def in_process(
    reader: RosterReader, lookup: Callable[[str], str | None], today: dt.date
) -> Iterator[Item]:
    """The one-process path (SQLite, dry runs, inside a transaction): keys computed on demand."""
    for number, worker, errors, warnings in reader.iter_parsed(lookup, today):
        yield number, worker, errors, warnings, None


class PreparedRows:
    """Iterate over the prepared rows the child sends (see the module docstring); then
    :attr:`rows_count` is the reader's count and :attr:`child_maxrss_kib` the child's peak memory."""

    def __init__(
        self,
        reader: RosterReader,
        lookup: Callable[[str], str | None],
        today: dt.date,
        hasher: Callable[[str], str],
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self.rows_count = 0
        self.child_maxrss_kib = 0
        self._process = context.Process(
            target=_child,
            args=(reader, lookup, today, hasher, send, self._receive),
            name="roster-import-reader",
            daemon=True,
        )
        self._process.start()
        send.close()  # the child holds the only writing end: its death ends the stream
        # a thread empties the pipe into a bounded queue (a batch's worth of chunks and a few
        # more), so the child keeps preparing while this process merges and hands on a batch
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUED)
        self._drain = threading.Thread(target=self._drained, name="roster-import-pipe", daemon=True)
        self._drain.start()

    def _drained(self) -> None:
        try:
            while True:
                self._chunks.put(self._receive.recv_bytes())
        except (EOFError, OSError):
            self._chunks.put(None)

    def __iter__(self) -> Iterator[Item]:
        try:
            while True:
                message = self._chunks.get()
                if message is None:
                    raise RuntimeError("the roster reading process ended unexpectedly")
                if message[:1] == b"R":
                    yield from _unpacked(marshal.loads(message[1:]))
                    continue
                kind, payload = pickle.loads(message)
                if kind == "end":
                    self.rows_count, self.child_maxrss_kib = payload
                    return
                else:
                    raise _rebuilt(payload)
        finally:
            self.close()

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        while self._drain.is_alive():  # unblock a put on a full queue; the pipe reaches EOF
            try:
                self._chunks.get_nowait()
            except queue.Empty:
                self._drain.join(0.01)
        self._receive.close()


def _child(
    reader: RosterReader,
    lookup: Callable[[str], str | None],
    today: dt.date,
    hasher: Callable[[str], str],
    send: Any,
    receive: Any,
) -> None:
    receive.close()  # only the importing process reads: when it dies, our sends fail
    # the fork copied this thread's pool of random nonces: drawing from it would repeat the
    # nonces the importing process is about to use under the same key
    personal._local.pool = None
    try:
        chunk: list[tuple[Any, ...]] = []
        for number, worker, errors, warnings in reader.iter_parsed(lookup, today):
            if worker is None:
                chunk.append((number, None, _notes(errors), _notes(warnings), None))
            else:
                keys = row_keys(worker, hasher)
                chunk.append((number, _packed(worker), None, _notes(warnings), keys))
            if len(chunk) >= CHUNK:
                send.send_bytes(b"R" + marshal.dumps(chunk))
                chunk = []
        if chunk:
            send.send_bytes(b"R" + marshal.dumps(chunk))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        send.send_bytes(pickle.dumps(("end", (reader.rows_count, peak))))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the importing process is gone
    except BaseException as exc:  # told to the importing process, which raises it
        try:
            send.send_bytes(pickle.dumps(("error", _described(exc))))
        except (BrokenPipeError, ConnectionResetError):
            pass
    finally:
        send.close()


# Rows cross the pipe as marshal data — plain tuples of strings and numbers, dates as ordinals —
# which costs a fraction of pickling dataclasses; the importing process reads them through
# PreparedWorker, a named tuple with ParsedWorker's fields.
_FIELDS = tuple(f.name for f in dataclasses.fields(ParsedWorker))
_BIRTH, _HIRE = _FIELDS.index("birth_date"), _FIELDS.index("hire_date")
PreparedWorker = namedtuple("PreparedWorker", _FIELDS)  # type: ignore[misc]  # noqa: PYI024


def _packed(p: ParsedWorker) -> tuple[Any, ...]:
    values = [getattr(p, name) for name in _FIELDS]
    values[_BIRTH] = p.birth_date.toordinal()
    values[_HIRE] = p.hire_date.toordinal() if p.hire_date is not None else None
    return tuple(values)


def _notes(notes: list[RowError] | list[RowWarning]) -> list[tuple[int, str, str, str]] | None:
    if not notes:
        return None
    return [(n.row, str(n.column), str(n.value), str(n.message)) for n in notes]


def _unpacked(chunk: list[tuple[Any, ...]]) -> Iterator[Item]:
    from_ordinal = dt.date.fromordinal
    for number, packed, errors, warnings, keys in chunk:
        worker = None
        if packed is not None:
            values = list(packed)
            values[_BIRTH] = from_ordinal(values[_BIRTH])
            if values[_HIRE] is not None:
                values[_HIRE] = from_ordinal(values[_HIRE])
            worker = PreparedWorker._make(values)
        yield (
            number,
            worker,  # type: ignore[misc]
            [RowError(*e) for e in errors] if errors else [],
            [RowWarning(*w) for w in warnings] if warnings else [],
            keys,
        )


def _described(exc: BaseException) -> dict[str, Any]:
    return {
        "type": type(exc),
        "message": str(getattr(exc, "message", "") or exc),
        "attrs": {k: getattr(exc, k) for k in ("code", "details", "status") if hasattr(exc, k)},
        "trace": "".join(traceback.format_exception(exc)),
    }


def _rebuilt(described: dict[str, Any]) -> BaseException:
    """The child's exception, same type, message and code (ApplicationError and the like)."""
    cls = described["type"]
    try:
        exc = cls.__new__(cls)
        Exception.__init__(exc, described["message"])
        if "code" in described["attrs"]:  # an ApplicationError: its message is an attribute too
            exc.message = described["message"]
        for key, value in described["attrs"].items():
            setattr(exc, key, value)
    except Exception:
        exc = RuntimeError(described["message"])
    exc.__cause__ = RuntimeError(f"in the roster reading process:\n{described['trace']}")
    return exc
