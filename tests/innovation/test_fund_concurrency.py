"""Two award payments racing for the last money of the reward fund, in real parallel transactions
(PostgreSQL only: SQLite serialises writers). Exactly one is paid; the fund never goes below zero
and the losing payment leaves no partial debit behind."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.innovation import awards
from gongjiang.innovation.models import AwardRound, Nomination

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


def test_two_award_payments_for_the_last_money_one_wins(
    refdata: Any, world: Any, team: Any
) -> None:
    from gongjiang.core.review.models import ReviewItem
    from gongjiang.innovation import services

    from .conftest import make_result

    fund = fund_create(actor=world.alice, organization=world.province_a, name="奖励基金")
    fund_credit(actor=world.alice, fund=fund, amount="1000.00")
    round_ = awards.award_round_create(
        actor=world.alice,
        organization=world.province_a,
        year=2026,
        title="并发测试",
        fund=fund,
        grade_amounts={"一等奖": "1000.00"},
    )
    nominations = []
    for title in ("甲", "乙"):
        r = services.result_review(
            actor=team.hr, result=make_result(team, title=title, submit=True), adopted=True
        )
        item = ReviewItem.objects.create(
            round=round_.review, label=title, organization=r.organization, grade="一等奖", rank=1
        )
        nominations.append(
            Nomination.objects.create(round=round_, result=r, organization=world.city_a, item=item)
        )
    AwardRound.objects.filter(pk=round_.pk).update(state=AwardRound.State.PUBLISHED)
    barrier = threading.Barrier(2)
    outcome: list[Any] = []

    def pay(nomination: Nomination) -> None:
        try:
            barrier.wait(timeout=10)
            awards.award_pay(actor=world.alice, nomination=nomination)
            outcome.append("paid")
        except ApplicationError as exc:
            outcome.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(n,)) for n in nominations]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcome) == ["insufficient_funds", "paid"], outcome
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.00")
    entries = list(fund.entries.all())
    assert sum(e.signed_amount for e in entries) == fund.balance
    assert len([e for e in entries if e.kind == "debit"]) == 3  # one payment of three members
    assert sorted(n.paid_amount is None for n in Nomination.objects.all()) == [False, True]


@pytest.mark.parametrize(("budget", "paid"), [("1000.00", 1), ("1200.00", 2), ("1199.99", 1)])
def test_parallel_payments_never_overshoot_the_years_budget(
    refdata: Any, world: Any, team: Any, budget: str, paid: int
) -> None:
    """Two revenue payments of 600.00 each from a rich fund whose year budget allows one or two:
    they queue on the budget row, so the year's use never passes the approved budget."""
    from gongjiang.innovation import fund_budgets, revenue, services
    from tests.factories import UserFactory, member

    from .conftest import make_result

    carol = UserFactory(username="carol")
    member(carol, world.province_a, "officer")
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="创新奖励基金")
    fund_credit(actor=world.alice, fund=fund, amount="100000.00")
    year = fund_budgets.payment_year()
    proposed = fund_budgets.fund_budget_propose(
        actor=world.alice, fund=fund, year=year, amount=budget
    )
    fund_budgets.fund_budget_approve(actor=carol, budget=proposed)
    rows = []
    for title in ("甲", "乙"):
        result = services.result_review(
            actor=team.hr, result=make_result(team, title=title, submit=True), adopted=True
        )
        scheme = revenue.revenue_scheme_create(
            actor=team.hr, result=result, mode="transfer", first_year=2025, fund=fund
        )
        row = revenue.revenue_year_enter(
            actor=team.hr, scheme=scheme, year=2025, amount=Decimal("1200.00")
        )
        rows.append(revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=row))
    barrier = threading.Barrier(2)
    outcome: list[Any] = []

    def pay(row: Any) -> None:
        try:
            barrier.wait(timeout=10)
            revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=row)
            outcome.append("paid")
        except ApplicationError as exc:
            outcome.append(exc.code)
            remaining.append(exc.details[0].get("remaining") if exc.details else None)
        finally:
            connections.close_all()

    remaining: list[Any] = []
    threads = [threading.Thread(target=pay, args=(r,)) for r in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcome) == sorted(["paid"] * paid + ["over_budget"] * (2 - paid)), outcome
    # the loser is told what the winner left of the budget (it saw the winner's payment)
    assert remaining == [f"{Decimal(budget) - Decimal('600.00'):.2f}"] * (2 - paid), remaining
    used = fund_budgets.budget_used(fund=fund, year=year)
    assert used == Decimal("600.00") * paid and used <= Decimal(budget)
    fund.refresh_from_db()
    assert fund.balance == Decimal("100000.00") - used
