"""Scheduled work (thin: calls services): anonymisation of closed files after retention; the
daily reminders (re-verifications due, notices ending)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from gongjiang.core.actors import SystemActor
from gongjiang.core.schedule import periodic


@periodic("assistance.anonymise", at=dt.time(3, 30))
@task()
def assistance_anonymise() -> int:
    """Anonymise closed hardship files whose retention ended (daily, 03:30)."""
    from .privacy import anonymise_due

    return anonymise_due(actor=SystemActor("assistance.anonymise"))


@periodic("assistance.remind", at=dt.time(7, 10))
@task()
def assistance_remind(on: str | None = None) -> dict[str, int]:
    """Send the day's reminders: re-verifications due, public notices ending (daily, 07:10).
    ``on``: ISO date, default today."""
    from .reminders import reminders_send

    return reminders_send(on=dt.date.fromisoformat(on) if on else None)
