"""Background tasks of member services (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from gongjiang.core.schedule import periodic

from .helpdesk import help_escalate_overdue as _escalate


@periodic("members.help_escalate", every=600)
@task()
def help_escalate_overdue() -> int:
    """Escalate help requests whose first reply is overdue (every ten minutes)."""
    return _escalate()
