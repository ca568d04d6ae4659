"""Activities: places, the waiting list moving up by itself, QR check-in, feedback, attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.core.errors import ApplicationError
from gongjiang.members import activities
from gongjiang.members.models import Activity, ActivitySignup, Notification

from ..factories import UserFactory, member

Status = ActivitySignup.Status


def workers(world: Any, n: int) -> list[Any]:
    out = []
    for i in range(n):
        u = UserFactory(username=f"w{i}")
        member(u, world.enterprise_a, "worker")
        out.append(u)
    return out


def test_waiting_list_moves_up_when_a_place_frees(ms: Any, world: Any) -> None:
    a = ms.activity  # capacity 2
    u1, u2, u3, u4 = workers(world, 4)
    assert activities.activity_signup(actor=u1, activity=a).status == Status.CONFIRMED
    assert activities.activity_signup(actor=u2, activity=a).status == Status.CONFIRMED
    s3 = activities.activity_signup(actor=u3, activity=a)
    s4 = activities.activity_signup(actor=u4, activity=a)
    assert s3.status == s4.status == Status.WAITING
    assert activities.waiting_position(s3) == 1 and activities.waiting_position(s4) == 2
    with pytest.raises(ApplicationError) as exc:
        activities.activity_signup(actor=u1, activity=a)
    assert exc.value.code == "already_signed_up"
    a.refresh_from_db()
    assert a.confirmed == 2

    activities.activity_cancel(actor=u2, activity=a)  # u3 moves up, and is told
    statuses = dict(
        ActivitySignup.objects.filter(activity=a).values_list("user__username", "status")
    )
    assert statuses == {"w0": "confirmed", "w1": "cancelled", "w2": "confirmed", "w3": "waiting"}
    assert Notification.objects.filter(user=u3).count() == 1
    a.refresh_from_db()
    assert a.confirmed == 2
    s4.refresh_from_db()
    assert activities.waiting_position(s4) == 1

    # a waiting person who leaves frees no place; a larger room moves the list up
    activities.activity_cancel(actor=u4, activity=a)
    a.refresh_from_db()
    assert a.confirmed == 2
    activities.activity_signup(actor=u2, activity=a)  # back, at the end of the list
    assert ActivitySignup.objects.get(activity=a, user=u2).status == Status.WAITING
    activities.activity_capacity_change(actor=world.enterprise_officer_a, activity=a, capacity=3)
    assert ActivitySignup.objects.get(activity=a, user=u2).status == Status.CONFIRMED
    a.refresh_from_db()
    assert (
        a.confirmed
        == 3
        == ActivitySignup.objects.filter(activity=a, status=Status.CONFIRMED).count()
    )
    with pytest.raises(ApplicationError):
        activities.activity_capacity_change(
            actor=world.enterprise_officer_a, activity=a, capacity=2
        )


def test_signup_closes_when_the_activity_starts(ms: Any, world: Any) -> None:
    Activity.objects.filter(pk=ms.activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError) as exc:
        activities.activity_signup(actor=world.worker_a, activity=ms.activity)
    assert exc.value.code == "closed"


def test_audience_is_the_organisers_subtree(ms: Any, world: Any) -> None:
    assert ms.activity in activities.activities_for(actor=world.worker_a)
    assert ms.activity in activities.activities_for(actor=world.alice)  # the province above
    assert ms.activity not in activities.activities_for(actor=ms.worker_b)
    assert ms.activity not in activities.activities_for(actor=world.bob)


def test_qr_checkin_feedback_and_attendance(ms: Any, world: Any) -> None:
    a = ms.activity
    u1, u2, u3 = workers(world, 3)
    for u in (u1, u2, u3):
        activities.activity_signup(actor=u, activity=a)
    activities.activity_checkin(actor=u1, activity=a, token=a.checkin_secret)
    activities.activity_checkin(actor=u1, activity=a, token=a.checkin_secret)  # twice: once
    with pytest.raises(ApplicationError) as exc:
        activities.activity_checkin(actor=u3, activity=a, token=a.checkin_secret)  # waiting
    assert exc.value.code == "no_place"
    with pytest.raises(ApplicationError):
        activities.activity_checkin(actor=u2, activity=a, token="wrong")
    with pytest.raises(ApplicationError) as exc:
        activities.activity_feedback_add(actor=u2, activity=a, stars=5)
    assert exc.value.code == "not_attended"
    activities.activity_feedback_add(actor=u1, activity=a, stars=4, text="很好")
    report = activities.attendance_report(actor=world.enterprise_officer_a)
    row = next(r for r in report if r["activity"] == a)
    assert (row["signed"], row["waiting"], row["attended"], row["rate"], row["rating"]) == (
        2,
        1,
        1,
        50,
        4.0,
    )
    assert activities.attendance_report(actor=world.bob) == []
