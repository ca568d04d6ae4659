from __future__ import annotations

from typing import Any

import pytest

from gongjiang.core.review.services import panel_member_add
from gongjiang.core.todos import todos_for
from gongjiang.innovation import awards

from .conftest import make_result

pytestmark = pytest.mark.django_db


REVIEW = "/innovation/review/"
AWARDS = "/innovation/awards/"


def _counts(user: Any) -> dict[str, Any]:
    return {t.url: t.count for t in todos_for(user)}


def test_todos_count_in_scope_only(world: Any, team: Any) -> None:
    make_result(team, submit=True)
    assert _counts(team.hr)[REVIEW] == 1
    assert _counts(world.alice)[REVIEW] == 1
    assert _counts(world.bob)[REVIEW] == 0
    assert REVIEW not in _counts(world.worker_a)


def test_panel_todo(world: Any, team: Any) -> None:
    from gongjiang.innovation.services import result_review

    result = result_review(actor=team.hr, result=make_result(team, submit=True), adopted=True)
    round_ = awards.award_round_create(
        actor=world.alice, organization=world.province_a, year=2026, title="评选"
    )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=1)
    awards.nomination_add(actor=world.alice, round=round_, result=result, organization=world.city_a)
    panel_member_add(actor=world.alice, round=round_.review, user=world.nobody)
    assert AWARDS not in _counts(world.nobody)
    awards.award_review_open(actor=world.alice, round=round_)
    assert _counts(world.nobody)[AWARDS] == 1


FUNDS = "/innovation/funds/"
MINE = "/innovation/revenue/mine/"


def test_budget_todo_for_another_officer_in_scope_only(world: Any) -> None:
    from gongjiang.core.ledger.services import fund_create
    from gongjiang.innovation.fund_budgets import (
        fund_budget_approve,
        fund_budget_propose,
        payment_year,
    )
    from tests.factories import UserFactory, member

    carol = UserFactory(username="carol")
    member(carol, world.province_a, "officer")
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="创新奖励基金")
    assert FUNDS not in _counts(carol)
    budget = fund_budget_propose(actor=world.alice, fund=fund, year=payment_year(), amount="100.00")
    assert _counts(carol)[FUNDS] == 1
    assert FUNDS not in _counts(world.alice)  # the proposer never approves their own
    assert FUNDS not in _counts(world.bob)  # province B: nothing, not even a count
    assert FUNDS not in _counts(world.worker_a)
    fund_budget_approve(actor=carol, budget=budget)
    assert FUNDS not in _counts(carol)


def test_statements_ready_todo_until_opened(client: Any, world: Any, team: Any) -> None:
    from gongjiang.core.ledger.services import fund_create, fund_credit

    from .test_revenue_corrections import certified_year

    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="分红基金")
    fund_credit(actor=world.alice, fund=fund, amount="100000.00")
    certified_year(world, team, fund, pay=True)
    assert _counts(world.worker_a)[MINE] == 1  # 李斌's part of the paid year
    assert MINE not in _counts(world.alice)  # officers have no statement of their own
    client.force_login(world.worker_a)
    r = client.get(f"/innovation/revenue/statements/{team.workers[0].code}.pdf")
    assert r.status_code == 200
    assert MINE not in _counts(world.worker_a)
