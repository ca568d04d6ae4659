"""The bounded spreadsheet reader against hostile files: every one ends as rows or as a clear
UnreadableFile, never as a dead process or a memory blow-up (issue: security findings 1 and 2)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from gongjiang.core import spreadsheets
from gongjiang.core.spreadsheets import UnreadableFile, read_rows

from . import hostile_files as hostile


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _message(path: Path | io.BytesIO, name: str | None = None) -> str:
    with pytest.raises(UnreadableFile) as caught:
        list(read_rows(path, name))
    return caught.value.message


def test_far_cell_declared_is_refused_before_reading(tmp_path: Path) -> None:
    data = hostile.far_cell_xlsx()
    assert len(data) < 2000
    message = _message(_write(tmp_path, "far.xlsx", data))
    assert "1,048,576" in message and "16,384" in message


def test_far_cell_undeclared_kills_only_the_child(tmp_path: Path, settings: Any) -> None:
    """The sheet claims A1 only; calamine would allocate ~550 GB and abort its process. It runs in
    a child under an address-space cap: the child dies, this process gets UnreadableFile."""
    settings.SPREADSHEET_READER_MEMORY = 1 << 30
    message = _message(_write(tmp_path, "far.xlsx", hostile.far_cell_xlsx(declare=False)))
    assert "1,024 MB" in message  # names the limit


def test_sheet_used_area_over_the_cell_cap_is_refused_by_the_child(
    tmp_path: Path, settings: Any
) -> None:
    settings.SPREADSHEET_MAX_CELLS = 3
    rows = [["姓名", "身份证号"], ["张三", "1"], ["李四", "2"]]
    message = _message(_write(tmp_path, "wide.xlsx", hostile.plain_xlsx(rows)))
    assert "3 rows × 2 columns" in message


def test_zip_bomb_ratio_is_refused_before_unpacking(tmp_path: Path) -> None:
    data = hostile.zip_bomb_xlsx(64)
    assert len(data) < 200_000
    message = _message(_write(tmp_path, "bomb.xlsx", data))
    assert "zip bomb" in message


def test_unpacked_size_over_the_limit_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.SPREADSHEET_MAX_UNPACKED = 2000
    rows = [["姓名"]] + [[f"工人{i}"] for i in range(200)]
    message = _message(_write(tmp_path, "big.xlsx", hostile.plain_xlsx(rows)))
    assert "unpacks to" in message


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    message = _message(_write(tmp_path, "lol.xlsx", hostile.entity_expansion_xlsx()))
    assert "entities" in message


@pytest.mark.parametrize("cut", [30, 300, 2000])
def test_truncated_workbook(tmp_path: Path, cut: int) -> None:
    data = hostile.plain_xlsx([["姓名", "身份证号"], ["张三", "110101199003070011"]])
    message = _message(_write(tmp_path, "cut.xlsx", data[:cut]))
    assert message


def test_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    assert "damaged" in _message(_write(tmp_path, "fake.xlsx", b"name,id\n"))
    assert _message(_write(tmp_path, "fake.xls", b"\x00" * 5000))  # read (and refused) by the child


def test_upload_over_the_size_limit(settings: Any) -> None:
    settings.MAX_UPLOAD_SIZE = 1000
    upload = io.BytesIO(b"a,b\n" * 1000)
    assert "more than" in _message(upload, "big.csv")


def test_gbk_csv_is_read_and_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    text = "姓名,工种\n张三,焊工\n"
    rows = list(read_rows(_write(tmp_path, "gbk.csv", text.encode("gbk"))))
    assert rows == [(1, ["姓名", "工种"]), (2, ["张三", "焊工"])]
    assert "UTF-16" in _message(_write(tmp_path, "u16.csv", text.encode("utf-16")))
    assert "binary" in _message(_write(tmp_path, "bin.csv", b"PK\x03\x04\x00\x00" * 10))


def test_invalid_utf8_after_the_sample_names_the_line(tmp_path: Path) -> None:
    head = "姓名,工种\n" + "张三,焊工\n" * 100_000  # over 1 MiB of good UTF-8 ...
    data = head.encode() + b"\xff\xfe,bad\n"  # ... then bytes that are no UTF-8
    message = _message(_write(tmp_path, "late.csv", data))
    assert message.startswith("Line 100002 is not UTF-8 text")


def test_csv_line_and_column_limits(tmp_path: Path, settings: Any) -> None:
    settings.SPREADSHEET_MAX_COLUMNS = 5
    assert "columns" in _message(_write(tmp_path, "wide.csv", b"a,b\n" + b"x," * 10 + b"\n"))
    assert "longer than" in _message(_write(tmp_path, "long.csv", b"a\n" + b"x" * (2 << 20)))
    settings.SPREADSHEET_MAX_ROWS = 3
    assert "lines" in _message(_write(tmp_path, "long.csv", b"a\n1\n2\n3\n4\n"))


def test_stopping_early_stops_the_child_and_removes_the_copy(tmp_path: Path) -> None:
    rows = [["n"]] + [[str(i)] for i in range(5000)]
    data = hostile.plain_xlsx(rows)
    before = set(Path(spreadsheets.tempfile.gettempdir()).glob("gj-sheet-*"))
    reader = read_rows(io.BytesIO(data), "r.xlsx")
    iterator = iter(reader)
    assert next(iterator) == (1, ["n"])
    assert reader.total == 5001
    reader.close()
    after = set(Path(spreadsheets.tempfile.gettempdir()).glob("gj-sheet-*"))
    assert after <= before


@pytest.mark.slow
def test_million_row_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A 1M-row CSV (~50 MB) read to the end in a fresh process: reading it raises the peak RSS
    by less than 100 MB over the process's own (reading it whole into a list took 2.3 GB)."""
    path = tmp_path / "million.csv"
    hostile.big_csv(
        str(path),
        1_000_000,
        header=["姓名", "身份证号", "工种", "技能等级"],
        row=lambda i: [f"工人{i}", f"11010119900307{i % 10000:04d}", "焊工", "高级工"],
    )
    assert path.stat().st_size > 40_000_000
    script = (
        "import resource, sys\n"
        "from gongjiang.core.spreadsheets import read_rows\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "n = sum(1 for _ in read_rows(sys.argv[1]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(n, (after - before) // 1024)\n"
    )
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(sys.path),
        DJANGO_SETTINGS_MODULE="gongjiang.settings",
        DEBUG="1",
    )
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    assert int(out[0]) == 1_000_001
    assert int(out[1]) < 100, f"reading raised the peak RSS by {out[1]} MiB"
