"""Concurrent sign-ups for the last places, in real parallel transactions (PostgreSQL only: SQLite
serialises writers). Never more confirmed than the capacity; everyone else waits, in order."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.members import activities
from gongjiang.members.models import Activity, ActivitySignup

from ..factories import UserFactory, member

ALL_APPS = list(settings.INSTALLED_APPS)
pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=ALL_APPS),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs parallel writers (PostgreSQL); SQLite serialises every write",
    ),
]


@pytest.fixture
def refdata(transactional_db: Any) -> None:
    from gongjiang.core.models import SkillLevel
    from gongjiang.core.refdata import load_reference_data

    if not SkillLevel.objects.exists():
        load_reference_data()


def _race(activity: Any, users: list[Any], action: str) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcome: list[str] = []

    def run(user: Any) -> None:
        try:
            barrier.wait(timeout=20)
            fresh = Activity.objects.get(pk=activity.pk)
            if action == "signup":
                outcome.append(activities.activity_signup(actor=user, activity=fresh).status)
            else:
                outcome.append(activities.activity_cancel(actor=user, activity=fresh).status)
        except Exception as exc:  # noqa: BLE001 (reported in the assertion)
            outcome.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcome


def test_concurrent_signups_never_overbook_and_the_list_moves_up(
    refdata: Any, world: Any, ms: Any
) -> None:
    users = []
    for i in range(12):
        u = UserFactory(username=f"racer{i}")
        member(u, world.enterprise_a, "worker")
        users.append(u)
    Activity.objects.filter(pk=ms.activity.pk).update(capacity=5)
    outcome = _race(ms.activity, users, "signup")
    assert sorted(outcome) == ["confirmed"] * 5 + ["waiting"] * 7, outcome
    activity = Activity.objects.get(pk=ms.activity.pk)
    assert (
        activity.confirmed
        == 5
        == ActivitySignup.objects.filter(activity=activity, status="confirmed").count()
    )
    sequences = list(
        ActivitySignup.objects.filter(activity=activity).values_list("sequence", flat=True)
    )
    assert sorted(sequences) == list(range(1, 13))  # one queue, no two alike

    # four confirmed people cancel at once: the first four waiting move up, never more
    confirmed = [
        s.user
        for s in ActivitySignup.objects.filter(
            activity=activity, status="confirmed"
        ).select_related("user")[:4]
    ]
    first_waiting = list(
        ActivitySignup.objects.filter(activity=activity, status="waiting")
        .order_by("sequence")
        .values_list("user_id", flat=True)[:4]
    )
    outcome = _race(activity, confirmed, "cancel")
    assert sorted(outcome) == ["cancelled"] * 4, outcome
    activity.refresh_from_db()
    now_confirmed = set(
        ActivitySignup.objects.filter(activity=activity, status="confirmed").values_list(
            "user_id", flat=True
        )
    )
    assert activity.confirmed == 5 == len(now_confirmed)
    assert set(first_waiting) <= now_confirmed
