"""Background tasks (thin: they call services)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from gongjiang.core.schedule import periodic

from .reminders import DAYS_BEFORE
from .reminders import reform_remind as _remind


@periodic("reform.remind", at=dt.time(7, 0))
@task()
def reform_remind(on: str | None = None, days_before: int = DAYS_BEFORE) -> dict[str, int]:
    """The day's reminders and escalations (run daily by the worker's scheduler; the same as
    ``gongjiang reform-remind``). ``on``: ISO date, default today."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return _remind(on=day, days_before=days_before)
