"""``gongjiang calendar-days``: the holiday table that working days are counted with is loaded
from a file, all rows or none, a bad row named by line and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gongjiang.core.notices.models import CalendarDay
from gongjiang.core.notices.workdays import working_day_end

pytestmark = pytest.mark.django_db


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_and_count(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "日期,名称,上班\n2026-10-01,国庆节,否\n2026-10-02,国庆节,\n\n2026/10/10,国庆节调休,是\n",
    )
    call_command("calendar-days", str(path))
    assert list(CalendarDay.objects.values_list("date", "working")) == [
        (dt.date(2026, 10, 1), False),
        (dt.date(2026, 10, 2), False),
        (dt.date(2026, 10, 10), True),
    ]
    # Wednesday 30 September + 3 working days: 30 Sep, Mon 5 Oct, Tue 6 Oct (only 1–2 Oct off here)
    assert working_day_end(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 6)
    call_command("calendar-days", str(_csv(tmp_path, "日期,名称,上班\n2026-10-01,国庆节,是\n")))
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).working  # updated, not doubled


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("日期,名称,上班\n2026-10-01,国庆节,否\n2026-13-01,错误,否\n", "line 3, column 日期"),
        ("日期,名称,上班\n2026-10-01,,否\n", "line 2, column 名称"),
        ("日期,名称,上班\n2026-10-01,国庆节,也许\n", "line 2, column 上班"),
        ("时间,说明\n2026-10-01,国庆节\n", "日期、名称"),
    ],
)
def test_bad_rows_load_nothing(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("calendar-days", str(_csv(tmp_path, text)))
    assert message in str(exc.value)
    assert not CalendarDay.objects.exists()
