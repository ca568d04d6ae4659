"""The one way the platform writes spreadsheets and CSV files for people to download.

Every value a user typed (a name, a title, a remark) is written as text, never as a formula or a
link: an organisation called ``=HYPERLINK("http://x","y")`` must arrive in Excel as those characters,
not as a live link (CSV/formula injection, OWASP). Numbers, dates and booleans keep their types.

- ``.xlsx`` through xlsxwriter with ``strings_to_formulas``/``strings_to_urls``/``strings_to_numbers``
  off and every text cell written with ``write_string``; ``constant_memory`` by default so exports of
  any size keep memory flat (rows must then be written top to bottom). Merged title cells go
  through the same typed writer.
- CSV in UTF-8 with a byte-order mark (Excel then opens Chinese text correctly), a cell that starts
  with ``= + - @`` tab or carriage return prefixed with ``'`` (OWASP's advice for CSV injection).
- Download names: ``content_disposition`` gives an ASCII ``filename=`` fallback and the RFC 5987
  ``filename*=UTF-8''…`` form, so 职工名册.xlsx keeps its Chinese name in every browser.

No module but this one imports xlsxwriter or writes CSV for a download (a test guards it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .downloads import content_disposition as disposition
from .downloads import safe_filename as safe_filename

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
#: what may start a formula in Excel, LibreOffice or Google Sheets (OWASP, CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on the text of one cell
MAX_CELL_TEXT = 32767
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_LAYOUT_METHODS = frozenset(
    {
        "set_column",
        "set_row",
        "freeze_panes",
        "set_landscape",
        "set_portrait",
        "set_paper",
        "repeat_rows",
        "fit_to_pages",
        "autofilter",
        "set_header",
        "set_footer",
        "hide_gridlines",
        "write_comment",  # a note is never evaluated
    }
)

SheetSpec = tuple[str, Sequence[Any], Iterable[Sequence[Any]]]


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, no leading/trailing apostrophe, ≤ 31."""
    text = _SHEET_FORBIDDEN.sub("_", str(title or "")).strip().strip("'")[:31] or "Sheet"
    used = {t.lower() for t in taken}
    candidate, n = text, 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = text[: 31 - len(suffix)] + suffix
    return candidate


def _naive(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class ExportSheet:
    """One worksheet whose every write is typed and safe. Layout calls (``set_column``,
    ``freeze_panes``, ``set_landscape`` …) pass through to xlsxwriter; raw writes do not."""

    def __init__(self, book: ExportWorkbook, worksheet: Any) -> None:
        self._book = book
        self._ws = worksheet

    def __getattr__(self, name: str) -> Any:
        if name in _LAYOUT_METHODS:
            return getattr(self._ws, name)
        raise AttributeError(f"ExportSheet has no {name!r}: write cells through cell()/row()")

    def cell(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """Write one value with its type: text as text (never a formula), numbers, dates."""
        ws, book = self._ws, self._book
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
            return
        if isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float | Decimal):
            number = float(value)
            # Excel keeps 15 significant digits: a longer number (an ID typed as one) stays text
            if math.isfinite(number) and abs(number) < 1e15:
                ws.write_number(row, col, number, fmt)
            else:
                ws.write_string(row, col, str(value), fmt)
        elif isinstance(value, dt.datetime):
            ws.write_datetime(row, col, _naive(value), fmt or book.datetime_format)
        elif isinstance(value, dt.date):
            ws.write_datetime(
                row, col, dt.datetime.combine(value, dt.time()), fmt or book.date_format
            )
        else:
            ws.write_string(row, col, str(value)[:MAX_CELL_TEXT], fmt)

    def row(
        self,
        row: int,
        values: Sequence[Any],
        fmt: Any = None,
        *,
        formats: dict[int, Any] | None = None,
        first_col: int = 0,
    ) -> None:
        for c, value in enumerate(values, start=first_col):
            self.cell(row, c, value, (formats or {}).get(c, fmt))

    def merged(
        self, first_row: int, first_col: int, last_row: int, last_col: int, value: Any, fmt: Any
    ) -> None:
        """A merged range whose text is written like any other cell (a title cannot be a formula)."""
        self._ws.merge_range(first_row, first_col, last_row, last_col, "", fmt)
        self.cell(first_row, first_col, value, fmt)


class ExportWorkbook:
    """An xlsxwriter workbook that cannot write a user's text as a formula or a link.

    ``target`` is a path or a binary file; ``constant_memory`` (default) streams rows to disk.
    Use as a context manager, or call ``close()``.
    """

    def __init__(self, target: str | Path | IO[bytes], *, constant_memory: bool = True) -> None:
        import xlsxwriter

        in_memory = not isinstance(target, str | Path)
        self._book = xlsxwriter.Workbook(
            str(target) if isinstance(target, Path) else target,
            {
                **WORKBOOK_OPTIONS,
                "constant_memory": constant_memory and not in_memory,
                "in_memory": in_memory,
            },
        )
        self._titles: list[str] = []
        self.date_format = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime_format = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.header_format = self._book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1}
        )

    def add_format(self, properties: dict[str, Any]) -> Any:
        return self._book.add_format(properties)

    def add_sheet(self, title: str) -> ExportSheet:
        name = sheet_title(title, self._titles)
        self._titles.append(name)
        return ExportSheet(self, self._book.add_worksheet(name))

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> ExportWorkbook:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def write_xlsx(target: str | Path | IO[bytes], sheets: Sequence[SheetSpec]) -> None:
    """Write sheets given as (title, header, rows): a bold frozen header, then the typed rows."""
    with ExportWorkbook(target) as book:
        for title, header, rows in sheets:
            sheet = book.add_sheet(title)
            sheet.freeze_panes(1, 0)
            for col, text in enumerate(header):
                sheet.cell(0, col, text, book.header_format)
                sheet.set_column(col, col, max(10, min(40, len(str(text)) * 2 + 2)))
            for r, values in enumerate(rows, start=1):
                sheet.row(r, values)


def xlsx_bytes(sheets: Sequence[SheetSpec]) -> bytes:
    """The workbook in memory (for exports of a page's size; use ``xlsx_file`` for big ones)."""
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def xlsx_file(sheets: Sequence[SheetSpec]) -> IO[bytes]:
    """The workbook in a temporary file written in constant memory, rewound for reading."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    write_xlsx(handle.name, sheets)
    handle.seek(0)
    return handle


# ------------------------------------------------------------------------------------- CSV
def csv_cell(value: Any) -> str:
    """A value as CSV text; text that could start a formula gets a leading ``'`` (OWASP)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return _naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text line by line, starting with the byte-order mark."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"
    yield writer.writerow([csv_cell(v) for v in header])
    for values in rows:
        yield writer.writerow([csv_cell(v) for v in values])


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    return "".join(csv_lines(header, rows)).encode("utf-8")


# ------------------------------------------------------------------------------- downloads
def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''…`` (RFC 6266 / RFC 5987), the ASCII
    fallback spelled in pinyin (core.downloads)."""
    return disposition(safe_filename(filename), inline=inline)


def xlsx_response(data: bytes | IO[bytes], filename: str) -> HttpResponse:
    """A download of a workbook given as bytes or an open (temporary) file."""
    if isinstance(data, bytes | bytearray):
        response: HttpResponse = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    else:
        response = FileResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def csv_response(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM, cells escaped against formulas)."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def file_response(handle: IO[bytes], filename: str, *, content_type: str | None = None) -> Any:
    """A stored file (a report, a PDF) as a download under a safe name."""
    name = safe_filename(filename)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    return response
