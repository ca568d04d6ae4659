"""A tie at the line when a place is freed during the public notice: broken by the enterprise's
rule (the higher score on the first criterion, then the longer at the level's skill level), else
left open and flagged for the panel with the reason — at the boundary: a tie of 2 for 1 place, a
tie of 3 for 1 place, no tie; the rule per enterprise through the API, in scope only."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from gongjiang.careers import experts
from gongjiang.careers import experts_rules as rules
from gongjiang.careers.experts_ties import expert_tie_rule_set, tie_rule_of
from gongjiang.core.models import AuditEvent
from gongjiang.core.notices.services import notice_objection_file
from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save

from ..access_helpers import check_access
from .conftest import set_history
from .experts_helpers import apply

pytestmark = pytest.mark.django_db
T = rules.TieFacts
D = dt.date


# ------------------------------------------------------------------------------ pure
def test_break_tie_by_criterion_then_level_date_then_panel() -> None:
    a, b, c = (
        T("a", Fraction(80), D(2018, 6, 1)),
        T("b", Fraction(65), D(2010, 1, 1)),
        T("c", Fraction(65), D(2012, 1, 1)),
    )
    assert rules.break_tie([b, a], 1, rules.CRITERION_THEN_LEVEL_DATE) == (["a"], "criterion")
    assert rules.break_tie([c, b], 1, rules.CRITERION_THEN_LEVEL_DATE) == (["b"], "level_date")
    # two places of a tie of three: a and b, separated from c by the day at the level
    assert rules.break_tie([c, b, a], 2, rules.CRITERION_THEN_LEVEL_DATE) == (
        ["a", "b"],
        "level_date",
    )
    twin = T("d", Fraction(65), D(2010, 1, 1))
    assert rules.break_tie([b, twin, c], 1, rules.CRITERION_THEN_LEVEL_DATE) == ([], "panel")
    assert rules.break_tie([a, b], 1, rules.PANEL) == ([], "panel")
    assert rules.break_tie([a, b], 0, rules.CRITERION_THEN_LEVEL_DATE) == ([], "panel")
    assert rules.break_tie([a, b], 2, rules.CRITERION_THEN_LEVEL_DATE) == ([], "panel")
    # no score ranks last, an unknown day latest
    none = T("n", None, None)
    assert rules.break_tie([none, c], 1, rules.CRITERION_THEN_LEVEL_DATE) == (["c"], "criterion")


# ---------------------------------------------------------------------- through a call
def _to_notice(exp: Any, scores: dict[Any, tuple[int, int, int, int]]) -> Any:
    """Apply, score each criterion as given (weights 40/30/20/10), finalise, publish."""
    for w in scores:
        apply(exp, w)
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    panel_member_add(actor=exp.organiser, round=exp.call.review, user=exp.reviewer)
    criteria = list(ReviewCriterion.objects.filter(round=exp.call.review).order_by("order", "id"))
    for a in exp.call.applications.select_related("review_item"):
        for c, score in zip(criteria, scores[a.worker], strict=True):
            review_score_save(actor=exp.reviewer, item=a.review_item, criterion=c, score=score)
    experts.expert_review_finalise(actor=exp.organiser, call=exp.call)
    experts.expert_notice_publish(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    return exp.call


def _strike(exp: Any, world: Any, call: Any, worker: Any) -> dict[Any, str]:
    objection = notice_objection_file(actor=world.worker_a, notice=call.notice, text="业绩不实")
    experts.expert_objection_answer(
        actor=exp.organiser,
        call=call,
        objection=objection,
        reply="经核实，取消资格。",
        strike=call.applications.get(worker=worker),
    )
    call.refresh_from_db()
    return {a.worker: a.status for a in call.applications.all()}


def _event() -> dict[str, Any]:
    return AuditEvent.objects.get(action="careers.expert_pass_down").details


ALL = {90: (90, 90, 90, 90), 80: (80, 80, 80, 80), 70: (70, 70, 70, 70), 60: (60, 60, 60, 60)}


def test_tie_of_two_for_one_place_broken_by_the_first_criterion(
    client: Any, exp: Any, world: Any
) -> None:
    w = exp.workers
    # w2 and w3 both total 68 (rank 3, tied): w2 scores 80 on 技术技能水平, w3 65
    call = _to_notice(
        exp, {w[0]: ALL[90], w[1]: ALL[80], w[2]: (80, 60, 60, 60), w[3]: (65, 70, 70, 70)}
    )
    ranks = {a.worker: a.review_item.rank for a in call.applications.select_related("review_item")}
    assert ranks[w[2]] == ranks[w[3]] == 3
    first_notice = call.notice_id
    status = _strike(exp, world, call, w[1])
    assert (status[w[2]], status[w[3]]) == ("selected", "not_selected")
    assert call.notice_id != first_notice  # the winner goes into a supplementary notice
    details = _event()
    assert details["to"] == [call.applications.get(worker=w[2]).code]
    tie = details["tie_break"]
    assert (tie["rule"], tie["how"], tie["criterion"], tie["places"]) == (
        "criterion_date",
        "criterion",
        "技术技能水平",
        1,
    )
    assert details["tied_at_the_line"] is False
    client.force_login(exp.organiser)
    page = client.get(f"/careers/experts/calls/{call.code}/").content.decode()
    assert "技术技能水平" in page and 'class="tie-break' in page


def test_tie_of_two_equal_on_the_criterion_broken_by_the_earlier_level_date(
    exp: Any, world: Any
) -> None:
    w = exp.workers
    set_history(w[3], [(D(2012, 1, 1), "SENIOR"), (D(2016, 3, 1), "TECHNICIAN")])
    call = _to_notice(exp, {w[0]: ALL[90], w[1]: ALL[80], w[2]: ALL[70], w[3]: ALL[70]})
    status = _strike(exp, world, call, w[0])
    assert (status[w[1]], status[w[2]], status[w[3]]) == ("selected", "not_selected", "selected")
    tie = _event()["tie_break"]
    assert tie["how"] == "level_date"
    assert tie["facts"][call.applications.get(worker=w[3]).code]["level_since"] == "2016-03-01"


def test_tie_of_three_for_one_place_equal_on_both_stays_open_for_the_panel(
    client: Any, exp: Any, world: Any
) -> None:
    w = exp.workers
    # w4 is ahead on the day at the level, but w2 and w3 lead on the criterion and are equal
    set_history(w[4], [(D(2012, 1, 1), "SENIOR"), (D(2014, 1, 1), "TECHNICIAN")])
    call = _to_notice(
        exp,
        {
            w[0]: ALL[90],
            w[1]: ALL[80],
            w[2]: (80, 60, 60, 60),
            w[3]: (80, 60, 60, 60),
            w[4]: (65, 70, 70, 70),
        },
    )
    first_notice = call.notice_id
    status = _strike(exp, world, call, w[1])
    assert {status[w[2]], status[w[3]], status[w[4]]} == {"not_selected"}
    assert call.notice_id == first_notice  # nobody new: no supplementary notice
    details = _event()
    assert details["to"] == [] and details["tied_at_the_line"] is True
    assert details["tie_break"]["how"] == "panel" and len(details["tie_break"]["tied"]) == 3
    client.force_login(exp.organiser)
    page = client.get(f"/careers/experts/calls/{call.code}/").content.decode()
    assert 'class="tie-break' in page


def test_tie_of_three_for_one_place_with_one_ahead(exp: Any, world: Any) -> None:
    w = exp.workers
    call = _to_notice(
        exp,
        {
            w[0]: ALL[90],
            w[1]: ALL[80],
            w[2]: (65, 70, 70, 70),
            w[3]: (80, 60, 60, 60),
            w[4]: (65, 70, 70, 70),
        },
    )
    status = _strike(exp, world, call, w[0])
    assert (status[w[2]], status[w[3]], status[w[4]]) == (
        "not_selected",
        "selected",
        "not_selected",
    )
    assert _event()["tie_break"]["how"] == "criterion"


def test_no_tie_the_next_takes_the_place_without_a_tie_break(exp: Any, world: Any) -> None:
    w = exp.workers
    call = _to_notice(exp, {w[0]: ALL[90], w[1]: ALL[80], w[2]: ALL[70], w[3]: ALL[60]})
    status = _strike(exp, world, call, w[1])
    assert (status[w[2]], status[w[3]]) == ("selected", "not_selected")
    assert _event()["tie_break"] == {}


def test_the_enterprise_may_leave_every_tie_to_the_panel(exp: Any, world: Any) -> None:
    w = exp.workers
    expert_tie_rule_set(actor=exp.organiser, organization=world.enterprise_a, rule="panel")
    call = _to_notice(
        exp, {w[0]: ALL[90], w[1]: ALL[80], w[2]: (80, 60, 60, 60), w[3]: (65, 70, 70, 70)}
    )
    status = _strike(exp, world, call, w[1])
    assert (status[w[2]], status[w[3]]) == ("not_selected", "not_selected")
    assert _event()["tie_break"]["rule"] == "panel"


def test_the_rule_through_the_api_in_scope_only(client: Any, exp: Any, world: Any) -> None:
    url = f"/api/v1/careers/experts/tie-rule/{world.enterprise_a.code}"
    r = check_access(client, url=url, in_scope=exp.organiser, out_of_scope=world.bob)
    assert r.json() == {
        "organization": world.enterprise_a.code,
        "rule": "criterion_date",
        "default": True,
    }
    r = check_access(
        client,
        url=url,
        method="post",
        data={"rule": "panel"},
        in_scope=exp.organiser,
        out_of_scope=world.bob,
    )
    assert r.json()["rule"] == "panel" and r.json()["default"] is False
    assert tie_rule_of(world.enterprise_a) == "panel"
    assert AuditEvent.objects.filter(action="careers.expert_tie_rule").count() == 1
    bad = client.post(url, data={"rule": "coin"}, content_type="application/json")
    assert bad.status_code == 422
    client.force_login(world.worker_a)  # a worker does not set it
    assert client.get(url).status_code == 404
