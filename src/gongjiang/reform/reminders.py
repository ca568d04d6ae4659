"""Reminders and escalation, run daily by ``gongjiang reform-remind [--date D]``.

* before a deadline (``DAYS_BEFORE`` days): the lead unit's reporting users are reminded once per deadline;
* a missing report: when a reporting period (month or quarter) has ended and the task has no report
  for it, the lead unit is reminded once per period;
* overdue: a task past its deadline and not done is escalated once to the lead unit's parent
  organisation (an ``Escalation`` row and a notification to its officers), and the lead unit is told.

Notifications are unique per user and key, so running the command twice on a day sends nothing new.
E-mail goes to recipients with an address when an e-mail backend is configured.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Escalation, Notification, PlanItem, ProgressReport
from .services import Message, notify_many, period_end, period_of

DAYS_BEFORE = 7


def previous_period(on: dt.date, cycle: str) -> str:
    """The last period that ended before ``on``."""
    first = dt.date(on.year, on.month, 1)
    if cycle == PlanItem.Cycle.QUARTERLY:
        first = dt.date(on.year, ((on.month - 1) // 3) * 3 + 1, 1)
    return period_of(first - dt.timedelta(days=1), cycle)


def email_configured() -> bool:
    backend = settings.EMAIL_BACKEND
    return not backend.endswith(("console.EmailBackend", "dummy.EmailBackend"))


def send_mail(notifications: list[Notification]) -> int:
    if not notifications or not email_configured():
        return 0
    from django.contrib.auth import get_user_model

    emails = dict(
        get_user_model()
        .objects.filter(pk__in={n.user_id for n in notifications})
        .exclude(email="")
        .values_list("pk", "email")
    )
    messages = [
        (n.title, f"{n.body}\n\n{n.url}".strip(), settings.DEFAULT_FROM_EMAIL, [emails[n.user_id]])
        for n in notifications
        if n.user_id in emails
    ]
    return send_mass_mail(messages, fail_silently=True) if messages else 0


@transaction.atomic
def reform_remind(*, on: dt.date, days_before: int = DAYS_BEFORE) -> dict[str, int]:
    """Send the day's reminders and escalations; returns counts. Bulk: a fixed number of queries."""
    open_tasks = (
        PlanItem.objects.filter(kind="task")
        .exclude(status="done")
        .select_related("lead_unit", "plan__organization")
        .only(
            "id",
            "code",
            "title",
            "deadline",
            "start",
            "report_cycle",
            "lead_unit__id",
            "lead_unit__name",
            "lead_unit__parent_id",
            "plan__organization__id",
        )
    )
    base = reverse("reform:task_detail", args=["CODE"])

    def url(task: PlanItem) -> str:
        return base.replace("CODE", task.code)

    def unit_id(task: PlanItem) -> int:
        return task.lead_unit_id or task.plan.organization_id

    reports: list[Message] = []  # to the lead units' reporting users
    # 1. deadlines coming up
    due = list(
        open_tasks.filter(deadline__gte=on, deadline__lte=on + dt.timedelta(days=days_before))
    )
    for task in due:
        reports.append(
            Message(
                unit_id(task),
                Notification.Kind.DEADLINE,
                f"due:{task.code}:{task.deadline}",
                _("Deadline on %(d)s: %(t)s") % {"d": task.deadline, "t": task.title},
                url=url(task),
            )
        )
    # 2. missing reports for the period that just ended
    started = list(open_tasks.filter(start__lte=on).exclude(deadline__lt=on))
    wanted = {t.pk: previous_period(on, t.report_cycle) for t in started}
    have = set(
        ProgressReport.objects.filter(task_id__in=wanted, period__in=set(wanted.values()))
        .exclude(status="returned")
        .values_list("task_id", "period")
    )
    missing = 0
    for task in started:
        period = wanted[task.pk]
        if (task.pk, period) in have or (task.start and task.start > period_end(period)):
            continue
        missing += 1
        reports.append(
            Message(
                unit_id(task),
                Notification.Kind.MISSING_REPORT,
                f"missing:{task.code}:{period}",
                _("Progress report for %(p)s missing: %(t)s") % {"p": period, "t": task.title},
                url=url(task),
            )
        )
    # 3. overdue: escalate to the lead unit's parent organisation, once per task
    overdue = list(open_tasks.filter(deadline__lt=on, lead_unit__parent__isnull=False))
    done = set(
        Escalation.objects.filter(task__in=overdue).values_list("task_id", "organization_id")
    )
    new_rows = [
        Escalation(
            task=t,
            organization_id=t.lead_unit.parent_id,
            from_unit_id=t.lead_unit_id,
            on=on,
            days_overdue=(on - t.deadline).days,
        )
        for t in overdue
        if (t.pk, t.lead_unit.parent_id) not in done
    ]
    Escalation.objects.bulk_create(new_rows, batch_size=1000)
    escalations: list[Message] = []
    for row in new_rows:
        task = row.task
        escalations.append(
            Message(
                row.organization_id,
                Notification.Kind.ESCALATION,
                f"escalation:{task.code}",
                _("Overdue task escalated from %(u)s: %(t)s")
                % {"u": task.lead_unit.name, "t": task.title},
                _("Deadline %(d)s, %(n)d days overdue.")
                % {"d": task.deadline, "n": row.days_overdue},
                url(task),
            )
        )
        reports.append(
            Message(
                task.lead_unit_id,
                Notification.Kind.OVERDUE,
                f"overdue:{task.code}",
                _("Overdue: %(t)s (deadline %(d)s)") % {"t": task.title, "d": task.deadline},
                url=url(task),
            )
        )
    sent = notify_many(reports) + notify_many(escalations, perm="reform.view")
    transaction.on_commit(lambda: send_mail(sent))
    return {
        "deadline": len(due),
        "missing_report": missing,
        "escalated": len(new_rows),
        "notifications": len(sent),
        "emails": len(sent) if email_configured() else 0,
    }
