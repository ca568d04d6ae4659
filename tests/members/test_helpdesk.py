"""The help desk: routing by employer and region, replies and internal notes, hand-over, escalation
one level up when overdue, rating, the report per union."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from gongjiang.core.errors import ApplicationError
from gongjiang.members import helpdesk
from gongjiang.members.models import HelpRequest

from ..factories import UserFactory


def test_routing_by_employer_category_and_region(ms: Any, world: Any) -> None:
    wages = helpdesk.help_file(
        actor=world.worker_a, category="wages", subject="欠薪", text="三个月未发工资"
    )
    assert wages.organization == world.enterprise_a
    legal = helpdesk.help_file(
        actor=world.worker_a, category="legal", subject="咨询", text="劳动仲裁怎么申请"
    )
    assert legal.organization == world.city_a  # the city federation's legal aid
    psych = helpdesk.help_file(actor=ms.worker_b, category="psych", subject="压力", text="睡不好")
    assert psych.organization == world.city_b
    # a worker with no union: by the region given (Nanjing's Xuanwu district → Nanjing federation)
    loose = UserFactory(username="rider")
    req = helpdesk.help_file(
        actor=loose, category="wages", subject="平台欠薪", text="…", region_code="320102"
    )
    assert req.organization == world.city_a
    req = helpdesk.help_file(
        actor=loose, category="wages", subject="平台欠薪", text="…", region_code="330183"
    )
    assert req.organization == world.city_b  # Hangzhou
    with pytest.raises(ApplicationError) as exc:
        helpdesk.help_file(
            actor=loose, category="wages", subject="x", text="x", region_code="540102"
        )
    assert exc.value.code == "no_route"
    assert wages.due_at - wages.opened_at == dt.timedelta(hours=24)
    assert legal.due_at - legal.opened_at == dt.timedelta(hours=72)


def test_replies_notes_handover_resolve_and_rating(ms: Any, world: Any) -> None:
    req = helpdesk.help_file(
        actor=world.worker_a, category="wages", subject="欠薪", text="三个月未发工资"
    )
    with pytest.raises(ApplicationError):
        helpdesk.help_rate(actor=world.worker_a, req=req, stars=5)
    helpdesk.help_reply(
        actor=world.enterprise_officer_a, req=req, text="已联系人事核实", internal=True
    )
    req.refresh_from_db()
    assert req.first_reply_at is None and req.status == "open"  # a note is not a reply
    helpdesk.help_reply(actor=world.enterprise_officer_a, req=req, text="已督促企业本周发放")
    req.refresh_from_db()
    assert req.status == "answered" and req.first_reply_at is not None
    seen = [m.kind for m in helpdesk.messages_for(actor=world.worker_a, req=req)]
    assert seen == ["question", "reply"]  # the worker never sees internal notes
    assert [m.kind for m in helpdesk.messages_for(actor=world.alice, req=req)] == [
        "question",
        "note",
        "reply",
    ]
    with pytest.raises(PermissionDenied):
        helpdesk.help_reply(actor=world.bob, req=req, text="x")
    with pytest.raises(Http404):
        helpdesk.request_get(actor=world.bob, code=req.code)
    helpdesk.help_handover(actor=world.alice, req=req, to=world.city_a, reason="涉及多家企业")
    req.refresh_from_db()
    assert req.organization == world.city_a
    with pytest.raises(PermissionDenied):  # the enterprise no longer handles it
        helpdesk.help_resolve(actor=world.enterprise_officer_a, req=req)
    helpdesk.help_resolve(actor=world.alice, req=req)
    helpdesk.help_rate(actor=world.worker_a, req=req, stars=4)
    with pytest.raises(Http404):
        helpdesk.help_rate(actor=world.alice, req=req, stars=1)
    req.refresh_from_db()
    assert (req.status, req.rating) == ("resolved", 4)
    rows = {r["organization__name"]: r for r in helpdesk.report(actor=world.alice)}
    row = rows[world.city_a.name]
    assert (row["volume"], row["replied"], row["in_time"], row["resolved"], row["rating"]) == (
        1,
        1,
        1,
        1,
        4.0,
    )
    assert helpdesk.report(actor=world.bob) == []


def test_nobody_answers_their_own_request(world: Any) -> None:
    req = helpdesk.help_file(
        actor=world.enterprise_officer_a, category="wages", subject="我的工资", text="x"
    )
    with pytest.raises(PermissionDenied):
        helpdesk.help_reply(actor=world.enterprise_officer_a, req=req, text="自己答复")
    helpdesk.help_reply(actor=world.alice, req=req, text="上级答复")


def test_overdue_requests_escalate_one_level_up(ms: Any, world: Any) -> None:
    late = helpdesk.help_file(actor=world.worker_a, category="wages", subject="欠薪", text="x")
    answered = helpdesk.help_file(
        actor=world.worker_a, category="wages", subject="已答复", text="x"
    )
    helpdesk.help_reply(actor=world.enterprise_officer_a, req=answered, text="已处理")
    fresh = helpdesk.help_file(actor=world.worker_a, category="contract", subject="合同", text="x")
    later = timezone.now() + dt.timedelta(hours=25)
    assert helpdesk.help_escalate_overdue(now=later) == 1
    late.refresh_from_db()
    assert late.organization == world.city_a and late.escalations == 1
    assert late.due_at == later + dt.timedelta(hours=24)
    for other in (answered, fresh):
        before = other.organization_id
        other.refresh_from_db()
        assert other.organization_id == before and other.escalations == 0
    # again overdue: the province; the national federation keeps it
    assert helpdesk.help_escalate_overdue(now=later + dt.timedelta(hours=25)) == 1
    late.refresh_from_db()
    assert late.organization == world.province_a
    helpdesk.help_escalate_overdue(now=later + dt.timedelta(hours=50))
    helpdesk.help_escalate_overdue(now=later + dt.timedelta(hours=75))
    late.refresh_from_db()
    assert late.organization == world.national and late.escalations == 3
    assert HelpRequest.objects.get(pk=late.pk).messages.filter(kind="event").count() == 3


def test_the_scheduled_task_runs_the_escalation(world: Any) -> None:
    from gongjiang.members.tasks import help_escalate_overdue

    req = helpdesk.help_file(actor=world.worker_a, category="wages", subject="欠薪", text="x")
    HelpRequest.objects.filter(pk=req.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    help_escalate_overdue.enqueue()
    req.refresh_from_db()
    assert req.organization == world.city_a
