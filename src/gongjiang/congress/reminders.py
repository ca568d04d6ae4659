"""Reminders and escalation of proposal replies, run daily by the worker's scheduler (tasks.py).

* before the deadline (``CongressRules.reminder_days``, 7 by default; 0 = none): the lead
  department's responders are reminded once per reply round;
* overdue (the reply deadline has passed and the proposal still waits for a reply): the proposal is
  escalated once per round — ``escalated_at`` and ``escalated_to`` (the union one level up) are set,
  the proposal committee of the organisation and the officers of the union one level up are told,
  and the responders are told it is overdue. The to-dos show escalated proposals
  (``selectors_proposals.overdue_for``).

A second reply round (after "not satisfied") starts both again. Running it twice on a day sends
nothing new. Messages go to each person's in-app notifications and phone through the members app's
``notify`` (the one sender of the platform).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import SYSTEM, audit
from gongjiang.core.models import Membership, Organization
from gongjiang.members.notify import notify_many

from . import rules as R
from .models import CongressRules
from .models_proposals import Department, Proposal

S = Proposal.Status


def _prefixes(path: str) -> list[str]:
    step = Organization.SEGMENT
    return [path[:i] for i in range(step, len(path) + 1, step)]


def _users_with(perm: str, organizations: set[int], *, covering: bool) -> dict[int, set[int]]:
    """User ids holding ``perm`` for each organisation: through a membership of the organisation
    itself (``covering=False``) or of it or any ancestor (``covering=True``). Two queries."""
    orgs = {o.pk: o.path for o in Organization.objects.filter(pk__in=organizations)}
    wanted: dict[str, list[int]] = defaultdict(list)
    for pk, path in orgs.items():
        for prefix in _prefixes(path) if covering else [path]:
            wanted[prefix].append(pk)
    out: dict[int, set[int]] = defaultdict(set)
    rows = Membership.objects.filter(
        organization__path__in=list(wanted), role__in=access.roles_with(perm)
    ).values_list("user_id", "organization__path")
    for user_id, path in rows:
        for pk in wanted[path]:
            out[pk].add(user_id)
    return out


def _send(recipients: dict[int, list[tuple[str, str, str]]]) -> int:
    users = get_user_model().objects.in_bulk(list(recipients))
    out = []
    for user_id, messages in recipients.items():
        user = users.get(user_id)
        if user is None or not user.is_active:
            continue
        out += [(user, title, body, url) for title, body, url in dict.fromkeys(messages)]
    return len(notify_many(out))


@transaction.atomic
def proposal_remind(*, on: dt.date | None = None) -> dict[str, int]:
    """Send the day's reminders and escalations of proposal replies; returns the counts."""
    on = on or timezone.localdate()
    now = timezone.now()
    waiting = (
        Proposal.objects.filter(status=S.ASSIGNED, reply_due__isnull=False)
        .select_related("organization__parent", "lead_department")
        .select_for_update(of=("self",))
    )
    recipients: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    responders: dict[int, set[int]] = defaultdict(set)
    depts = set(
        Proposal.objects.filter(status=S.ASSIGNED).values_list("lead_department_id", flat=True)
    )
    for dept_id, user_id in Department.responders.through.objects.filter(
        department_id__in=depts
    ).values_list("department_id", "user_id"):
        responders[dept_id].add(user_id)

    def url(p: Proposal) -> str:
        return reverse("congress:proposal_detail", args=[p.code])

    # 1. reminders before the deadline, once per round
    rules: dict[int, int] = {}
    reminded: list[Proposal] = []
    # only what the widest reminder window in force can reach (not every proposal due weeks away)
    widest = max(
        CongressRules.objects.aggregate(n=Max("reminder_days"))["n"] or 0,
        CongressRules._meta.get_field("reminder_days").default,
    )
    upcoming = waiting.filter(
        reminded_at__isnull=True, reply_due__gte=on, reply_due__lte=on + dt.timedelta(days=widest)
    )
    for p in upcoming:
        if p.organization_id not in rules:
            rules[p.organization_id] = R.rules_for(p.organization).reminder_days
        days = rules[p.organization_id]
        if not days or p.reply_due > on + dt.timedelta(days=days):
            continue
        p.reminded_at = now
        reminded.append(p)
        for user_id in responders[p.lead_department_id]:
            recipients[user_id].append(
                (
                    _("Proposal reply due on %(d)s: %(t)s") % {"d": p.reply_due, "t": p.title},
                    p.number,
                    url(p),
                )
            )
    Proposal.objects.bulk_update(reminded, ["reminded_at"])

    # 2. overdue: escalate once per round to the committee and the union one level up
    overdue = list(waiting.filter(escalated_at__isnull=True, reply_due__lt=on))
    orgs = {p.organization_id for p in overdue}
    parents = {p.organization.parent_id for p in overdue if p.organization.parent_id}
    committee = _users_with("congress.review_proposal", orgs, covering=True)
    officers = _users_with("congress.manage", parents, covering=False)
    for p in overdue:
        p.escalated_at = now
        p.escalated_to_id = p.organization.parent_id
        days = (on - p.reply_due).days
        title = _("Proposal reply overdue (%(n)d days): %(t)s") % {"n": days, "t": p.title}
        body = _("%(dept)s has not replied; the deadline was %(d)s.") % {
            "dept": p.lead_department.name if p.lead_department else "",
            "d": p.reply_due,
        }
        for user_id in committee[p.organization_id] | officers.get(
            p.organization.parent_id or 0, set()
        ):
            recipients[user_id].append((title, body, url(p)))
        for user_id in responders[p.lead_department_id]:
            recipients[user_id].append((title, body, url(p)))
        audit(
            actor=SYSTEM,
            action="congress.proposal_escalate",
            obj=p,
            organization=p.organization,
            details={
                "to": p.organization.parent.code if p.organization.parent_id else "",
                "round": p.reply_round,
                "days_overdue": days,
            },
        )
    Proposal.objects.bulk_update(overdue, ["escalated_at", "escalated_to"])
    sent = _send(recipients)
    return {"reminded": len(reminded), "escalated": len(overdue), "notifications": sent}
