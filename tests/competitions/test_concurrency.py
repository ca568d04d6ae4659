"""Two judges' sessions saving the same mark at the same moment, in real parallel transactions
(PostgreSQL only: SQLite serialises writers). Exactly one wins; the other is told; nothing is lost."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.competitions import marking
from gongjiang.competitions.models import Aspect, Mark
from gongjiang.core.errors import ConflictError

from .factories import assign_judges, confirmed_entry

# all apps, so the flush after each test truncates with CASCADE (tables of apps being built may
# reference ours without their model being loaded yet)
ALL_APPS = list(settings.INSTALLED_APPS)
pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=ALL_APPS),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs parallel writers (PostgreSQL)"
    ),
]


@pytest.fixture
def refdata(transactional_db):
    from gongjiang.core.models import SkillLevel
    from gongjiang.core.refdata import load_reference_data

    if not SkillLevel.objects.exists():
        load_reference_data()


def test_parallel_saves_one_wins(refdata, world, comp, workers):
    stage = comp["stages"][0]
    j1, j2 = comp["judges"][:2]
    assign_judges(world.alice, stage, comp["criteria"], [j1, j2])
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    aspect = Aspect.objects.get(criterion__trade=comp["trade"], criterion__letter="A", number=1)
    first = marking.mark_save(actor=j1, entry=entry, aspect=aspect, value="100", version=0).mark
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def save(judge, value):
        try:
            barrier.wait(timeout=10)
            marking.mark_save(
                actor=judge, entry=entry, aspect=aspect, value=value, version=first.version
            )
            outcome[value] = "saved"
        except ConflictError as exc:
            outcome[value] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(j1, "100.01")),
        threading.Thread(target=save, args=(j2, "99.5")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [v for v, r in outcome.items() if r == "saved"]
    losers = [r for r in outcome.values() if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, outcome
    current = Mark.objects.get(pk=first.pk)
    assert current.version == 2 and str(current.value.normalize()) == winners[0]
    assert winners[0] in losers[0].message  # the loser is told the winner's value
