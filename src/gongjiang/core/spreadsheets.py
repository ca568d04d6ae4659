"""Reading and writing the spreadsheets that rosters and ledgers travel in.

Reading: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv in UTF-8 (with or without BOM) or
GBK/GB18030 (detected). Rows come with the row number the user sees (Excel: 1-based sheet row,
counting title lines; CSV: the line number, counting the header).
Writing lives in :mod:`gongjiang.core.exports` (typed, never a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
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


def read_rows(
    source: str | Path | IO[bytes], filename: str | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number as the user sees it, cells) for every row of the first sheet."""
    name = filename or (
        str(source) if isinstance(source, str | Path) else getattr(source, "name", "")
    )
    suffix = Path(name).suffix.lower()
    if suffix in CSV_SUFFIXES:
        yield from _read_csv(source)
    elif suffix in EXCEL_SUFFIXES:
        yield from _read_excel(source)
    else:
        raise UnreadableFile(
            _("“%(name)s” is not a spreadsheet: use .xlsx, .xls or .csv.")
            % {"name": Path(name).name or "?"}
        )


def _read_excel(source: str | Path | IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(source, str | Path):
            wb = CalamineWorkbook.from_path(str(source))
        else:
            data = source.read()
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not wb.sheet_names:
            raise UnreadableFile(_("The workbook has no sheets."))
        sheet = wb.get_sheet_by_index(0)
        start = sheet.start[0] if sheet.start else 0
        rows = sheet.iter_rows()
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises several types for broken files
        raise UnreadableFile(
            _("The file cannot be read as a spreadsheet: %(error)s") % {"error": exc}
        ) from exc
    for index, row in enumerate(rows):
        yield start + index + 1, list(row)


def _read_csv(source: str | Path | IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            data = fh.read()
    else:
        data = source.read()
    if b"\x00" in data[:4096]:
        raise UnreadableFile(_("The file is binary, not CSV text."))
    encoding = detect_encoding(data[: 1 << 20])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(_("The file is neither UTF-8 nor GBK/GB18030 text.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise UnreadableFile(
            _("The CSV file is malformed near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
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
