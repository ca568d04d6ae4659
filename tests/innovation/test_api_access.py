"""Scoped access through the shared helper (``tests/access_helpers.check_access``) for the
innovation API endpoints whose own tests checked scope by hand: the reward funds and their
budgets, a result's submission, and the awards round from the panel's scores to the published
list. Each answers 401 to nobody, 404 to province B's officer (the same as a missing object, no
count leaked) and its success to the one in scope."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.services import panel_member_add
from gongjiang.innovation import awards, services
from gongjiang.innovation.fund_budgets import fund_budget_propose, payment_year
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
API = "/api/v1/innovation"


def test_reward_fund_endpoints(client: Any, world: Any) -> None:
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="创新奖励基金")
    fund_credit(actor=world.alice, fund=fund, amount="1000.00")
    year = payment_year()
    fund_budget_propose(
        actor=world.alice, fund=fund, year=year - 1, amount="10.00"
    )  # a reward fund
    carol = UserFactory(username="carol")
    member(carol, world.province_a, "officer")
    base = f"{API}/funds/{fund.code}"
    listed = check_access(client, url=f"{API}/funds", in_scope=world.alice, out_of_scope=None)
    assert [f["code"] for f in listed.json()] == [fund.code]
    client.force_login(world.bob)
    assert client.get(f"{API}/funds").json() == []  # the list: nothing of province A
    got = check_access(client, url=base, in_scope=world.alice, out_of_scope=world.bob)
    assert got.json()["balance"] == "1000.00"
    check_access(
        client,
        url=f"{base}/budgets",
        method="post",
        data={"year": year, "amount": "500.00"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    approved = check_access(
        client,
        url=f"{base}/budgets/{year}/approve",
        method="post",
        in_scope=carol,
        out_of_scope=world.bob,
    ).json()
    assert next(b for b in approved["budgets"] if b["year"] == year)["amount"] == "500.00"
    fund_budget_propose(actor=world.alice, fund=fund, year=year + 1, amount="20.00")
    rejected = check_access(
        client,
        url=f"{base}/budgets/{year + 1}/reject",
        method="post",
        data={"reason": "依据不足"},
        in_scope=carol,
        out_of_scope=world.bob,
    ).json()
    assert next(b for b in rejected["budgets"] if b["year"] == year + 1)["proposed_amount"] is None


def test_result_submit(client: Any, world: Any, team: Any) -> None:
    draft = make_result(team, actor=world.worker_a)
    submitted = check_access(
        client,
        url=f"{API}/results/{draft.code}/submit",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    ).json()
    assert submitted["status"] == "submitted"


def test_award_round_from_scores_to_the_published_list(client: Any, world: Any, team: Any) -> None:
    fund = fund_create(actor=world.alice, organization=world.province_a, name="大众创新奖励基金")
    fund_credit(actor=world.alice, fund=fund, amount="30000.00")
    round_ = awards.award_round_create(
        actor=world.alice,
        organization=world.province_a,
        year=2026,
        title="2026年度江苏省职工技术创新奖",
        bands=(1, 2, 3, 4),
        fund=fund,
        grade_amounts={"一等奖": "20000", "二等奖": "10000", "三等奖": "5000", "优秀奖": "1000"},
    )
    result = services.result_review(
        actor=team.hr, result=make_result(team, title="成果甲", submit=True), adopted=True
    )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=1)
    awards.nomination_add(actor=world.alice, round=round_, result=result, organization=world.city_a)
    round_ = awards.award_review_open(actor=world.alice, round=round_)
    expert = UserFactory(username="access_expert")
    panel_member_add(actor=world.alice, round=round_.review, user=expert)
    rounds = check_access(client, url=f"{API}/awards", in_scope=world.alice, out_of_scope=None)
    assert [r["code"] for r in rounds.json()] == [round_.code]
    code = round_.code
    sheet = check_access(
        client, url=f"{API}/awards/{code}/sheet", in_scope=expert, out_of_scope=world.bob
    ).json()
    scores = [
        {"item": i["item"], "criterion": c["id"], "score": "90"}
        for i in sheet["items"]
        for c in sheet["criteria"]
    ]
    saved = check_access(
        client,
        url=f"{API}/awards/{code}/scores",
        method="post",
        data={"scores": scores},
        in_scope=expert,
        out_of_scope=world.bob,
    ).json()
    assert [i["scores"] for i in saved["items"]] == [
        {str(c["id"]): "90.00" for c in sheet["criteria"]}
    ]
    check_access(
        client,
        url=f"{API}/awards/{code}/finalise",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    ranking = check_access(
        client, url=f"{API}/awards/{code}/ranking", in_scope=world.alice, out_of_scope=world.bob
    ).json()
    assert [(n["rank"], n["grade"]) for n in ranking] == [(1, "一等奖")]
    round_.refresh_from_db()
    round_ = awards.award_notice_publish(actor=world.alice, round=round_)
    notice = round_.notice
    span = notice.ends_on - notice.starts_on
    start = dt.date.today() - span - dt.timedelta(days=2)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + span)
    round_.refresh_from_db()
    awards.award_round_publish(actor=world.alice, round=round_)
    published = check_access(
        client, url=f"{API}/awards/{code}/published", in_scope=world.alice, out_of_scope=world.bob
    ).json()
    assert [w["title"] for w in published["winners"]] == ["成果甲"]
    assert "李斌" in json.dumps(published, ensure_ascii=False)
