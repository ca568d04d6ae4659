"""The validation report: a copy of the user's roster with bad cells highlighted and a reason column.

Every row of the first sheet is copied as it was (title rows too, so row numbers match the
messages); a cell named by an error gets a red fill, a cell named only by a warning a yellow one,
and a last column "reason" (错误原因) lists the messages of the row. Written by
:mod:`gongjiang.core.exports` in constant-memory mode, so it works for files of any size, and a cell
the user typed as ``=…`` comes back as text, not as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from gongjiang.core.exports import ExportWorkbook
from gongjiang.core.spreadsheets import cell_text
from gongjiang.core.validators import mask_citizen_id

from .importer import ImportResult


def _column_index(result: ImportResult) -> dict[str, int]:
    from .reader import _column_letter

    out: dict[str, int] = {}
    for _field, index in result.mapping.items():
        header = result.headers[index] if index < len(result.headers) else ""
        letter = _column_letter(index)
        for label in (header, letter, _("column %(letter)s") % {"letter": letter}):
            if label:
                out.setdefault(label, index)
    return out


def write_report(
    result: ImportResult,
    rows: Iterable[tuple[int, list[Any]]],
    target: str | Path | IO[bytes],
    *,
    mask_ids: bool = True,
) -> None:
    """Write the report of ``result`` over the file's ``rows`` (streamed: one row in memory) to
    ``target``. With ``mask_ids`` the citizen-ID column shows masked numbers (110***********1234),
    for users whose role may not see full IDs."""
    columns = _column_index(result)
    id_column = result.mapping.get("citizen_id") if mask_ids else None
    bad: dict[int, dict[int, str]] = defaultdict(dict)  # row → {column index: "error" | "warning"}
    reasons: dict[int, list[str]] = defaultdict(list)
    for e in result.errors:
        col = columns.get(e.column)
        if col is not None:
            bad[e.row][col] = "error"
        reasons[e.row].append(f"{e.column}：{e.message}" if e.column else e.message)
    for w in result.warnings:
        col = columns.get(w.column)
        if col is not None:
            bad[w.row].setdefault(col, "warning")
        reasons[w.row].append(f"{w.column}：{w.message}" if w.column else w.message)

    book = ExportWorkbook(target)
    ws = book.add_sheet(_("Validation report"))
    fmt = {
        "error": book.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"}),
        "warning": book.add_format({"bg_color": "#FFEB9C"}),
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "reason": book.add_format({"font_color": "#9C0006", "text_wrap": False}),
    }
    width = max(len(result.headers), 1)
    ws.set_column(width, width, 60)
    for number, cells in rows:
        r = number - 1
        marks = bad.get(number, {})
        if id_column is not None and number > result.header_row and id_column < len(cells):
            cells = list(cells)
            text = cell_text(cells[id_column])
            cells[id_column] = mask_citizen_id(text) if len(text) >= 8 else text
        for c, value in enumerate(cells):
            style = fmt.get(marks.get(c, ""))
            if isinstance(value, dt.time | dt.timedelta):
                value = str(value)
            elif isinstance(value, dt.date) and style is None:
                style = book.date_format  # as the roster shows it: a day
            ws.cell(r, c, value, style)
        if number == result.header_row:
            ws.cell(r, width, _("reason"), fmt["head"])
        elif number in reasons:
            ws.cell(r, width, "；".join(reasons[number]), fmt["reason"])
    book.close()
