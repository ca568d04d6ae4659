"""Cadres giving one enterprise mentor's last places to several apprentices at once, in real
parallel transactions (PostgreSQL only: SQLite serialises every writer). The mentor's limit holds:
exactly the free places are taken, never more."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.careers.models_apprentice import Apprentice
from gongjiang.core.errors import ApplicationError

from . import apprentice_helpers
from .apprentice_helpers import enrol, trainee

ALL_APPS = list(settings.INSTALLED_APPS)
pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=ALL_APPS),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs parallel writers (PostgreSQL); SQLite serialises every write",
    ),
]
appr = apprentice_helpers.appr


@pytest.fixture
def refdata(transactional_db: Any) -> None:
    from gongjiang.core.models import SkillLevel
    from gongjiang.core.refdata import load_reference_data

    if not SkillLevel.objects.exists():
        load_reference_data()


def test_concurrent_assignments_never_exceed_the_mentor_limit(
    refdata: Any, world: Any, appr: Any
) -> None:
    enrol(appr, appr.me)  # one of the mentor's three places is taken
    workers = [trainee(world.enterprise_a, 80 + i) for i in range(5)]
    barrier = threading.Barrier(len(workers))
    outcome: list[str] = []

    def assign(worker: Any) -> None:
        try:
            barrier.wait(timeout=10)
            enrol(appr, worker)
            outcome.append("ok")
        except ApplicationError as exc:
            outcome.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome) == ["mentor_full", "mentor_full", "mentor_full", "ok", "ok"]
    assert Apprentice.objects.filter(mentor=appr.mentor, status="training").count() == 3
