"""Scheduled work (thin: calls services): anonymisation of closed files after retention."""

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
