"""Reading and writing the spreadsheets that rosters and ledgers travel in.

Reading: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv in UTF-8 (with or without BOM) or
GBK/GB18030 (detected). Rows come with the row number the user sees (Excel: 1-based sheet row,
counting title lines; CSV: the line number, counting the header).
Writing lives in :mod:`gongjiang.core.exports` (typed, never a formula).

Every spreadsheet read from a user goes through :func:`read_rows`, the platform's one bounded
reader: whatever a file holds, the caller gets rows or :class:`UnreadableFile`, in bounded memory.

* A zip-based workbook is checked before anything is unpacked (:func:`_check_workbook`): number of
  parts, declared unpacked size, compression ratio of each large part (zip bombs), XML entity
  declarations (entity expansion), and the used area each worksheet declares in ``<dimension>``
  (read from the first 64 KiB of the part).
* A workbook is read by calamine in a child process (:mod:`gongjiang.core.sheet_child`) with capped
  address space and CPU time, because calamine allocates the used area as one grid and its runtime
  aborts the process when that fails (a 1.6 KB file with a cell at XFD1048576). The child sends
  rows in batches; if it dies, the caller gets UnreadableFile.
* A CSV is decoded and parsed line by line in this process.
* Rows, columns and cells are capped (settings ``SPREADSHEET_*``; docs/operations.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import pickle
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from .errors import ApplicationError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}


class UnreadableFile(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="unreadable_file", status=422)


def detect_encoding(sample: bytes) -> str:
    """'utf-8-sig' (BOM), 'utf-8', or 'gb18030' (a superset of GBK and GB2312)."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(sample) - 3:
            try:
                sample[: exc.start].decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                pass
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(_("The file is neither UTF-8 nor GBK/GB18030 text.")) from exc


@dataclass(frozen=True)
class Limits:
    """What a spreadsheet read from a user may be (settings ``SPREADSHEET_*``; docs/operations.md)."""

    max_bytes: int  # the file as uploaded
    max_rows: int
    max_columns: int
    max_cells: int  # rows × columns of the used area
    max_unpacked: int  # .xlsx/.ods: the members' declared uncompressed sizes, together
    max_ratio: int  # .xlsx/.ods: uncompressed ÷ compressed, per member of more than 1 MiB
    max_members: int  # .xlsx/.ods: files inside the zip
    max_line: int  # .csv: characters in one line
    reader_memory: int  # the reading child's address space (bytes)
    reader_seconds: int  # the reading child's CPU time


def limits() -> Limits:
    from django.conf import settings

    return Limits(
        max_bytes=settings.MAX_UPLOAD_SIZE,
        max_rows=settings.SPREADSHEET_MAX_ROWS,
        max_columns=settings.SPREADSHEET_MAX_COLUMNS,
        max_cells=settings.SPREADSHEET_MAX_CELLS,
        max_unpacked=settings.SPREADSHEET_MAX_UNPACKED,
        max_ratio=settings.SPREADSHEET_MAX_RATIO,
        max_members=10_000,
        max_line=1 << 20,
        reader_memory=settings.SPREADSHEET_READER_MEMORY,
        reader_seconds=settings.SPREADSHEET_READER_SECONDS,
    )


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB" if n >= 1 << 20 else f"{n:,} B"


def _too_large(what: str) -> UnreadableFile:
    return UnreadableFile(
        _(
            "The file is too large to read: %(what)s. Split it into smaller files, or delete the "
            "empty rows and columns below and to the right of the data."
        )
        % {"what": what}
    )


class SheetRows:
    """The rows of the first sheet, read lazily: iterate once for (row number, cells).

    ``total`` is the number of rows the file holds (known before the first row for a CSV file,
    after it for a workbook), for progress bars. ``close()`` (or the end of the iteration) stops
    the reading child and removes the temporary copy of an uploaded file.
    """

    def __init__(self, source: str | Path | IO[bytes], suffix: str, lim: Limits) -> None:
        self.total: int | None = None
        self._source = source
        self._suffix = suffix
        self._limits = lim
        self._iterator: Iterator[tuple[int, list[Any]]] | None = None

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        if self._iterator is None:
            self._iterator = self._rows()
        return self._iterator

    def __next__(self) -> tuple[int, list[Any]]:
        return next(iter(self))

    def close(self) -> None:
        if self._iterator is not None:
            self._iterator.close()  # type: ignore[attr-defined]

    def _rows(self) -> Iterator[tuple[int, list[Any]]]:
        path, temporary = _local_copy(self._source, self._suffix, self._limits)
        try:
            if self._suffix in CSV_SUFFIXES:
                yield from _read_csv(path, self._limits, self)
            else:
                _check_workbook(path, self._suffix, self._limits)
                yield from _read_excel(path, self._limits, self)
        finally:
            if temporary:
                path.unlink(missing_ok=True)


def read_rows(source: str | Path | IO[bytes], filename: str | None = None) -> SheetRows:
    """The rows of the first sheet as (row number as the user sees it, cells), streamed.

    Bounded: the limits of :func:`limits` are checked before and while reading, a workbook is
    read in a child process with capped memory (:mod:`gongjiang.core.sheet_child`), and whatever
    the file holds the caller gets rows or :class:`UnreadableFile`.
    """
    name = filename or (
        str(source) if isinstance(source, str | Path) else getattr(source, "name", "")
    )
    suffix = Path(name).suffix.lower()
    if suffix not in CSV_SUFFIXES and suffix not in EXCEL_SUFFIXES:
        raise UnreadableFile(
            _("“%(name)s” is not a spreadsheet: use .xlsx, .xls or .csv.")
            % {"name": Path(name).name or "?"}
        )
    return SheetRows(source, suffix, limits())


def _local_copy(source: str | Path | IO[bytes], suffix: str, lim: Limits) -> tuple[Path, bool]:
    """A path to the file's bytes: the path given, or a private temporary copy (0600) of a file
    object, copied in 1 MiB chunks and refused past the size limit. Returns (path, temporary)."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise UnreadableFile(_("The file cannot be opened.")) from exc
        if size > lim.max_bytes:
            raise _too_large(_mib(size))
        return path, False
    fd, name = tempfile.mkstemp(prefix="gj-sheet-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            copied = 0
            while chunk := source.read(1 << 20):
                copied += len(chunk)
                if copied > lim.max_bytes:
                    raise _too_large(_("more than %(limit)s") % {"limit": _mib(lim.max_bytes)})
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, True


_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?\""
)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_workbook(path: Path, suffix: str, lim: Limits) -> None:
    """Refuse a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) before calamine sees it: too many
    members, too much unpacked data or too high a compression ratio (a zip bomb), a DTD in an XML
    part (entity expansion), or a sheet whose declared used area is past the limits."""
    if suffix == ".xls":
        return  # an OLE2 file, not a zip: only the child's limits apply
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(
            _("The file is damaged or incomplete (not a valid %(type)s workbook).")
            % {"type": suffix}
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > lim.max_members:
            raise _too_large(_("%(n)s parts inside the workbook") % {"n": f"{len(members):,}"})
        unpacked = sum(m.file_size for m in members)
        if unpacked > lim.max_unpacked:
            raise _too_large(
                _("it unpacks to %(size)s (the limit is %(limit)s)")
                % {"size": _mib(unpacked), "limit": _mib(lim.max_unpacked)}
            )
        for member in members:
            if member.file_size > 1 << 20 and member.file_size > lim.max_ratio * max(
                member.compress_size, 1
            ):
                raise UnreadableFile(
                    _(
                        "The file is refused: a part of it unpacks to %(ratio)s times its packed "
                        "size (a “zip bomb”; the limit is %(limit)s times)."
                    )
                    % {
                        "ratio": member.file_size // max(member.compress_size, 1),
                        "limit": lim.max_ratio,
                    }
                )
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(member) as part:
                    head = part.read(1 << 16)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise UnreadableFile(
                    _("The file is damaged or incomplete (not a valid %(type)s workbook).")
                    % {"type": suffix}
                ) from exc
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UnreadableFile(
                    _(
                        "The file is refused: it declares XML entities, which spreadsheets never need."
                    )
                )
            if member.filename.startswith("xl/worksheets/") and (m := _DIMENSION.search(head)):
                first_col, first_row = _column_number(m[1]), int(m[2])
                last_col = _column_number(m[3]) if m[3] else first_col
                last_row = int(m[4]) if m[4] else first_row
                rows = last_row - first_row + 1
                columns = last_col - first_col + 1
                if (
                    rows > lim.max_rows
                    or columns > lim.max_columns
                    or rows * columns > lim.max_cells
                ):
                    raise _too_large(
                        _(
                            "its sheet declares a used area of %(rows)s rows × %(columns)s "
                            "columns (the limits are %(max_rows)s rows, %(max_columns)s columns, "
                            "%(max_cells)s cells)"
                        )
                        % {
                            "rows": f"{rows:,}",
                            "columns": f"{columns:,}",
                            "max_rows": f"{lim.max_rows:,}",
                            "max_columns": f"{lim.max_columns:,}",
                            "max_cells": f"{lim.max_cells:,}",
                        }
                    )


def _read_excel(path: Path, lim: Limits, state: SheetRows) -> Iterator[tuple[int, list[Any]]]:
    """Rows from :mod:`gongjiang.core.sheet_child`, which reads the workbook under a memory cap."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    command = [
        sys.executable,
        str(Path(__file__).with_name("sheet_child.py")),
        str(path),
        str(lim.reader_memory),
        str(lim.reader_seconds),
        str(lim.max_rows),
        str(lim.max_columns),
        str(lim.max_cells),
    ]
    child = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert child.stdout is not None
    try:
        start = 0
        index = 0
        while True:
            try:
                record = pickle.load(child.stdout)
            except (EOFError, pickle.UnpicklingError):
                record = None
            if record is None:
                code = child.wait()
                raise UnreadableFile(
                    _(
                        "The file needs more than %(limit)s of memory or more than %(seconds)s "
                        "seconds to read, and was given up. Delete the empty rows and columns "
                        "below and to the right of the data, or save it as CSV."
                    )
                    % {"limit": _mib(lim.reader_memory), "seconds": lim.reader_seconds}
                    if code != 0
                    else _("The file cannot be read as a spreadsheet.")
                )
            kind = record[0]
            if kind == "rows":
                for row in record[1]:
                    yield start + index + 1, row
                    index += 1
            elif kind == "start":
                start, state.total = record[1], record[2]
            elif kind == "end":
                return
            elif record[1] == "no_sheets":
                raise UnreadableFile(_("The workbook has no sheets."))
            elif record[1] == "too_large":
                height, _x, width = record[2].partition("x")
                raise _too_large(
                    _("its first sheet has %(rows)s rows × %(columns)s columns")
                    % {"rows": f"{int(height):,}", "columns": f"{int(width):,}"}
                )
            elif record[1] == "memory":
                raise _too_large(
                    _("more than %(limit)s of memory") % {"limit": _mib(lim.reader_memory)}
                )
            else:
                raise UnreadableFile(
                    _("The file cannot be read as a spreadsheet: %(error)s") % {"error": record[2]}
                )
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.wait()


def _read_csv(path: Path, lim: Limits, state: SheetRows) -> Iterator[tuple[int, list[Any]]]:
    """Rows of a CSV file, decoded and parsed as they are read (memory: one line at a time)."""
    with open(path, "rb") as raw:
        sample = raw.read(1 << 20)
        if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnreadableFile(
                _(
                    "The file is UTF-16 text: save it as “CSV UTF-8” (or as .xlsx) and upload it again."
                )
            )
        if b"\x00" in sample[:4096]:
            raise UnreadableFile(_("The file is binary, not CSV text."))
        encoding = detect_encoding(sample)
        lines = sample.count(b"\n")
        while chunk := raw.read(1 << 22):
            lines += chunk.count(b"\n")
        state.total = lines + 1
        raw.seek(0)
        lines_read = _decoded_lines(raw, encoding, lim.max_line)
        reader = csv.reader(lines_read)
        try:
            for row in reader:
                number = reader.line_num
                if number > lim.max_rows:
                    raise _too_large(_("more than %(n)s lines") % {"n": f"{lim.max_rows:,}"})
                if len(row) > lim.max_columns:
                    raise _too_large(
                        _("line %(line)d has %(n)s columns (the limit is %(limit)s)")
                        % {"line": number, "n": f"{len(row):,}", "limit": f"{lim.max_columns:,}"}
                    )
                yield number, row
        except csv.Error as exc:
            raise UnreadableFile(
                _("The CSV file is malformed near line %(line)d: %(error)s")
                % {"line": reader.line_num, "error": exc}
            ) from exc


def _decoded_lines(raw: IO[bytes], encoding: str, max_line: int) -> Iterator[str]:
    """The file's lines decoded one by one (a newline byte is never inside a UTF-8 or GB18030
    character), so a bad byte is reported at its own line, and no line is longer than
    ``max_line`` bytes."""
    name = "GB18030" if encoding == "gb18030" else "UTF-8"
    number = 0
    while line := raw.readline(max_line + 1):
        number += 1
        if len(line) > max_line:
            raise _too_large(
                _("line %(line)d is longer than %(limit)s bytes")
                % {"line": number, "limit": f"{max_line:,}"}
            )
        try:
            yield line.decode(
                encoding if number == 1 else "utf-8" if encoding == "utf-8-sig" else encoding
            )
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                _(
                    "Line %(line)d is not %(encoding)s text: save the file as “CSV UTF-8” and upload it again."
                )
                % {"line": number, "encoding": name}
            ) from exc


def cell_text(value: Any) -> str:
    """A cell as trimmed NFKC text (floats that are whole numbers lose their '.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(row: Sequence[Any]) -> bool:
    return all(cell_text(c) == "" for c in row)


def row_values(row: Sequence[Any], mapping: dict[str, int]) -> dict[str, str]:
    """The cells of ``row`` under the fields :func:`find_header` mapped, as text ("" past its end)."""
    return {field: cell_text(row[i]) if i < len(row) else "" for field, i in mapping.items()}


@dataclass
class RowError:
    """Why a row of an uploaded file was rejected: the row number the user sees, the header as
    written, the value and the reason."""

    row: int
    column: str
    value: str
    message: str


def row_error(
    number: int, header_of: dict[str, str], values: dict[str, str], field: str, message: str
) -> RowError:
    """A :class:`RowError` naming ``field`` by its header as written and giving its value."""
    return RowError(number, header_of.get(field, field), values.get(field, ""), message)


def check_summary(rows: int, valid: int, errors: Sequence[RowError]) -> dict[str, Any]:
    """What an import answers after checking a file: rows read, valid and rejected ones, created
    (0 until the rows are written) and every error."""
    return {
        "rows": rows,
        "valid": valid,
        "rejected": rows - valid,
        "created": 0,
        "errors": [asdict(e) for e in errors],
    }


class RowErrors(list[RowError]):
    """The errors of one row while it is checked: ``bad(field, message)`` adds one."""

    def __init__(self, number: int, values: dict[str, str], header_of: dict[str, str]) -> None:
        super().__init__()
        self.number = number
        self.values = values
        self.header_of = header_of

    def bad(self, field: str, message: str) -> None:
        self.append(row_error(self.number, self.header_of, self.values, field, message))


def find_header(
    rows: Iterable[tuple[int, list[Any]]],
    aliases: dict[str, Sequence[str]],
    required: Sequence[str],
    *,
    within: int = 10,
) -> tuple[int, dict[str, int], list[str], Iterator[tuple[int, list[Any]]]]:
    """Find the first row among the first ``within`` that holds every required column.

    ``aliases`` maps a field to the headers that name it (exact after trimming). Returns the header
    row number, {field: column index}, the header texts as written, and the iterator of the rows
    below it.
    """
    iterator = iter(rows)
    lookup = {alias.strip(): field for field, names in aliases.items() for alias in names}
    for _i in range(within):
        try:
            number, row = next(iterator)
        except StopIteration:
            break
        headers = [cell_text(c) for c in row]
        mapping: dict[str, int] = {}
        for index, header in enumerate(headers):
            field = lookup.get(header)
            if field and field not in mapping:
                mapping[field] = index
        if all(f in mapping for f in required):
            return number, mapping, headers, iterator
    raise UnreadableFile(
        _("No header row with the columns %(columns)s was found in the first %(n)d rows.")
        % {"columns": "、".join(aliases[f][0] for f in required), "n": within}
    )
