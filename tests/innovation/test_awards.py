"""Award rounds: quotas, panel conflicts refused, ranking and grades with ties, public notice with
objections, publication as honours, payments from the reward fund split by contribution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.notices.services import notice_objection_file, notice_objection_reply
from gongjiang.core.review.models import ReviewItem
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.innovation import awards, services
from gongjiang.innovation.models import AwardRound
from gongjiang.workforce.models import Honour
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
D = Decimal


def adopted(team: Any, title: str, **extra: Any) -> Any:
    result = make_result(team, title=title, submit=True, **extra)
    return services.result_review(actor=team.hr, result=result, adopted=True)


@pytest.fixture
def setup(world: Any, team: Any) -> dict[str, Any]:
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
    results = [adopted(team, t) for t in ("成果甲", "成果乙", "成果丙")]
    return {"round": round_, "fund": fund, "results": results}


def test_quotas_and_nominations(world: Any, team: Any, setup: dict[str, Any]) -> None:
    round_, results = setup["round"], setup["results"]
    with pytest.raises(PermissionDenied):  # no quota yet
        awards.nomination_add(
            actor=world.alice, round=round_, result=results[0], organization=world.city_a
        )
    with pytest.raises(ApplicationError):  # quotas go below the organiser
        awards.award_quota_set(
            actor=world.alice, round=round_, organization=world.province_a, quota=2
        )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=2)
    awards.nomination_add(
        actor=world.alice, round=round_, result=results[0], organization=world.city_a
    )
    with pytest.raises(ConflictError) as exc:
        awards.nomination_add(
            actor=world.alice, round=round_, result=results[0], organization=world.city_a
        )
    assert exc.value.code == "duplicate"
    awards.nomination_add(
        actor=world.alice, round=round_, result=results[1], organization=world.city_a
    )
    with pytest.raises(ConflictError) as exc:
        awards.nomination_add(
            actor=world.alice, round=round_, result=results[2], organization=world.city_a
        )
    assert exc.value.code == "quota_used"
    with pytest.raises(PermissionDenied):  # bob cannot nominate for a unit of province A
        awards.nomination_add(
            actor=world.bob, round=round_, result=results[2], organization=world.city_a
        )
    draft = make_result(team, title="草稿")
    awards.award_quota_set(
        actor=world.alice, round=round_, organization=world.enterprise_a, quota=5
    )
    with pytest.raises(ApplicationError) as exc:
        awards.nomination_add(
            actor=world.alice, round=round_, result=draft, organization=world.enterprise_a
        )
    assert exc.value.code == "not_nominable"


def _nominate_all(world: Any, setup: dict[str, Any]) -> AwardRound:
    round_ = setup["round"]
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=3)
    for r in setup["results"]:
        awards.nomination_add(actor=world.alice, round=round_, result=r, organization=world.city_a)
    return awards.award_review_open(actor=world.alice, round=round_)


def _expert(name: str) -> Any:
    user = UserFactory(username=name)
    return user


def test_panel_conflicts_are_refused(world: Any, team: Any, setup: dict[str, Any]) -> None:
    round_ = _nominate_all(world, setup)
    item = ReviewItem.objects.filter(round=round_.review).first()
    criterion = round_.review.criteria.first()
    # a member of the enterprise's union: the shared affiliation rule
    insider = _expert("insider")
    member(insider, world.enterprise_a, "officer")
    # a team member with no role anywhere: this app's rule (author of the result)
    author = _expert("author")
    team.workers[1].user = author
    team.workers[1].save(update_fields=["user"])
    for user in (insider, author):
        panel_member_add(actor=world.alice, round=round_.review, user=user)
        with pytest.raises(ApplicationError) as exc:
            review_score_save(actor=user, item=item, criterion=criterion, score="90")
        assert exc.value.code == "conflict_of_interest"
    free = _expert("free")
    panel_member_add(actor=world.alice, round=round_.review, user=free)
    review_score_save(actor=free, item=item, criterion=criterion, score="90")
    # a stranger off the panel: 404
    with pytest.raises(Http404):
        review_score_save(actor=_expert("stranger"), item=item, criterion=criterion, score="90")


def _score(round_: AwardRound, expert: Any, by_title: dict[str, str]) -> None:
    for item in round_.review.items.all():
        title = item.label
        for criterion in round_.review.criteria.all():
            review_score_save(actor=expert, item=item, criterion=criterion, score=by_title[title])


def test_ranking_grades_notice_publication_and_payment(
    world: Any, team: Any, setup: dict[str, Any]
) -> None:
    round_ = _nominate_all(world, setup)
    experts = [_expert("e1"), world.alice_admin]  # a province admin may sit on the panel
    for e in experts:
        panel_member_add(actor=world.alice, round=round_.review, user=e)
    _score(round_, experts[0], {"成果甲": "90", "成果乙": "90", "成果丙": "70"})
    _score(round_, experts[1], {"成果甲": "80", "成果乙": "80", "成果丙": "75"})
    with pytest.raises(ApplicationError) as exc:  # a panel member never finalises
        awards.award_round_finalise(actor=experts[1], round=round_)
    assert exc.value.code == "separation_of_duties"
    awards.award_round_finalise(actor=world.alice, round=round_)
    ranked = {n.result.title: (n.item.rank, n.item.grade) for n in awards.winners(round_)}
    # tie for first: both 一等奖 (ranks 1, 1, 3 → the third is 三等奖, no 二等奖)
    assert ranked == {"成果甲": (1, "一等奖"), "成果乙": (1, "一等奖"), "成果丙": (3, "三等奖")}
    round_ = awards.award_notice_publish(actor=world.alice, round=round_)
    notice = round_.notice
    assert "李*斌" in notice.masked_names or "李*" in notice.masked_names
    assert "李斌" not in notice.masked_names
    objection = notice_objection_file(actor=world.worker_a, notice=notice, text="成果丙非原创")
    with pytest.raises(ConflictError) as exc:
        awards.award_round_publish(actor=world.alice, round=round_)
    assert exc.value.code == "notice_not_ended"
    # the notice period passes (moved into the past: notices cannot be published backdated)
    span = notice.ends_on - notice.starts_on
    start = dt.date.today() - span - dt.timedelta(days=2)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + span)
    round_.refresh_from_db()
    with pytest.raises(ConflictError) as exc:
        awards.award_round_publish(actor=world.alice, round=round_)
    assert exc.value.code == "objections_open"
    notice_objection_reply(actor=world.alice, objection=objection, reply="经核查，原创")
    awards.award_round_publish(actor=world.alice, round=round_)
    honours = Honour.objects.filter(worker=team.workers[0], title__contains="职工技术创新奖")
    assert sorted(h.title for h in honours) == [
        "2026年度职工技术创新奖一等奖",
        "2026年度职工技术创新奖一等奖",
        "2026年度职工技术创新奖三等奖",
    ]
    # payments: 20000 split 50/30/20 by contribution, from the fund, never below zero
    first, second, third = awards.winners(round_)
    entries = awards.award_pay(actor=world.alice, nomination=first)
    assert [e.amount for e in entries] == [D("10000.00"), D("6000.00"), D("4000.00")]
    with pytest.raises(ConflictError):
        awards.award_pay(actor=world.alice, nomination=first)
    setup["fund"].refresh_from_db()
    assert setup["fund"].balance == D("10000.00")
    with pytest.raises(ApplicationError) as exc:  # 20000 needed, 10000 left: nothing is paid
        awards.award_pay(actor=world.alice, nomination=second)
    assert exc.value.code == "insufficient_funds"
    setup["fund"].refresh_from_db()
    assert setup["fund"].balance == D("10000.00")
    second.refresh_from_db()
    assert second.paid_amount is None
    awards.award_pay(actor=world.alice, nomination=third)
    setup["fund"].refresh_from_db()
    assert setup["fund"].balance == D("5000.00")


def test_savings_rule_with_cap(world: Any, team: Any, setup: dict[str, Any]) -> None:
    round_ = setup["round"]
    round_.reward_mode = AwardRound.RewardMode.SAVINGS
    round_.savings_share = D("0.05")
    round_.savings_cap = D("3000.00")
    round_.save()
    nomination = type("N", (), {})()
    nomination.item_id = 1
    nomination.item = type("I", (), {"grade": "三等奖"})()
    nomination.result = type("R", (), {"savings": D("50000.10")})()
    assert awards.reward_amount(round_, nomination) == D("2500.01")  # 2500.005 → half up
    nomination.result.savings = D("100000")
    assert awards.reward_amount(round_, nomination) == D("3000.00")  # capped
