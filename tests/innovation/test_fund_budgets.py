"""The yearly budget of a reward fund: proposed by one officer and approved by another, payments
refused past the approved budget exact to the fen (409 naming the budget and what remains, nothing
written), the fund page with used and remaining, the API, scope."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.models import AuditEvent
from gongjiang.innovation import fund_budgets, revenue, services
from gongjiang.innovation.fund_budgets import (
    fund_budget_approve,
    fund_budget_propose,
    fund_budget_reject,
    payment_year,
)
from gongjiang.innovation.models import RevenueYear
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def fund(world: Any) -> Any:
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="创新奖励基金")
    fund_credit(actor=world.alice, fund=fund, amount="100000.00")
    return fund


@pytest.fixture
def carol(world: Any) -> Any:
    """A second officer of province A: approves what alice proposes."""
    user = UserFactory(username="carol")
    member(user, world.province_a, "officer")
    return user


def budget(world: Any, approver: Any, fund: Any, amount: str, year: int | None = None) -> Any:
    proposed = fund_budget_propose(
        actor=world.alice, fund=fund, year=year or payment_year(), amount=amount
    )
    return fund_budget_approve(actor=approver, budget=proposed)


def certified_year(world: Any, team: Any, fund: Any, pool: str, year: int = 2025) -> Any:
    """A certified transfer year whose pool (half the net income) is ``pool``."""
    result = services.result_review(
        actor=team.hr, result=make_result(team, title=f"成果{year}", submit=True), adopted=True
    )
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="transfer", first_year=year, fund=fund
    )
    row = revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=year, amount=D(pool) * 2)
    row = revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=row)
    assert row.pool == D(pool)
    return row


def test_budget_is_proposed_by_one_officer_and_approved_by_another(
    world: Any, fund: Any, carol: Any
) -> None:
    year = payment_year()
    proposed = fund_budget_propose(actor=world.alice, fund=fund, year=year, amount="5000.00")
    assert proposed.amount is None and proposed.proposed_amount == D("5000.00")
    with pytest.raises(DutyConflict):
        fund_budget_approve(actor=world.alice, budget=proposed)
    assert AuditEvent.objects.filter(action="innovation.fund_budget_approve.refused").exists()
    with pytest.raises(Http404):  # a worker has no fund rights and does not see it
        fund_budget_approve(actor=world.worker_a, budget=proposed)
    with pytest.raises(Http404):  # another province's officer does not see the fund
        fund_budget_approve(actor=world.bob, budget=proposed)
    approved = fund_budget_approve(actor=carol, budget=proposed)
    assert approved.amount == D("5000.00") and approved.proposed_amount is None
    assert approved.approved_by == carol
    # a new proposal leaves the approved amount in force until decided
    again = fund_budget_propose(actor=world.alice, fund=fund, year=year, amount="8000.00")
    assert again.amount == D("5000.00") and again.proposed_amount == D("8000.00")
    withdrawn = fund_budget_reject(actor=world.alice, budget=again)  # the proposer withdraws
    assert withdrawn.amount == D("5000.00") and withdrawn.proposed_amount is None
    again = fund_budget_propose(actor=world.alice, fund=fund, year=year, amount="8000.00")
    with pytest.raises(ApplicationError) as exc:  # rejecting another's proposal needs a reason
        fund_budget_reject(actor=carol, budget=again)
    assert exc.value.details[0]["field"] == "reason"
    fund_budget_reject(actor=carol, budget=again, reason="超出年度计划")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "innovation.fund_budget_propose",
        "innovation.fund_budget_approve",
        "innovation.fund_budget_withdraw",
        "innovation.fund_budget_reject",
    } <= actions
    with pytest.raises(ApplicationError) as exc:
        fund_budget_approve(actor=carol, budget=again)
    assert exc.value.code == "nothing_proposed"


@pytest.mark.parametrize(
    ("field", "year", "amount"),
    [
        ("amount", 2026, "1.001"),
        ("amount", 2026, "-1"),
        ("amount", 2026, "1e20"),
        ("amount", 2026, "abc"),
        ("amount", 2026, 1.5),
        ("year", 1999, "1"),
        ("year", "x", "1"),
    ],
)
def test_bad_input_names_its_field(
    world: Any, fund: Any, field: str, year: Any, amount: Any
) -> None:
    with pytest.raises(ApplicationError) as exc:
        fund_budget_propose(actor=world.alice, fund=fund, year=year, amount=amount)
    assert exc.value.details[0]["field"] == field
    assert not fund_budgets.FundBudget.objects.exists()


def test_payment_past_the_budget_is_refused_to_the_fen(
    world: Any, team: Any, fund: Any, carol: Any
) -> None:
    budget(world, carol, fund, "1000.00")
    row = certified_year(world, team, fund, "1000.01")
    with pytest.raises(ApplicationError) as exc:
        revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=row)
    assert exc.value.code == "over_budget" and exc.value.status == 409
    assert "1000.00" in exc.value.message and "创新奖励基金" in exc.value.message
    assert exc.value.details[0]["remaining"] == "1000.00"
    assert exc.value.details[0]["budget"] == "1000.00"
    # nothing written: no debit, the year still certified, the balance whole
    assert not LedgerEntry.objects.filter(fund=fund, kind="debit").exists()
    assert RevenueYear.objects.get(pk=row.pk).status == "certified"
    fund.refresh_from_db()
    assert fund.balance == D("100000.00")
    # one fen more of budget and the same payment passes, leaving exactly nothing
    budget(world, carol, fund, "1000.01")
    revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=row)
    summary = fund_budgets.year_summary(fund=fund, year=payment_year())
    assert summary["used"] == D("1000.01") and summary["remaining"] == D("0.00")
    small = certified_year(world, team, fund, "0.01", year=2024)
    with pytest.raises(ApplicationError) as exc:
        revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=small)
    assert exc.value.code == "over_budget" and exc.value.details[0]["remaining"] == "0.00"
    # the budget cannot be approved below what the year already used
    lower = fund_budget_propose(actor=world.alice, fund=fund, year=payment_year(), amount="1000.00")
    with pytest.raises(ApplicationError) as exc:
        fund_budget_approve(actor=carol, budget=lower)
    assert exc.value.code == "budget_below_used"


def test_award_payment_is_held_to_the_budget(world: Any, team: Any, carol: Any) -> None:
    from gongjiang.core.review.models import ReviewItem
    from gongjiang.innovation import awards
    from gongjiang.innovation.models import AwardRound, Nomination

    fund = fund_create(actor=world.alice, organization=world.province_a, name="奖励基金")
    fund_credit(actor=world.alice, fund=fund, amount="5000.00")
    budget(world, carol, fund, "999.99")
    round_ = awards.award_round_create(
        actor=world.alice,
        organization=world.province_a,
        year=2026,
        title="预算测试",
        fund=fund,
        grade_amounts={"一等奖": "1000.00"},
    )
    r = services.result_review(
        actor=team.hr, result=make_result(team, title="甲", submit=True), adopted=True
    )
    item = ReviewItem.objects.create(
        round=round_.review, label="甲", organization=r.organization, grade="一等奖", rank=1
    )
    nomination = Nomination.objects.create(
        round=round_, result=r, organization=world.city_a, item=item
    )
    AwardRound.objects.filter(pk=round_.pk).update(state=AwardRound.State.PUBLISHED)
    with pytest.raises(ApplicationError) as exc:
        awards.award_pay(actor=world.alice, nomination=nomination)
    assert exc.value.code == "over_budget"
    assert "999.99" in exc.value.message
    nomination.refresh_from_db()
    assert nomination.paid_amount is None
    assert not LedgerEntry.objects.filter(fund=fund, kind="debit").exists()
    # a budget of another year does not limit this year's payments
    fund_budgets.FundBudget.objects.filter(fund=fund).update(year=payment_year() - 1)
    awards.award_pay(actor=world.alice, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.paid_amount == D("1000.00")


def test_fund_pages(client: Any, world: Any, team: Any, fund: Any, carol: Any) -> None:
    row = certified_year(world, team, fund, "300.00")
    other = fund_create(actor=world.bob, organization=world.enterprise_b, name="浙江奖励基金")
    fund_budget_propose(actor=world.bob, fund=other, year=payment_year(), amount="1")
    year = payment_year()
    client.force_login(world.alice)
    response = client.post(
        f"/innovation/funds/{fund.code}/", {"act": "propose", "year": year, "amount": "2000.005"}
    )
    assert (
        response.status_code == 200
        and not fund_budgets.FundBudget.objects.filter(fund=fund).exists()
    )
    response = client.post(
        f"/innovation/funds/{fund.code}/", {"act": "propose", "year": year, "amount": "2000.00"}
    )
    assert response.status_code == 302
    proposed = fund_budgets.FundBudget.objects.get(fund=fund)
    page = client.get(f"/innovation/funds/{fund.code}/").content.decode()
    assert "2000.00" in page and 'value="approve"' not in page  # not for the proposer
    client.force_login(carol)
    page = client.get(f"/innovation/funds/{fund.code}/").content.decode()
    assert 'value="approve"' in page
    client.post(f"/innovation/funds/{fund.code}/", {"act": "approve", "budget": proposed.code})
    revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=row)
    listing = client.get("/innovation/funds/").content.decode()
    assert "创新奖励基金" in listing and "浙江奖励基金" not in listing
    assert "2000.00" in listing and "300.00" in listing and "1700.00" in listing
    # another province's fund is 404 for alice's colleague, the list is refused to a worker
    assert client.get(f"/innovation/funds/{other.code}/").status_code == 404
    assert (
        client.post(
            f"/innovation/funds/{other.code}/", {"act": "propose", "year": year, "amount": "1"}
        ).status_code
        == 404
    )
    client.force_login(world.worker_a)
    assert client.get("/innovation/funds/").status_code == 403
    assert client.get(f"/innovation/funds/{fund.code}/").status_code == 404


def test_fund_api(client: Any, world: Any, fund: Any, carol: Any) -> None:
    certified = fund  # the fund pays nothing yet: it is listed once it has a budget
    year = payment_year()
    client.force_login(world.alice)

    def post(url: str, data: Any) -> Any:
        return client.post(url, data=json.dumps(data), content_type="application/json")

    base = f"/api/v1/innovation/funds/{certified.code}"
    assert client.get(base).status_code == 404  # not a reward fund yet
    assert post(f"{base}/budgets", {"year": year, "amount": "1"}).status_code == 404
    # made a reward fund by a budget of the page's service
    fund_budget_propose(actor=world.alice, fund=fund, year=year - 1, amount="10.00")
    response = post(f"{base}/budgets", {"year": year, "amount": "1" + "0" * 20})
    assert response.status_code == 422
    assert post(f"{base}/budgets", {"year": 99999, "amount": "1"}).status_code == 422
    response = post(f"{base}/budgets", {"year": year, "amount": "2500.50"})
    assert response.status_code == 201, response.content
    assert post(f"{base}/budgets/{year}/approve", {}).status_code == 403  # the proposer
    client.force_login(carol)
    response = post(f"{base}/budgets/{year}/approve", {})
    assert response.status_code == 200
    row = next(b for b in response.json()["budgets"] if b["year"] == year)
    assert row == {
        "code": row["code"],
        "year": year,
        "amount": "2500.50",
        "used": "0.00",
        "remaining": "2500.50",
        "proposed_amount": None,
        "proposed_by": "alice",
    }
    assert [f["code"] for f in client.get("/api/v1/innovation/funds").json()] == [fund.code]
    client.force_login(world.bob)
    assert client.get(base).status_code == 404
    assert post(f"{base}/budgets", {"year": year, "amount": "1"}).status_code == 404
    assert client.get("/api/v1/innovation/funds").json() == []
    client.force_login(world.worker_a)
    assert client.get("/api/v1/innovation/funds").status_code == 403
