"""The level above returns an honours round with a reason: the round takes nominations again,
the organiser revises and resubmits (review and notice again), the level above decides again.
Separation of duties, audit, to-dos, the API and the page."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongjiang.careers import honours
from gongjiang.careers.models import HonourNomination
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.core.todos import providers
from gongjiang.workforce.models import Honour

from ..access_helpers import check_access
from ..factories import UserFactory, member
from .honours_helpers import end_notice, nominate, run_to_notice

pytestmark = pytest.mark.django_db

API = "/api/v1/careers/honours"
REASON = "推荐对象中有一人受过警告处分，请核实后重新报送。"


def _resubmit(hon: Any) -> Any:
    """Review, score, finalise and publish again after a return."""
    honours.honour_review_open(actor=hon.organiser, round=hon.round)
    hon.round.refresh_from_db()
    panel_member_add(actor=hon.organiser, round=hon.round.review, user=hon.expert)
    for n in hon.round.nominations.filter(status="nominated").select_related("review_item"):
        for c in ReviewCriterion.objects.filter(round=hon.round.review):
            review_score_save(actor=hon.expert, item=n.review_item, criterion=c, score=80)
    honours.honour_review_finalise(actor=hon.organiser, round=hon.round)
    honours.honour_notice_publish(actor=hon.organiser, round=hon.round)
    hon.round.refresh_from_db()
    return hon.round


def test_return_revise_resubmit_approve(hon: Any, world: Any) -> None:
    first = hon.workers["frontline"][:2]
    round_ = run_to_notice(hon, world, first)
    old_notice, old_review = round_.notice, round_.review
    assert old_notice.state in ("scheduled", "open")
    round_ = honours.honour_round_return(actor=hon.approver, round=round_, reason=REASON)
    assert round_.state == "nominating" and round_.notice is None and round_.review is None
    # every standing nomination is back to 推荐, out of the old review
    assert set(round_.nominations.values_list("status", "review_item")) == {("nominated", None)}
    # the open notice is withdrawn with the reason
    old_notice.refresh_from_db()
    assert (
        old_notice.state == PublicNotice.State.WITHDRAWN and REASON in old_notice.withdrawn_reason
    )
    event = AuditEvent.objects.get(action="careers.honour_return")
    assert event.actor_id == hon.approver.pk and event.details["reason"] == REASON
    assert event.details["review"] == old_review.code and event.details["nominations"] == 2
    assert [r["reason"] for r in honours.returns(round_)] == [REASON]
    # the organiser revises: withdraws one, nominates another, changes a rule
    withdrawn = HonourNomination.objects.get(round=round_, worker=first[1])
    honours.honour_nomination_withdraw(actor=hon.nominator, nomination=withdrawn)
    nominate(hon, world, hon.workers["technician"][0])
    honours.honour_rules_set(
        actor=hon.organiser,
        round=round_,
        rules=[{"categories": "frontline,technician", "bound": "min", "percent": 60}],
    )
    round_ = _resubmit(hon)
    assert round_.state == "notice" and round_.notice.pk != old_notice.pk
    after = end_notice(round_)
    # the approver who returned it decides again: returning is not taking part
    honours.honour_round_approve(actor=hon.approver, round=round_, on=after)
    honoured = Honour.objects.filter(title="南京市五一劳动奖章")
    assert sorted(h.worker_id for h in honoured) == sorted(
        [first[0].pk, hon.workers["technician"][0].pk]
    )


def test_only_the_level_above_and_never_a_participant(hon: Any, world: Any) -> None:
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:1])
    old_review = round_.review
    # the organiser's own level: no approval permission above it
    with pytest.raises(Exception) as denied:
        honours.honour_round_return(actor=hon.organiser, round=round_, reason=REASON)
    assert denied.type.__name__ in ("PermissionDenied", "DutyConflict")
    # the nominator and the panel's expert, given a role at the level above, are refused (audited)
    member(hon.expert, world.province_a, "officer")
    member(hon.nominator, world.province_a, "officer")
    for person in (hon.expert, hon.nominator):
        with pytest.raises(DutyConflict):
            honours.honour_round_return(actor=person, round=round_, reason=REASON)
    assert AuditEvent.objects.filter(action="careers.honour_return.refused").count() == 2
    round_.refresh_from_db()
    assert round_.state == "notice"
    # a reason is required, and bounded; named by its field
    for bad in ("", "   ", "理" * 501):
        with pytest.raises(ApplicationError) as caught:
            honours.honour_round_return(actor=hon.approver, round=round_, reason=bad)
        assert caught.value.details[0]["field"] == "reason"
    honours.honour_round_return(actor=hon.approver, round=round_, reason=REASON)
    # a round no longer in notice cannot be returned again
    with pytest.raises(ApplicationError) as caught:
        honours.honour_round_return(actor=hon.approver, round=round_, reason=REASON)
    assert caught.value.code == "wrong_stage"
    # the old panel's expert stays barred after the round was reviewed again by a new panel
    round_ = _resubmit(hon)
    assert round_.review.pk != old_review.pk
    after = end_notice(round_)
    with pytest.raises(DutyConflict):
        honours.honour_round_approve(actor=hon.expert, round=round_, on=after)


def test_todos_follow_the_return(hon: Any, world: Any) -> None:
    todo = providers()["careers.honours"]
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:1])
    labels = [str(t.label) for t in todo(hon.organiser)]
    returned = next(
        i
        for i, t in enumerate(todo(hon.organiser))
        if "退回" in str(t.label) or "returned" in str(t.label)
    )
    assert todo(hon.organiser)[returned].count == 0, labels
    assert todo(hon.approver)[0].count == 1  # in notice, for my approval
    honours.honour_round_return(actor=hon.approver, round=round_, reason=REASON)
    assert todo(hon.organiser)[returned].count == 1
    assert todo(hon.approver)[0].count == 0
    assert all(t.count == 0 for t in todo(world.bob))
    _resubmit(hon)
    assert todo(hon.organiser)[returned].count == 0
    assert todo(hon.approver)[0].count == 1


def test_api_return_scoped_and_bounded(client: Any, hon: Any, world: Any) -> None:
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:1])
    url = f"{API}/rounds/{round_.code}/return"
    client.force_login(hon.approver)
    for body in ({}, {"reason": "x" * 501}):
        response = client.post(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422
    response = client.post(url, data=json.dumps({"reason": ""}), content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["details"][0]["field"] == "reason"
    client.force_login(hon.organiser)
    response = client.post(
        url, data=json.dumps({"reason": REASON}), content_type="application/json"
    )
    assert response.status_code == 403
    response = check_access(
        client,
        url=url,
        method="post",
        data={"reason": REASON},
        in_scope=hon.approver,
        out_of_scope=world.bob,
    )
    body = response.json()
    assert body["state"] == "nominating"
    assert [r["reason"] for r in body["returns"]] == [REASON]
    detail = client.get(f"{API}/rounds/{round_.code}").json()
    assert detail["returns"][0]["reason"] == REASON


def test_page_return(client: Any, hon: Any, world: Any) -> None:
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:1])
    page = f"/careers/honours/{round_.code}/"
    step = f"/careers/honours/{round_.code}/step/"
    client.force_login(hon.organiser)
    assert 'id="return-form"' not in client.get(page).content.decode()
    client.force_login(world.bob)
    assert client.post(step, {"step": "return", "reason": REASON}).status_code == 404
    client.force_login(hon.approver)
    assert 'id="return-form"' in client.get(page).content.decode()
    response = client.post(step, {"step": "return", "reason": ""}, follow=True)
    html = response.content.decode()
    assert "退回理由" in html or "reason for returning" in html
    round_.refresh_from_db()
    assert round_.state == "notice"
    client.post(step, {"step": "return", "reason": REASON})
    round_.refresh_from_db()
    assert round_.state == "nominating"
    client.force_login(hon.organiser)
    html = client.get(page).content.decode()
    assert 'id="returned"' in html and REASON in html
    # the nominating unit sees the banner too, and may revise its list
    client.force_login(hon.nominator)
    assert REASON in client.get(page).content.decode()


def test_another_officer_above_may_return(hon: Any, world: Any) -> None:
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:1])
    other = UserFactory(username="province_officer_2")
    member(other, world.province_a, "officer")
    honours.honour_round_return(actor=other, round=round_, reason=REASON)
    round_.refresh_from_db()
    assert round_.state == "nominating"
