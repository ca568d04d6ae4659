"""Two payments racing for the last yuan of a fund, in real parallel transactions (PostgreSQL only:
SQLite serialises writers, so there is no race to lose). Exactly one succeeds; the balance is zero,
never negative, and equals the sum of the entries."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import Fund
from gongjiang.core.ledger.services import fund_create, fund_credit, fund_debit

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


@pytest.mark.parametrize("rounds", [5])
def test_two_debits_for_the_last_yuan_one_wins(refdata: Any, world: Any, rounds: int) -> None:
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="慰问金")
    for _ in range(rounds):
        fund_credit(actor=world.alice, fund=fund, amount="1.00")
        barrier = threading.Barrier(2)
        outcome: list[Any] = []

        def pay(user: Any, barrier: threading.Barrier, outcome: list[Any]) -> None:
            try:
                barrier.wait(timeout=10)
                mine = Fund.objects.get(pk=fund.pk)  # each payer read the balance (1.00) first
                fund_debit(actor=user, fund=mine, amount="1.00")
                outcome.append("paid")
            except ApplicationError as exc:
                outcome.append(exc.code)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=pay, args=(u, barrier, outcome))
            for u in (world.alice, world.root)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcome) == ["insufficient_funds", "paid"], outcome
        fund.refresh_from_db()
        assert fund.balance == Decimal("0.00")
    entries = list(fund.entries.order_by("id"))
    assert len(entries) == 2 * rounds
    assert sum(e.signed_amount for e in entries) == fund.balance == 0
