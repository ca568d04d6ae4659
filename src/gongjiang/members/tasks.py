"""Background tasks of member services (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from gongjiang.core.actors import SYSTEM
from gongjiang.core.schedule import periodic

from .helpdesk import help_escalate_overdue as _escalate
from .library import loans_settle_all


@periodic("members.help_escalate", every=600)
@task()
def help_escalate_overdue() -> int:
    """Escalate help requests whose first reply is overdue (every ten minutes)."""
    return _escalate()


@periodic("members.library_settle", every=900)
@task()
def library_settle() -> int:
    """Close expired loans and lend the copies to the readers waiting (every 15 minutes)."""
    return loans_settle_all(actor=SYSTEM)
