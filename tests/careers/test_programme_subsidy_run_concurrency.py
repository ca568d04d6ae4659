"""Batch runs of a programme's academic-year subsidies racing each other and a single payment, in
real parallel transactions (PostgreSQL only: SQLite serialises every writer): every due year is
paid exactly once and the fund is debited exactly that much."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.careers import programmes as svc
from gongjiang.careers import programmes_batch as batch
from gongjiang.careers.models import ProgrammeSubsidyLine
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry

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


def test_concurrent_runs_never_pay_twice(refdata: Any, world: Any) -> None:
    p = make_programme(world, subsidy_basis="per_year", subsidy_per_year="1234.56", subsidy_years=3)
    apps = []
    for i in range(4):
        a = svc.programme_apply(
            actor=world.enterprise_officer_a,
            programme=p,
            worker=eligible_worker(world.enterprise_a, 60 + i),
        )
        a = svc.programme_select(actor=world.alice, application=a, selected=True)
        apps.append(
            svc.programme_enrol(actor=world.alice, application=a, enrolled_on=dt.date(2024, 9, 1))
        )
    barrier = threading.Barrier(4)
    paid: list[int] = []
    errors: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            paid.append(batch.programme_subsidies_pay_due(actor=world.alice, programme=p).count)
        except ApplicationError as exc:
            errors.append(exc.code)
        finally:
            connections.close_all()

    def single() -> None:
        try:
            barrier.wait(timeout=10)
            svc.programme_subsidy_pay(actor=world.alice, application=apps[0], academic_year=2)
            paid.append(1)
        except ApplicationError as exc:
            errors.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)] + [threading.Thread(target=single)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(paid) == 12 and set(errors) <= {"already_paid"}, (paid, errors)
    lines = ProgrammeSubsidyLine.objects.filter(application__programme=p)
    assert lines.count() == 12
    assert LedgerEntry.objects.filter(fund=p.fund, kind="debit").count() == 12
    p.fund.refresh_from_db()
    assert p.fund.balance == Decimal("30000.00") - Decimal("1234.56") * 12
