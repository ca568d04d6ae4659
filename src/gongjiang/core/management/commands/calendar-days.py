"""``gongjiang calendar-days FILE``: load the public holidays and make-up working days (调休) that
public notices count working days with, from .csv/.xlsx with the columns 日期 (date), 名称 (name),
上班 (working: 是/否, yes/no, 1/0). All rows or none: a bad row stops the load with its line and
column. Days already in the table are updated (load each year's State Council notice again)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gongjiang.core.errors import ApplicationError
from gongjiang.core.notices.models import CalendarDay
from gongjiang.core.spreadsheets import cell_text, find_header, is_blank, read_rows

ALIASES = {
    "date": ("日期", "date"),
    "name": ("名称", "name"),
    "working": ("上班", "working"),
}
YES = {"是", "上班", "yes", "y", "true", "1"}
NO = {"否", "休", "休息", "放假", "no", "n", "false", "0", ""}


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(cell_text(value).replace("/", "-"))


class Command(BaseCommand):
    help = (
        "Load public holidays and make-up working days (日期, 名称, 上班) for working-day counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".csv or .xlsx with the columns 日期, 名称, 上班")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        days: dict[dt.date, tuple[str, bool]] = {}
        try:
            _n, columns, _h, rows = find_header(read_rows(path), ALIASES, ["date", "name"])
            for number, cells in rows:
                if is_blank(cells):
                    continue

                def cell(field: str, cells: list[Any] = cells) -> Any:
                    i = columns.get(field)
                    return cells[i] if i is not None and i < len(cells) else None

                try:
                    day = _date(cell("date"))
                except ValueError:
                    raise CommandError(
                        f"{path}, line {number}, column 日期: {cell_text(cell('date'))!r} "
                        "is not a date (YYYY-MM-DD)",
                        returncode=2,
                    ) from None
                name = cell_text(cell("name"))[:60]
                if not name:
                    raise CommandError(f"{path}, line {number}, column 名称: empty", returncode=2)
                flag = cell_text(cell("working")).lower()
                if flag not in YES | NO:
                    raise CommandError(
                        f"{path}, line {number}, column 上班: {flag!r} is not 是/否",
                        returncode=2,
                    )
                days[day] = (name, flag in YES)
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}", returncode=2) from None
        with transaction.atomic():
            for day, (name, working) in sorted(days.items()):
                CalendarDay.objects.update_or_create(
                    date=day, defaults={"name": name, "working": working}
                )
        self.stdout.write(f"{len(days)} calendar days loaded")
