"""Working-day arithmetic: Monday to Friday, except the public holidays and with the make-up
working weekends (调休) of the ``CalendarDay`` table. "Five working days from Monday" ends on Friday;
over the National Day week it ends after the holiday."""

from __future__ import annotations

import datetime as dt

from .models import CalendarDay

#: a notice runs at most this many working days (about a year), so a bad input cannot loop long
MAX_WORKING_DAYS = 250


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "working")
    )


def is_working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def working_day_end(start: dt.date, working_days: int) -> dt.date:
    """The last day of a period of ``working_days`` working days beginning on ``start`` (``start``
    counts when it is a working day; otherwise the period begins on the next working day)."""
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise ValueError(f"working_days must be 1 … {MAX_WORKING_DAYS}")
    # 250 working days fit in well under two years even with every holiday of the calendar
    exceptions = _exceptions(start, start + dt.timedelta(days=2 * 366))
    day, counted = start, 0
    while True:
        if is_working_day(day, exceptions):
            counted += 1
            if counted == working_days:
                return day
        day += dt.timedelta(days=1)


def working_days_between(first: dt.date, last: dt.date) -> int:
    """How many working days from ``first`` to ``last``, both included."""
    if last < first:
        return 0
    exceptions = _exceptions(first, last)
    return sum(
        is_working_day(first + dt.timedelta(days=i), exceptions)
        for i in range((last - first).days + 1)
    )
