"""Honours selection: composition rules at each boundary (live on the list and at approval),
checks naming every failure, quotas, the working-day notice, approval by the level above only
(separation of duties), and the honour landing in the registry exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongjiang.careers import honours
from gongjiang.careers.honours_rules import RuleSpec, category_of, judge_rule
from gongjiang.careers.honours_selectors import composition_view
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.notices.models import CalendarDay
from gongjiang.core.notices.services import notice_objection_file, notice_objection_reply
from gongjiang.workforce.history import honour_add
from gongjiang.workforce.models import Honour

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker
from .honours_helpers import end_notice, nominate, run_to_notice

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------- the rules, pure
@pytest.mark.parametrize(
    ("count", "total", "percent", "bound", "met"),
    [
        (7, 10, 70, "min", True),  # exactly the minimum
        (6, 10, 70, "min", False),  # one short
        (14, 20, 70, "min", True),
        (13, 20, 70, "min", False),
        (3, 20, 15, "max", True),  # exactly the maximum
        (4, 20, 15, "max", False),  # one over
        (1, 7, 15, "max", True),  # 14.3 % ≤ 15 %
        (2, 7, 15, "max", False),  # 28.6 %
        (0, 0, 70, "min", True),  # an empty list breaks nothing
        (0, 5, 0, "min", True),
        (5, 5, 100, "min", True),
        (0, 5, 0, "max", True),
        (1, 5, 0, "max", False),
    ],
)
def test_rule_boundaries(count: int, total: int, percent: int, bound: str, met: bool) -> None:
    cats = ["frontline"] * count + ["leader"] * (total - count)
    state = judge_rule(RuleSpec(("frontline",), bound, percent), cats)
    assert (state.count, state.total, state.met) == (count, total, met)


def test_categories_from_the_occupation_code() -> None:
    assert category_of("6-18-01-01") == "frontline"
    assert category_of("4-01-01-01") == "frontline"
    assert category_of("2-02-07-01") == "technician"
    assert category_of("1-06-01-01") == "leader"
    assert category_of("3-01-01-01") == "other"
    assert category_of("") == "other"


# ----------------------------------------------------------- live on the list
def test_composition_is_judged_live_as_nominations_change(hon: Any, world: Any) -> None:
    def bars() -> list[tuple[int, int, bool]]:
        return [
            (b["count"], b["total"], b["met"])
            for b in composition_view(hon.nominator, hon.round, world.enterprise_a)
        ]

    # rules: frontline + technician ≥ 70 %, leader ≤ 15 % (the defaults)
    assert bars() == [(0, 0, True), (0, 0, True)]
    for w in hon.workers["frontline"][:3]:
        nominate(hon, world, w)
    assert bars() == [(3, 3, True), (0, 3, True)]
    leader = nominate(hon, world, hon.workers["leader"][0])
    assert bars() == [(3, 4, True), (1, 4, False)]  # 25 % leaders: red
    for w in hon.workers["technician"][:3]:
        nominate(hon, world, w)
    assert bars() == [(6, 7, True), (1, 7, True)]  # 14.3 % leaders: green again
    nominate(hon, world, hon.workers["other"][0])
    nominate(hon, world, hon.workers["leader"][1])
    assert bars() == [(6, 9, False), (2, 9, False)]  # 66.7 % < 70 %; 22 % > 15 %
    honours.honour_nomination_withdraw(actor=hon.nominator, nomination=leader)
    assert bars() == [(6, 8, True), (1, 8, True)]  # 75 %, 12.5 %


# --------------------------------------------------------------------- checks
def test_checks_name_every_failure(hon: Any, world: Any) -> None:
    worker = hon.workers["frontline"][0]
    honour_add(
        actor=world.alice,
        worker=worker,
        title="南京市五一劳动奖章",
        level="city",
        year=2020,
        date=dt.date(2020, 5, 1),
    )
    honours.disqualifying_record_add(
        actor=world.alice, worker=worker, kind="sanction", date=dt.date(2025, 6, 1)
    )
    honours.disqualifying_record_add(  # ended: does not count
        actor=world.alice,
        worker=worker,
        kind="safety",
        date=dt.date(2019, 1, 1),
        until=dt.date(2020, 1, 1),
    )
    with pytest.raises(ApplicationError) as caught:
        nominate(hon, world, worker)
    assert caught.value.code == "not_eligible"
    fields = [d["field"] for d in caught.value.details]
    assert fields == ["honours", "records"]
    assert "2020" in caught.value.details[0]["error"]
    assert "2025-06-01" in caught.value.details[1]["error"]


def test_quota_and_scope(hon: Any, world: Any) -> None:
    honours.honour_quota_set(
        actor=hon.organiser, round=hon.round, organization=world.enterprise_a, places=2
    )
    nominate(hon, world, hon.workers["frontline"][0])
    nominate(hon, world, hon.workers["frontline"][1])
    with pytest.raises(ApplicationError) as caught:
        nominate(hon, world, hon.workers["frontline"][2])
    assert caught.value.code == "quota_used"
    with pytest.raises(ApplicationError) as caught:
        nominate(hon, world, hon.workers["frontline"][0])  # twice
    assert caught.value.details[-1]["field"] == "worker"
    with pytest.raises(ApplicationError):  # quotas go below the organiser only
        honours.honour_quota_set(
            actor=hon.organiser, round=hon.round, organization=world.enterprise_b, places=1
        )


# ----------------------------------------------------------------- the notice
def test_notice_runs_working_days_and_approval_waits(hon: Any, world: Any) -> None:
    # a May Day holiday from Saturday 1 May to Wednesday 5 May, worked on Saturday 8 May
    for day in (3, 4, 5):
        CalendarDay.objects.create(date=dt.date(2027, 5, day), name="劳动节", working=False)
    CalendarDay.objects.create(date=dt.date(2027, 5, 8), name="劳动节调休", working=True)
    for w in hon.workers["frontline"][:3]:
        nominate(hon, world, w)
    honours.honour_review_open(actor=hon.organiser, round=hon.round)
    hon.round.refresh_from_db()
    from gongjiang.core.review.services import panel_member_add, review_score_save

    panel_member_add(actor=hon.organiser, round=hon.round.review, user=hon.expert)
    for n in hon.round.nominations.select_related("review_item"):
        for c in hon.round.review.criteria.all():
            review_score_save(actor=hon.expert, item=n.review_item, criterion=c, score=90)
    honours.honour_review_finalise(actor=hon.organiser, round=hon.round)
    honours.honour_notice_publish(
        actor=hon.organiser, round=hon.round, starts_on=dt.date(2027, 4, 29)
    )
    hon.round.refresh_from_db()
    # Thu 29, Fri 30 April, Thu 6, Fri 7 May, Sat 8 May (make-up day) = 5 working days
    assert hon.round.notice.ends_on == dt.date(2027, 5, 8)
    for day in (dt.date(2027, 4, 29), dt.date(2027, 5, 5), dt.date(2027, 5, 8)):
        with pytest.raises(ApplicationError) as caught:
            honours.honour_round_approve(actor=hon.approver, round=hon.round, on=day)
        assert caught.value.code == "notice_not_ended"
    assert not Honour.objects.filter(title="南京市五一劳动奖章").exists()


# ---------------------------------------------------------- approval and the honour
def test_approval_by_the_level_above_writes_each_honour_once(hon: Any, world: Any) -> None:
    chosen = hon.workers["frontline"][:3] + hon.workers["technician"][:1]
    round_ = run_to_notice(hon, world, chosen)
    assert round_.state == "notice"
    assert len(round_.notice.masked_names) == 4
    with pytest.raises(ApplicationError) as caught:  # the notice is still open
        honours.honour_round_approve(actor=hon.approver, round=round_)
    assert caught.value.code == "notice_not_ended"
    # an objection during the notice must be answered first
    objection = notice_objection_file(actor=world.worker_a, notice=round_.notice, text="有异议")
    after = end_notice(round_)
    with pytest.raises(ApplicationError) as caught:
        honours.honour_round_approve(actor=hon.approver, round=round_, on=after)
    assert caught.value.code == "objections_open"
    notice_objection_reply(actor=hon.organiser, objection=objection, reply="经核实，情况属实无误。")
    # the organiser's own officers cannot approve: the level above does
    with pytest.raises(Exception) as denied:
        honours.honour_round_approve(actor=hon.organiser, round=round_, on=after)
    assert denied.type.__name__ in ("PermissionDenied", "DutyConflict")
    round_ = honours.honour_round_approve(actor=hon.approver, round=round_, on=after, note="同意")
    assert round_.state == "approved"
    honoured = Honour.objects.filter(title="南京市五一劳动奖章", revoked=False)
    assert sorted(h.worker_id for h in honoured) == sorted(w.pk for w in chosen)
    assert {(h.level, h.year) for h in honoured} == {("city", 2026)}
    assert all(h.source_ref for h in honoured)
    # exactly once: a second approval is refused and writes nothing
    with pytest.raises(ApplicationError) as caught:
        honours.honour_round_approve(actor=hon.approver, round=round_, on=after)
    assert caught.value.code == "wrong_stage"
    assert honoured.count() == 4
    assert AuditEvent.objects.filter(action="careers.honour_approve").count() == 1


def test_approval_refused_with_the_numbers_when_a_rule_breaks(hon: Any, world: Any) -> None:
    chosen = hon.workers["frontline"][:2] + hon.workers["leader"][:2]
    round_ = run_to_notice(hon, world, chosen)
    after = end_notice(round_)
    with pytest.raises(ApplicationError) as caught:
        honours.honour_round_approve(actor=hon.approver, round=round_, on=after)
    assert caught.value.code == "composition"
    errors = " ".join(d["error"] for d in caught.value.details)
    assert "2" in errors and "4" in errors and "50.0%" in errors
    assert [d["field"] for d in caught.value.details] == [
        "rules[frontline,technician]",
        "rules[leader]",
    ]
    assert not Honour.objects.filter(title="南京市五一劳动奖章").exists()


def test_approval_at_the_exact_boundary_passes(hon: Any, world: Any) -> None:
    # 7 of 10 frontline/technicians (= 70 %), 1 of 10 leaders (10 %): both rules met exactly
    honours.honour_rules_set(
        actor=hon.organiser,
        round=hon.round,
        rules=[
            {"categories": "frontline,technician", "bound": "min", "percent": 70},
            {"categories": "leader", "bound": "max", "percent": 10},
        ],
    )
    more = [make_worker(world.enterprise_a, 70, occupation="3-01-01-01")]
    chosen = (
        hon.workers["frontline"]
        + hon.workers["technician"][:3]
        + hon.workers["leader"][:1]
        + hon.workers["other"]
        + more
    )
    assert len(chosen) == 10
    round_ = run_to_notice(hon, world, chosen)
    after = end_notice(round_)
    honours.honour_round_approve(actor=hon.approver, round=round_, on=after)
    assert Honour.objects.filter(title="南京市五一劳动奖章").count() == 10


def test_whoever_took_part_never_approves(hon: Any, world: Any) -> None:
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:2])
    after = end_notice(round_)
    from gongjiang.core.duties import DutyConflict

    # the panel's expert and the nominator, each given a role at the level above, are refused
    member(hon.expert, world.province_a, "officer")
    member(hon.nominator, world.province_a, "officer")
    for person in (hon.expert, hon.nominator):
        with pytest.raises(DutyConflict):
            honours.honour_round_approve(actor=person, round=round_, on=after)
    refusals = AuditEvent.objects.filter(action="careers.honour_approve.refused")
    assert refusals.count() == 2
    # an officer of the province who took no part approves
    other = UserFactory(username="province_officer_2")
    member(other, world.province_a, "officer")
    honours.honour_round_approve(actor=other, round=round_, on=after)
    assert round_.nominations.filter(status="honoured").count() == 2
