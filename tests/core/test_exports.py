"""The export helper itself: text never becomes a formula or a link, types are kept, CSV cells that
could start a formula are escaped (OWASP), download names survive Chinese, and no other module
writes spreadsheets on its own."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.core import exports
from gongjiang.core.downloads import MAX_STEM
from gongjiang.core.exports import (
    ExportWorkbook,
    content_disposition,
    csv_bytes,
    csv_cell,
    safe_filename,
    sheet_title,
    xlsx_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "http://example.com/phish",
    "0123",
]
SRC = Path(__file__).resolve().parents[2] / "src" / "gongjiang"


def formulas_in(data: bytes) -> list[str]:
    """Every formula in a workbook: cells openpyxl reads as formulas, and raw <f> elements."""
    found = []
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{ws.title}!{cell.coordinate}")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", z.read(name)):
                found.append(name)
            if name.startswith("xl/worksheets/_rels/") and b"hyperlink" in z.read(name):
                found.append(name + " (hyperlink)")
    return found


def values_in(data: bytes) -> list[object]:
    """Every cell value (a carriage return is stored as Excel's escape _x000D_, which Excel reads
    back as the character)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [
        c.replace("_x000D_", "\r") if isinstance(c, str) else c
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
    ]


def test_hostile_text_stays_text_in_xlsx() -> None:
    data = xlsx_bytes([("名单", ["名称", "数量"], [[h, 1] for h in HOSTILE])])
    assert formulas_in(data) == []
    values = values_in(data)
    for h in HOSTILE:
        assert h in values, h
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A2"].data_type == "s" and ws["B2"].data_type == "n"


def test_types_are_kept() -> None:
    when = dt.datetime(2026, 5, 1, 8, 30)
    data = xlsx_bytes(
        [("t", ["a"] * 7, [[1, 2.5, Decimal("10.25"), True, dt.date(2026, 1, 2), when, None]])]
    )
    row = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1]
    assert row == (1, 2.5, 10.25, True, dt.datetime(2026, 1, 2), when, None)
    data = xlsx_bytes([("t", ["a", "b"], [[110101199003078888, float("nan")]])])
    row = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1]
    assert row == ("110101199003078888", "nan")  # no digits lost, no invalid number


def test_merged_title_and_streaming_file_are_safe(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with ExportWorkbook(path) as book:
        sheet = book.add_sheet("=台账")
        sheet.merged(0, 0, 0, 3, HOSTILE[0], book.add_format({"bold": True}))
        sheet.row(1, HOSTILE)
    data = path.read_bytes()
    assert formulas_in(data) == []
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == HOSTILE[0] and "A1:D1" in {str(r) for r in ws.merged_cells.ranges}


def test_raw_writes_are_not_reachable() -> None:
    book = ExportWorkbook(io.BytesIO())
    sheet = book.add_sheet("s")
    with pytest.raises(AttributeError):
        sheet.write  # noqa: B018
    with pytest.raises(AttributeError):
        sheet.write_formula  # noqa: B018
    book.close()


def test_sheet_titles_are_valid_and_unique() -> None:
    assert sheet_title("a/b:c*d?[e]\\f") == "a_b_c_d__e__f"
    assert sheet_title("'x'") == "x"
    assert len(sheet_title("题" * 40)) == 31
    assert sheet_title("", []) == "Sheet"
    assert sheet_title("名单", ["名单"]) == "名单 (2)"
    data = xlsx_bytes([("同名", ["a"], []), ("同名", ["a"], [])])
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["同名", "同名 (2)"]


@pytest.mark.parametrize("text", HOSTILE[:7])
def test_csv_escapes_formula_triggers(text: str) -> None:
    assert csv_cell(text) == "'" + text


def test_csv_keeps_numbers_and_plain_text() -> None:
    assert csv_cell(-2) == "-2" and csv_cell(Decimal("-0.50")) == "-0.50"
    assert csv_cell("张三") == "张三" and csv_cell(None) == ""
    assert csv_cell(dt.date(2026, 1, 2)) == "2026-01-02"


def test_csv_file_has_bom_and_escaped_cells() -> None:
    data = csv_bytes(["姓名", "单位"], [[h, "工会"] for h in HOSTILE])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["姓名", "单位"]
    for row in rows[1:]:
        assert not row[0].startswith(exports.FORMULA_TRIGGERS), row


@given(st.text(max_size=30))
def test_csv_cell_never_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(exports.FORMULA_TRIGGERS)
    assert cell in (text, "'" + text)


def test_download_names() -> None:
    header = content_disposition("职工名册-2026.xlsx")
    assert header.startswith('attachment; filename="')
    star = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(star) == "职工名册-2026.xlsx"
    assert content_disposition("ledger.xlsx").startswith('attachment; filename="ledger.xlsx"')
    assert content_disposition("a.pdf", inline=True).startswith("inline;")
    # one cleaner with core.downloads: unsafe characters become spaces, path parts go
    assert safe_filename('../../etc/passwd"\r\n.xlsx') == "etc passwd.xlsx"
    assert "\n" not in content_disposition("bad\nname.xlsx")
    long = safe_filename("名" * 300 + ".xlsx")
    assert len(long) == MAX_STEM + len(".xlsx") and long.endswith(".xlsx")


def test_no_module_but_the_helper_writes_spreadsheets_or_csv() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "core" / "exports.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import xlsxwriter|from xlsxwriter)", text, re.M):
            offenders.append(f"{path}: xlsxwriter")
        if re.search(r"csv\.(writer|DictWriter)\(", text):
            offenders.append(f"{path}: csv writer")
        if "openpyxl" in text and "Workbook(" in text:
            offenders.append(f"{path}: openpyxl workbook")
    assert offenders == []
