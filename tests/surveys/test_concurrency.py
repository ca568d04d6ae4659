"""Workers answering at the same moment while two folders run, in real parallel transactions
(PostgreSQL only: SQLite serialises every write). Every answer is stored once and counted once: the
rollups equal a recount, nothing is left queued."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.core.counters import counters_fold, counters_fold_all
from gongjiang.surveys import rollups, services
from gongjiang.surveys.models import Response

from .helpers import answers

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


def test_parallel_answers_while_folding_are_counted_once(refdata: Any, sw: Any) -> None:
    workers = sw.workers[:24]
    groups = [workers[i::6] for i in range(6)]
    answering = threading.Barrier(len(groups) + 2)
    done = threading.Event()
    errors: list[str] = []
    folded: list[int] = []

    def answer(group: list[Any]) -> None:
        try:
            answering.wait(timeout=30)
            for w in group:
                i = workers.index(w)
                services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
        except Exception as exc:  # noqa: BLE001 (reported in the assertion)
            errors.append(repr(exc))
        finally:
            connections.close_all()

    def fold() -> None:
        try:
            answering.wait(timeout=30)
            n = 0
            while not done.is_set():
                n += counters_fold(batch=3)
            folded.append(n)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connections.close_all()

    answerers = [threading.Thread(target=answer, args=(g,)) for g in groups]
    folders = [threading.Thread(target=fold) for _ in range(2)]
    for t in answerers + folders:
        t.start()
    for t in answerers:
        t.join(120)
    done.set()
    for t in folders:
        t.join(60)
    assert errors == []
    assert Response.objects.filter(survey=sw.survey).count() == 24
    assert sum(folded) + counters_fold_all() == 24  # each answer's counters folded once
    check = rollups.verify(sw.survey)
    assert check["equal"] and check["responses"] == 24 and check["pending"] == 0
