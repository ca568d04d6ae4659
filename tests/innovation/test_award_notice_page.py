"""Regression tests for the award round page's last fix (effa57b): an objection to the public
notice and the officer's reply are passed whole to core.notices. They were cut to 5,000 characters
in the view (``[:5000]``) and saved cut; now one character more is refused with the field named
("异议" / "答复") and nothing is saved, and exactly 5,000 characters are saved whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.innovation import awards, services
from gongjiang.innovation.models import AwardRound
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def noticed_round(world: Any, team: Any) -> AwardRound:
    """A round of province A, ranked, its public notice open (one graded result of the team)."""
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
    expert = UserFactory(username="notice_expert")
    panel_member_add(actor=world.alice, round=round_.review, user=expert)
    item = round_.review.items.get()
    for criterion in round_.review.criteria.all():
        review_score_save(actor=expert, item=item, criterion=criterion, score="90")
    awards.award_round_finalise(actor=world.alice, round=round_)
    return awards.award_notice_publish(actor=world.alice, round=round_)


def objector(world: Any) -> Any:
    """An officer of the city union that nominated: sees the round and is in its audience."""
    user = UserFactory(username="city_objector")
    member(user, world.city_a, "officer")
    return user


def test_objection_past_5000_is_refused_not_cut(client: Any, world: Any, team: Any) -> None:
    round_ = noticed_round(world, team)
    url = reverse("innovation:award_act", args=[round_.code])
    client.force_login(objector(world))
    assert "objection-text" in client.get(f"/innovation/awards/{round_.code}/").content.decode()
    r = client.post(url, {"act": "object", "text": "异" * 5001}, follow=True)
    shown = _messages(r)
    assert "5000" in shown and "异议" in shown
    assert not NoticeObjection.objects.filter(notice=round_.notice).exists()
    client.post(url, {"act": "object", "text": "异" * 5000})
    assert NoticeObjection.objects.get(notice=round_.notice).text == "异" * 5000


def test_reply_past_5000_is_refused_not_cut(client: Any, world: Any, team: Any) -> None:
    round_ = noticed_round(world, team)
    url = reverse("innovation:award_act", args=[round_.code])
    client.force_login(objector(world))
    client.post(url, {"act": "object", "text": "成果甲非原创"})
    objection = NoticeObjection.objects.get(notice=round_.notice)
    client.force_login(world.alice)
    r = client.post(
        url, {"act": "reply", "objection": objection.code, "reply": "复" * 5001}, follow=True
    )
    shown = _messages(r)
    assert "5000" in shown and "答复" in shown
    objection.refresh_from_db()
    assert objection.reply == "" and objection.replied_at is None
    client.post(url, {"act": "reply", "objection": objection.code, "reply": "复" * 5000})
    objection.refresh_from_db()
    assert objection.reply == "复" * 5000 and objection.replied_at is not None
    # the round's page shows the reply whole
    assert ("复" * 5000) in client.get(f"/innovation/awards/{round_.code}/").content.decode()
