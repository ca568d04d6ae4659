"""Background tasks of the congress app (thin: they call services)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from gongjiang.core.schedule import periodic

from .reminders import proposal_remind as _remind


@periodic("congress.proposal_remind", at=dt.time(7, 15))
@task()
def proposal_remind(on: str | None = None) -> dict[str, int]:
    """The day's reminders and escalations of proposal replies (daily; ``on``: ISO date)."""
    return _remind(on=dt.date.fromisoformat(on) if on else None)
