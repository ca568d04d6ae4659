"""Helpers of the workforce tests: valid citizen IDs, roster files in every format, workers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from gongjiang.core.actors import SYSTEM
from gongjiang.core.validators import citizen_id_check_digit

HEADER = ["姓名", "身份证号", "性别", "出生日期", "手机号", "技能等级", "入职日期", "工种", "班组"]


def citizen_id(
    n: int, birth: dt.date = dt.date(1990, 1, 5), male: bool = True, region: str = "110105"
) -> str:
    """A valid 18-character ID; ``n`` (0–49) makes it unique for one birth date."""
    seq = (n % 50) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"[:17]
    return body + citizen_id_check_digit(body)


def unique_id(n: int, male: bool = True) -> str:
    """A valid ID unique for n in 0 … 9,999,999."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=(n // 50) % 15000)
    return citizen_id(n, birth=birth, male=male)


def write_roster(
    path: Path, rows: list[list[Any]], *, header: list[str] | None = None, title_rows: int = 0
) -> Path:
    """Write a roster as .xlsx, .xls or .csv (suffix ``.gbk.csv`` writes GBK) with optional title rows."""
    header = header or HEADER
    all_rows: list[list[Any]] = [
        ["2026年职工花名册"] + [""] * (len(header) - 1) for _ in range(title_rows)
    ]
    all_rows += [header] + rows
    name = path.name
    if name.endswith(".xlsx"):
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet()
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for r, row in enumerate(all_rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                elif v is not None:
                    ws.write(r, c, v)
        wb.close()
    elif name.endswith(".xls"):
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("花名册")
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for r, row in enumerate(all_rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write(r, c, dt.datetime.combine(v, dt.time()), date_style)
                elif v is not None:
                    ws.write(r, c, v)
        wb.save(str(path))
    else:
        encoding = (
            "gb18030"
            if name.endswith(".gbk.csv")
            else "utf-8-sig"
            if name.endswith(".bom.csv")
            else "utf-8"
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in all_rows:
            writer.writerow(
                ["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row]
            )
        path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def make_worker(organization: Any, n: int = 1, **extra: Any) -> Any:
    from gongjiang.workforce.services import worker_create

    fields: dict[str, Any] = {
        "name": f"张{'一二三四五六七八九十'[n % 10]}",
        "citizen_id": unique_id(n),
    }
    fields.update(extra)
    return worker_create(actor=SYSTEM, organization=organization, **fields)
