"""Public notices (公示): working-day arithmetic at weekends, holidays and make-up working days;
masked names; expiry and withdrawal; objections only while open, answered by someone else;
audience scoping (out of scope answers like missing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils import timezone

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.notices import selectors
from gongjiang.core.notices.models import CalendarDay, PublicNotice
from gongjiang.core.notices.services import (
    notice_objection_file,
    notice_objection_reply,
    public_notice_publish,
    public_notice_withdraw,
)
from gongjiang.core.notices.workdays import (
    is_working_day,
    working_day_end,
    working_days_between,
)
from gongjiang.core.validators import mask_name
from tests.factories import OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def national_day() -> None:
    """2026: 1–7 October off (the weekdays among them are holidays), Saturday 10 October worked."""
    for day in (1, 2, 5, 6, 7):
        CalendarDay.objects.create(date=D(2026, 10, day), name="国庆节")
    CalendarDay.objects.create(date=D(2026, 10, 10), name="国庆节调休", working=True)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (D(2026, 12, 7), 5, D(2026, 12, 11)),  # Monday + 5 → Friday
        (D(2026, 12, 11), 2, D(2026, 12, 14)),  # Friday + 2 → Monday (the weekend skipped)
        (D(2026, 12, 12), 1, D(2026, 12, 14)),  # starting on Saturday: Monday is the first day
        (D(2026, 12, 13), 5, D(2026, 12, 18)),  # starting on Sunday
        (D(2026, 12, 9), 5, D(2026, 12, 15)),  # Wednesday + 5 → next Tuesday
        (D(2026, 9, 30), 1, D(2026, 9, 30)),  # the start day counts
        (D(2026, 9, 30), 3, D(2026, 10, 9)),  # over the National Day holiday
        (D(2026, 9, 30), 4, D(2026, 10, 10)),  # the make-up Saturday is a working day
        (D(2026, 10, 1), 1, D(2026, 10, 8)),  # starting on a holiday
        (D(2026, 9, 28), 5, D(2026, 10, 9)),  # 28, 29, 30 September, 8 and 9 October
    ],
)
def test_working_day_end(national_day: None, start: dt.date, days: int, end: dt.date) -> None:
    assert working_day_end(start, days) == end
    assert working_days_between(start, end) == days


def test_working_day_predicates(national_day: None) -> None:
    assert is_working_day(D(2026, 12, 7)) and not is_working_day(D(2026, 12, 12))
    assert not is_working_day(D(2026, 10, 1)) and is_working_day(D(2026, 10, 10))
    assert working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert working_days_between(D(2026, 10, 9), D(2026, 10, 1)) == 0
    for bad in (0, -1, 251):
        with pytest.raises(ValueError):
            working_day_end(D(2026, 1, 5), bad)


def test_one_mask_for_names() -> None:
    assert [mask_name(n) for n in ("张小三", "张三", "欧阳小明", "王", "")] == [
        "张*三",
        "张*",
        "欧**明",
        "*",
        "",
    ]


def _publish(world: Any, **kw: Any) -> PublicNotice:
    kw.setdefault("organization", world.province_a)
    kw.setdefault("title", "2026年度省级劳动模范推荐人选公示")
    return public_notice_publish(actor=world.alice, **kw)


def test_publish_masks_names_and_counts_working_days(world: Any) -> None:
    today = timezone.localdate()
    notice = _publish(world, names=["张小三", "李四", " "], working_days=5, about=world.team_a)
    assert notice.masked_names == ["张*三", "李*"]
    assert notice.ends_on == working_day_end(today, 5)
    assert notice.object_code == world.team_a.code
    assert notice.state == (
        PublicNotice.State.OPEN if notice.ends_on >= today else PublicNotice.State.ENDED
    )
    event = AuditEvent.objects.get(action="notice.publish")
    assert event.organization == world.province_a and "张小三" not in str(event.details)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"working_days": 0}, "working_days"),
        ({"working_days": 251}, "working_days"),
        ({"working_days": 2.5}, "working_days"),
        ({"starts_on": dt.date(2020, 1, 1)}, "starts_on"),
        ({"audience": "province_b"}, "audience"),
        ({"names": ["张三"] * 2001}, "names"),
    ],
)
def test_bad_input_names_the_field(world: Any, changes: dict[str, Any], field: str) -> None:
    if changes.get("audience") == "province_b":
        changes["audience"] = world.province_b
    with pytest.raises(ApplicationError) as exc:
        _publish(world, **changes)
    assert exc.value.details[0]["field"] == field
    assert not PublicNotice.objects.exists()


def test_only_managers_publish(world: Any) -> None:
    for user in (world.worker_a, world.bob, world.nobody):
        with pytest.raises(PermissionDenied):
            public_notice_publish(actor=user, organization=world.province_a, title="x")


def _dates(notice: PublicNotice, starts_on: dt.date, ends_on: dt.date) -> None:
    models.QuerySet.update(
        PublicNotice.objects.filter(pk=notice.pk), starts_on=starts_on, ends_on=ends_on
    )
    notice.refresh_from_db()


def test_current_notices_expire_and_withdraw(world: Any) -> None:
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    open_ = _publish(world, title="open")
    _dates(open_, today - day, today + day)
    ended = _publish(world, title="ended")
    _dates(ended, today - 10 * day, today - day)
    scheduled = _publish(world, title="scheduled", starts_on=today + 3 * day)
    withdrawn = _publish(world, title="withdrawn")
    _dates(withdrawn, today, today + day)
    public_notice_withdraw(actor=world.alice, notice=withdrawn, reason="人选调整")
    current = list(selectors.notices_current_for(actor=world.worker_a))
    assert current == [open_]
    assert ended.state == "ended" and scheduled.state == "scheduled"
    assert PublicNotice.objects.get(pk=withdrawn.pk).state == "withdrawn"
    # the worker cannot open an ended one; the owner's officer sees every one of them
    with pytest.raises(Http404):
        selectors.public_notice_get(actor=world.worker_a, code=ended.code)
    assert selectors.public_notice_get(actor=world.worker_a, code=open_.code) == open_
    assert set(selectors.notices_managed(actor=world.alice)) == {
        open_,
        ended,
        scheduled,
        withdrawn,
    }
    assert list(selectors.notices_current_for(actor=world.worker_a, on=today + 3 * day)) == [
        scheduled
    ]
    with pytest.raises(ApplicationError):
        public_notice_withdraw(actor=world.alice, notice=ended, reason="x")
    with pytest.raises(ApplicationError) as exc:
        public_notice_withdraw(actor=world.alice, notice=scheduled, reason=" ")
    assert exc.value.code == "reason_required"


def test_audience_scoping(world: Any) -> None:
    to_enterprise = _publish(world, audience=world.enterprise_a, title="enterprise")
    to_province = _publish(world, title="province")
    _dates(to_enterprise, timezone.localdate(), timezone.localdate())
    _dates(to_province, timezone.localdate(), timezone.localdate())
    worker_b = UserFactory(username="worker_b")
    member(worker_b, world.enterprise_b, "worker")
    neighbour = OrganizationFactory(
        parent=world.city_a, name="南京第二机床厂工会", kind="enterprise", region="320111"
    )
    city_worker = UserFactory(username="neighbour_worker")  # another enterprise of city A
    member(city_worker, neighbour, "worker")
    team_worker = UserFactory(username="team_worker")
    member(team_worker, world.team_a, "worker")
    assert set(selectors.notices_current_for(actor=team_worker)) == {to_enterprise, to_province}
    assert set(selectors.notices_current_for(actor=world.worker_a)) == {
        to_enterprise,
        to_province,
    }
    assert set(selectors.notices_current_for(actor=world.alice)) == {to_enterprise, to_province}
    assert list(selectors.notices_current_for(actor=city_worker)) == [to_province]
    for outsider in (worker_b, world.bob, world.nobody):
        assert list(selectors.notices_current_for(actor=outsider)) == []
        with pytest.raises(Http404):
            selectors.public_notice_get(actor=outsider, code=to_province.code)
        with pytest.raises(Http404):
            notice_objection_file(actor=outsider, notice=to_province, text="异议")
    with pytest.raises(Http404):
        notice_objection_file(actor=city_worker, notice=to_enterprise, text="异议")


def test_objections_only_while_open_and_answered_by_someone_else(world: Any) -> None:
    today = timezone.localdate()
    notice = _publish(world, names=["张小三"])
    _dates(notice, today, today)
    objection = notice_objection_file(actor=world.worker_a, notice=notice, text="张*三 未满工龄")
    with pytest.raises(ApplicationError) as exc:
        notice_objection_file(actor=world.worker_a, notice=notice, text="  ")
    assert exc.value.details[0]["field"] == "text"
    # the objector sees their own objection, the owner all; nobody else any
    assert list(selectors.notice_objections(actor=world.worker_a, notice=notice)) == [objection]
    assert list(selectors.notice_objections(actor=world.alice, notice=notice)) == [objection]
    assert list(selectors.notice_objections(actor=world.enterprise_officer_a, notice=notice)) == []
    own = notice_objection_file(actor=world.alice, notice=notice, text="本人提出的异议")
    with pytest.raises(ApplicationError) as exc:
        notice_objection_reply(actor=world.alice, objection=own, reply="已核实")
    assert exc.value.code == "separation_of_duties" and exc.value.status == 403
    refusal = AuditEvent.objects.get(action="notice.objection_reply.refused")  # core.duties
    assert refusal.actor == world.alice and refusal.details["reason"] == "own_objection"
    with pytest.raises(PermissionDenied):
        notice_objection_reply(actor=world.worker_a, objection=objection, reply="自己答复")
    done = notice_objection_reply(actor=world.alice, objection=objection, reply="经核实，符合条件")
    assert done.replied_by == world.alice and done.reply
    with pytest.raises(ApplicationError) as exc:
        notice_objection_reply(actor=world.alice, objection=objection, reply="again")
    assert exc.value.code == "replied"
    # after the last day, and before the first, no more objections
    _dates(notice, today - dt.timedelta(days=9), today - dt.timedelta(days=1))
    with pytest.raises((ApplicationError, Http404)):
        notice_objection_file(actor=world.worker_a, notice=notice, text="迟到的异议")
    later = _publish(world, starts_on=today + dt.timedelta(days=2))
    with pytest.raises(ApplicationError) as exc:
        notice_objection_file(actor=world.worker_a, notice=later, text="提前的异议")
    assert exc.value.code == "notice_not_open"
    assert AuditEvent.objects.filter(action="notice.objection").count() == 2
    assert AuditEvent.objects.filter(action="notice.objection_reply").count() == 1
