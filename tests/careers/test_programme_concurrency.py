"""Applications racing for the last places of a unit, in real parallel transactions (PostgreSQL
only: SQLite serialises every writer). Exactly the unit's places are taken, never more."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.careers import programmes as svc
from gongjiang.core.errors import ApplicationError

from .programme_helpers import eligible_worker, make_programme

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


def test_concurrent_applications_never_exceed_the_places(refdata: Any, world: Any) -> None:
    p = make_programme(world, places=2)
    workers = [eligible_worker(world.enterprise_a, 60 + i) for i in range(5)]
    barrier = threading.Barrier(len(workers))
    outcome: list[str] = []

    def apply(worker: Any) -> None:
        try:
            barrier.wait(timeout=10)
            svc.programme_apply(actor=world.enterprise_officer_a, programme=p, worker=worker)
            outcome.append("ok")
        except ApplicationError as exc:
            outcome.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome) == ["ok", "ok", "places_full", "places_full", "places_full"]
    assert p.applications.count() == 2
