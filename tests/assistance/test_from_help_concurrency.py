"""Two cadres (or two clicks) opening a hardship application from the same help request at once, in
real parallel transactions (PostgreSQL only: SQLite serialises writers): exactly one file, the other
answered 409 ``file_exists``."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.assistance import intake
from gongjiang.assistance.models import HardshipFile
from gongjiang.core.errors import ApplicationError
from gongjiang.members import helpdesk
from gongjiang.members.models import HelpMessage, HelpRequest

from ..factories import UserFactory, member
from .conftest import household

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


def test_concurrent_opening_makes_one_file(refdata: Any, assist: Any) -> None:
    a = assist
    cadres = []
    for i in range(4):
        u = UserFactory(username=f"handler{i}")
        member(u, a.world.enterprise_a, "officer")
        member(u, a.world.enterprise_a, "assistance")
        cadres.append(u)
    req = helpdesk.help_file(
        actor=a.world.worker_a, category="hardship", subject="生活困难", text="…"
    )
    barrier = threading.Barrier(len(cadres))
    outcome: list[str] = []

    def run(user: Any) -> None:
        try:
            fresh = HelpRequest.objects.get(pk=req.pk)
            barrier.wait(timeout=20)
            file = intake.file_from_help(
                actor=user, req=fresh, household=household("900.00"), consent=True
            )
            outcome.append(f"opened {file.code}")
        except ApplicationError as exc:
            outcome.append(exc.code)
        except Exception as exc:  # noqa: BLE001 (reported in the assertion)
            outcome.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in cadres]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    opened = [o for o in outcome if o.startswith("opened ")]
    assert (
        len(opened) == 1 and sorted(o for o in outcome if o not in opened) == ["file_exists"] * 3
    ), outcome
    assert HardshipFile.objects.count() == 1
    assert HardshipFile.objects.get().help_request_id == req.pk
    assert HelpMessage.objects.filter(request=req, kind="event").count() == 1


def test_the_link_is_unique_in_the_database(refdata: Any, assist: Any) -> None:
    """Without the lock (another code path), the database itself refuses a second link."""
    from django.db import IntegrityError, transaction

    from gongjiang.assistance import services

    a = assist
    req = helpdesk.help_file(
        actor=a.world.worker_a, category="hardship", subject="生活困难", text="…"
    )
    first = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
    )
    HardshipFile.objects.filter(pk=first.pk).update(help_request=req, status="refused")
    second = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household(), consent=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        HardshipFile.objects.filter(pk=second.pk).update(help_request=req)
