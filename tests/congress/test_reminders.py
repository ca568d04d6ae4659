"""Reminders before a proposal's reply deadline and escalation when it is overdue: who is told,
once per round, the to-dos, the audit row and the scheduled entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from gongjiang.congress import services_proposals as P
from gongjiang.congress.models import CongressRules
from gongjiang.congress.models_proposals import Proposal
from gongjiang.congress.reminders import proposal_remind
from gongjiang.congress.todos import congress_todos
from gongjiang.core.models import AuditEvent
from gongjiang.core.schedule import schedule_entry
from gongjiang.members.models import Notification

from ..factories import UserFactory, member
from .helpers import assigned

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def inbox(user: Any) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def todo(user: Any, label: str) -> int | None:
    with translation.override("en"):
        return {str(t.label): t.count for t in congress_todos(user)}.get(label)


def due_in(proposal: Proposal, days: int) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(reply_due=TODAY + dt.timedelta(days=days))
    return Proposal.objects.get(pk=proposal.pk)


def test_a_reminder_before_the_deadline_once_per_round(congress: Any) -> None:
    soon = due_in(assigned(congress, 0, title="食堂"), 3)
    later = due_in(assigned(congress, 1, title="班车"), 20)
    counts = proposal_remind(on=TODAY)
    assert counts["reminded"] == 1 and counts["escalated"] == 0
    titles = inbox(congress.responder)
    assert len(titles) == 1 and "食堂" in titles[0]
    assert Proposal.objects.get(pk=soon.pk).reminded_at is not None
    assert Proposal.objects.get(pk=later.pk).reminded_at is None
    # the next day sends nothing new
    assert proposal_remind(on=TODAY + dt.timedelta(days=1))["reminded"] == 0
    assert len(inbox(congress.responder)) == 1
    # nobody else is told
    assert inbox(congress.committee) == [] and inbox(congress.users[0]) == []


def test_the_reminder_follows_the_organisation_setting(congress: Any, world: Any) -> None:
    due_in(assigned(congress, 0), 3)
    CongressRules.objects.create(organization=world.enterprise_a, reminder_days=0)
    assert proposal_remind(on=TODAY)["reminded"] == 0
    CongressRules.objects.filter(organization=world.enterprise_a).update(reminder_days=2)
    assert proposal_remind(on=TODAY)["reminded"] == 0  # due in 3 days, reminded 2 before
    assert proposal_remind(on=TODAY + dt.timedelta(days=1))["reminded"] == 1


def test_an_overdue_reply_is_escalated_to_the_committee_and_one_level_up(
    congress: Any, world: Any
) -> None:
    city = UserFactory(username="city_officer")
    member(city, world.city_a, "officer")
    other_city = UserFactory(username="city_b_officer")
    member(other_city, world.city_b, "officer")
    proposal = due_in(assigned(congress, 0, title="高温补贴"), -2)
    waiting = due_in(assigned(congress, 1, title="工装"), 5)
    assert todo(congress.committee, "Proposal replies overdue") is None
    counts = proposal_remind(on=TODAY)
    assert counts["escalated"] == 1
    proposal.refresh_from_db()
    assert proposal.escalated_at is not None
    assert proposal.escalated_to == world.city_a
    assert Proposal.objects.get(pk=waiting.pk).escalated_at is None
    for user in (congress.committee, city, congress.responder):
        assert any("高温补贴" in t and "2" in t for t in inbox(user)), user
    # nobody outside: the other enterprise's committee, another city, the proposer
    for user in (congress.committee_b, other_city, world.bob, congress.users[0]):
        assert not any("高温补贴" in t for t in inbox(user))
    # to-dos: the committee and the union one level up; nothing out of scope
    assert todo(congress.committee, "Proposal replies overdue") == 1
    assert todo(city, "Proposal replies overdue") == 1
    assert todo(congress.committee_b, "Proposal replies overdue") is None
    assert todo(other_city, "Proposal replies overdue") is None
    event = AuditEvent.objects.get(action="congress.proposal_escalate")
    assert event.details["to"] == world.city_a.code
    assert event.details["days_overdue"] == 2
    # once: the next day escalates nothing again
    assert proposal_remind(on=TODAY + dt.timedelta(days=1))["escalated"] == 0
    assert AuditEvent.objects.filter(action="congress.proposal_escalate").count() == 1
    # the list the to-do opens shows it
    from django.test import Client

    client = Client()
    client.force_login(city)
    page = client.get("/congress/proposals/?status=overdue")
    assert page.status_code == 200 and "高温补贴" in page.content.decode()
    assert "工装" not in page.content.decode()
    client.force_login(other_city)
    assert "高温补贴" not in client.get("/congress/proposals/?status=overdue").content.decode()


def test_a_reply_ends_the_escalation_and_a_second_round_starts_again(congress: Any) -> None:
    proposal = due_in(assigned(congress, 0), -1)
    proposal_remind(on=TODAY)
    assert todo(congress.committee, "Proposal replies overdue") == 1
    P.proposal_reply(actor=congress.responder, proposal=proposal, outcome="adopted", text="已落实")
    assert todo(congress.committee, "Proposal replies overdue") is None
    # a replied proposal is not escalated, however late
    assert proposal_remind(on=TODAY + dt.timedelta(days=60))["escalated"] == 0
    proposal = P.proposal_rate(actor=congress.users[0], proposal=proposal, rating="not")
    assert proposal.status == "assigned" and proposal.reply_round == 2
    assert proposal.escalated_at is None and proposal.reminded_at is None
    assert proposal.escalated_to is None
    # the second round is reminded and escalated on its own deadline
    after = proposal.reply_due + dt.timedelta(days=1)
    assert proposal_remind(on=after)["escalated"] == 1


def test_the_daily_entry_runs_the_reminders(congress: Any) -> None:
    entry = schedule_entry("congress.proposal_remind")
    assert entry.spec == "daily 07:15"
    due_in(assigned(congress, 0), -1)
    from gongjiang.congress.tasks import proposal_remind as task

    result = task.enqueue(on=TODAY.isoformat())
    assert result.return_value == {"reminded": 0, "escalated": 1, "notifications": 2}


def test_a_window_wider_than_the_default_is_still_reached(congress: Any, world: Any) -> None:
    """The run reads only proposals the widest reminder window in force can reach; an
    organisation that reminds 30 days ahead still gets its reminder 20 days before."""
    due_in(assigned(congress, 0, title="宿舍"), 20)
    assert proposal_remind(on=TODAY)["reminded"] == 0  # the default 7 days
    CongressRules.objects.create(organization=world.enterprise_a, reminder_days=30)
    assert proposal_remind(on=TODAY)["reminded"] == 1
    assert "宿舍" in inbox(congress.responder)[0]


def test_the_messages_are_pushed_once_the_run_commits(
    congress: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from gongjiang.members import notify as notify_module

    pushed: list[tuple[Any, str]] = []

    class Recorder:
        def send(self, *, user: Any, title: str, body: str) -> None:
            pushed.append((user.pk, title))

    monkeypatch.setattr(notify_module, "sender", lambda: Recorder())
    due_in(assigned(congress, 0, title="食堂"), 3)
    due_in(assigned(congress, 1, title="高温"), -1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        counts = proposal_remind(on=TODAY)
    assert pushed == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    stored = list(Notification.objects.values_list("user_id", "title").order_by("id"))
    assert counts["notifications"] == len(stored) == len(pushed) > 1
    assert sorted(pushed) == sorted(stored)
