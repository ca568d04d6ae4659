"""The roster upload template (花名册模板): an .xlsx with the roster's columns, exactly as the import
recognises them, and one example row that passes the check.

The citizen-ID, phone and employee-number columns are formatted as text, so Excel keeps an
18-digit ID as typed instead of turning it into 1.10105E+17; the date columns as dates.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _

from gongjiang.core.exports import ExportWorkbook

from .reader import COLUMN_ALIASES

# a made-up person: region 110105, born 1990-01-05, sequence 001 (male), valid check digit
EXAMPLE: dict[str, object] = {
    "name": "张三",
    "citizen_id": "110105199001050012",
    "gender": "男",
    "birth_date": dt.date(1990, 1, 5),
    "ethnicity": "汉族",
    "education": "大专",
    "phone": "13800138000",
    "occupation": "焊工",
    "skill_level": "高级工",
    "hire_date": dt.date(2012, 7, 1),
    "employee_number": "A0001",
    "team": "",  # a team of the enterprise (班组), as named there; left empty in the example
    "employer": "",  # the company (用人单位), by name or credit code; empty: the union's own company
}
TEXT_FIELDS = {"citizen_id", "phone", "employee_number"}
DATE_FIELDS = {"birth_date", "hire_date"}


def roster_template_columns() -> list[str]:
    """The header of the template: the first name the import recognises for every field."""
    return [names[0] for names in COLUMN_ALIASES.values()]


def roster_template_xlsx() -> bytes:
    buffer = io.BytesIO()
    with ExportWorkbook(buffer) as wb:
        ws = wb.add_sheet(_("roster"))
        head = wb.header_format
        required = wb.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
        text = wb.add_format({"num_format": "@"})
        date = wb.date_format
        ws.freeze_panes(1, 0)
        for col, (field, header) in enumerate(
            zip(COLUMN_ALIASES, roster_template_columns(), strict=True)
        ):
            style = text if field in TEXT_FIELDS else date if field in DATE_FIELDS else None
            ws.set_column(col, col, 22 if field == "citizen_id" else 14, style)
            ws.cell(0, col, header, required if field in ("name", "citizen_id") else head)
            value = EXAMPLE[field]
            if value == "":
                continue
            ws.cell(1, col, value, text if field in TEXT_FIELDS else None)
        ws.write_comment(
            0,
            1,
            _("Required. 18 characters; the last may be X. Keep this column as text."),
        )
    return buffer.getvalue()
