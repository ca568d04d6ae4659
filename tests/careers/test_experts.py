"""Expert-level selection: eligibility from the level's definition (every unmet condition named),
places per call and per unit, ranking with ties at the line (the organiser breaks them), the pass
mark, reviewers who filed an application never scoring it, objections halting the appointment,
separation of duties at the appointment, the appointment in the worker's record, and the term's
end (lapses unless renewed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongjiang.careers import experts
from gongjiang.careers import experts_rules as rules
from gongjiang.careers.experts_record import expert_badges, expert_entries
from gongjiang.careers.models_experts import ExpertAppointment
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.notices.services import notice_objection_file
from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.workforce.models import Worker

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker
from .conftest import set_history
from .experts_helpers import apply, end_notice, new_call, review, to_notice

pytestmark = pytest.mark.django_db
Ranked = rules.Ranked


# ------------------------------------------------------------------ pure: selection
def test_selection_takes_whole_groups_and_leaves_a_tie_at_the_line() -> None:
    ranked = [Ranked("a", 1, 90), Ranked("b", 2, 85), Ranked("c", 2, 85), Ranked("d", 4, 80)]
    assert rules.select(ranked, places=3, unit_places={}) == {
        "a": "selected",
        "b": "selected",
        "c": "selected",
        "d": "not_selected",
    }
    # two places: b and c tie for the second
    assert rules.select(ranked, places=2, unit_places={}) == {
        "a": "selected",
        "b": "tied",
        "c": "tied",
        "d": "not_selected",
    }
    # the organiser's choice breaks it
    assert rules.select(ranked, places=2, unit_places={}, preferred=["c"]) == {
        "a": "selected",
        "c": "selected",
        "b": "not_selected",
        "d": "not_selected",
    }
    # choosing both does not fit: still tied
    assert "tied" in rules.select(ranked, places=2, unit_places={}, preferred=["b", "c"]).values()


def test_selection_respects_unit_places_and_the_pass_mark() -> None:
    ranked = [
        Ranked("x1", 1, 95, "X"),
        Ranked("x2", 2, 90, "X"),
        Ranked("y1", 3, 85, "Y"),
        Ranked("z1", 4, 59, None),
    ]
    out = rules.select(ranked, places=3, unit_places={"X": 1, "Y": 5}, pass_mark=60)
    assert out == {"x1": "selected", "x2": "not_selected", "y1": "selected", "z1": "below_pass"}
    # a tie inside a unit with one place left; the other unit's member of the same rank fits
    ranked = [Ranked("x1", 1, 90, "X"), Ranked("x2", 1, 90, "X"), Ranked("y1", 1, 90, "Y")]
    out = rules.select(ranked, places=3, unit_places={"X": 1})
    assert out == {"x1": "tied", "x2": "tied", "y1": "selected"}
    out = rules.select(ranked, places=3, unit_places={"X": 1}, preferred=["x2"])
    assert out == {"x1": "not_selected", "x2": "selected", "y1": "selected"}


def test_term_end_and_leap_day() -> None:
    assert rules.term_end(dt.date(2026, 7, 1), 3) == dt.date(2029, 6, 30)
    assert rules.term_end(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)  # 1 March − 1 day
    assert rules.term_end(dt.date(2026, 1, 1), 1) == dt.date(2026, 12, 31)


# ------------------------------------------------------------------------- eligibility
def test_eligibility_names_every_unmet_condition(exp: Any, world: Any) -> None:
    today = timezone.localdate()
    young = make_worker(world.enterprise_a, 90, occupation="6-18-01-01")
    set_history(young, [(today - dt.timedelta(days=365 * 2), "TECHNICIAN")])
    with pytest.raises(ApplicationError) as caught:
        apply(exp, young)
    assert caught.value.code == "not_eligible"
    assert [d["field"] for d in caught.value.details] == ["years_at_skill_level"]

    low = make_worker(world.enterprise_a, 91, occupation="6-18-01-01")
    set_history(low, [(dt.date(2010, 1, 1), "SENIOR")])
    Worker.objects.filter(pk=low.pk).update(status=Worker.Status.LEFT)
    low.refresh_from_db()
    with pytest.raises(ApplicationError) as caught:
        apply(exp, low)
    assert [d["field"] for d in caught.value.details] == [
        "on_the_job",
        "skill_level",
        "years_at_skill_level",
    ]
    assert "技师" in caught.value.message


def test_years_boundary_is_exact(exp: Any, world: Any) -> None:
    today = timezone.localdate()
    w = make_worker(world.enterprise_a, 92, occupation="6-18-01-01")
    three_years_ago = rules.add_years(today, -3)
    set_history(w, [(three_years_ago + dt.timedelta(days=1), "TECHNICIAN")])
    with pytest.raises(ApplicationError):  # one day short of 3 full years
        apply(exp, w)
    set_history(w, [(three_years_ago, "TECHNICIAN")])
    assert apply(exp, w).conditions[-1]["met"] is True


def test_outside_the_enterprise_duplicates_and_closing(exp: Any, world: Any, careers: Any) -> None:
    from gongjiang.core.errors import ConflictError

    with pytest.raises(PermissionDenied):  # hr of enterprise A cannot file for B's worker
        apply(exp, careers.worker_b)
    apply(exp, exp.workers[0])
    with pytest.raises(ConflictError):
        apply(exp, exp.workers[0])
    # the worker applies for themself
    own = apply(exp, careers.welder, actor=world.worker_a)
    assert own.submitted_by == world.worker_a
    exp.call.closes_on = timezone.localdate() - dt.timedelta(days=1)
    exp.call.save()
    with pytest.raises(ConflictError) as caught:
        apply(exp, exp.workers[1])
    assert caught.value.code == "closed"


def test_an_expert_of_a_higher_level_cannot_apply_for_a_lower_one(exp: Any, world: Any) -> None:
    from gongjiang.careers.services import expert_level_save
    from gongjiang.core.actors import SYSTEM

    w = exp.workers[0]
    today = timezone.localdate()
    ExpertAppointment.objects.create(
        worker=w,
        organization=world.enterprise_a,
        level=exp.level,
        level_name="首席技师",
        term_start=today - dt.timedelta(days=10),
        term_end=today + dt.timedelta(days=900),
    )
    lower = expert_level_save(
        actor=SYSTEM,
        organization=world.enterprise_a,
        rank=2,
        name="技能专家",
        min_skill_level="TECHNICIAN",
        min_years=1,
        quota=5,
    )
    call = new_call(lower, exp.organiser)
    with pytest.raises(ApplicationError) as caught:
        experts.expert_apply(actor=exp.organiser, call=call, worker=w, statement="x")
    assert [d["field"] for d in caught.value.details] == ["not_yet_held"]


# ------------------------------------------------------------------ quotas and ranking
def test_unit_places_and_ranking_ties(exp: Any, world: Any) -> None:
    experts.expert_quota_set(
        actor=exp.organiser, call=exp.call, organization=world.team_a, places=1
    )
    a = [apply(exp, w) for w in exp.workers[:3]]
    t = apply(exp, exp.team_worker)
    assert t.unit == world.team_a and a[0].unit is None
    # 2 places: team worker first (95), workers 0 and 1 tie at 85 for the second place
    review(exp, {exp.team_worker: 95, exp.workers[0]: 85, exp.workers[1]: 85, exp.workers[2]: 70})
    status = {x.worker_id: x.status for x in exp.call.applications.all()}
    assert status[exp.team_worker.pk] == "selected"
    assert status[exp.workers[0].pk] == status[exp.workers[1].pk] == "tied"
    assert status[exp.workers[2].pk] == "not_selected"
    from gongjiang.core.errors import ConflictError

    with pytest.raises(ConflictError):  # a tie blocks the notice
        experts.expert_notice_publish(actor=exp.organiser, call=exp.call)
    with pytest.raises(ConflictError) as caught:  # choosing both does not fill exactly
        experts.expert_ties_break(
            actor=exp.organiser, call=exp.call, chosen=[a[0].code, a[1].code], reason="并列"
        )
    assert caught.value.code == "tie_not_broken"
    assert exp.call.applications.filter(status="tied").count() == 2  # undone
    experts.expert_ties_break(
        actor=exp.organiser, call=exp.call, chosen=[a[1].code], reason="技术技能水平得分更高"
    )
    status = {x.worker_id: x.status for x in exp.call.applications.all()}
    assert status[exp.workers[1].pk] == "selected"
    assert status[exp.workers[0].pk] == "not_selected"
    assert AuditEvent.objects.filter(action="careers.expert_ties_break").exists()


def test_unit_with_no_places_left_out(exp: Any, world: Any) -> None:
    experts.expert_quota_set(
        actor=exp.organiser, call=exp.call, organization=world.team_a, places=1
    )
    other = world.enterprise_b
    with pytest.raises(ApplicationError):  # places go to units of the enterprise only
        experts.expert_quota_set(actor=exp.organiser, call=exp.call, organization=other, places=1)


def test_reviewer_never_scores_what_they_filed_nor_themselves(exp: Any, world: Any) -> None:
    filer = UserFactory(username="hr_filer")
    member(filer, world.enterprise_a, "hr")
    apply(exp, exp.workers[0], actor=filer)
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    panel_member_add(actor=exp.organiser, round=exp.call.review, user=filer)
    a = exp.call.applications.get()
    c = ReviewCriterion.objects.filter(round=exp.call.review).first()
    with pytest.raises(ApplicationError) as caught:
        review_score_save(actor=filer, item=a.review_item, criterion=c, score=90)
    assert caught.value.code == "conflict_of_interest"


def test_applicant_on_the_panel_cannot_score_themself(exp: Any, world: Any, careers: Any) -> None:
    apply(exp, careers.welder, actor=exp.organiser)
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    # world.worker_a is the welder's login; a worker-role membership at the enterprise is
    # neutral for affiliation, so only the own-application check stops them
    panel_member_add(actor=exp.organiser, round=exp.call.review, user=world.worker_a)
    a = exp.call.applications.get()
    c = ReviewCriterion.objects.filter(round=exp.call.review).first()
    with pytest.raises(ApplicationError) as caught:
        review_score_save(actor=world.worker_a, item=a.review_item, criterion=c, score=90)
    assert caught.value.code == "conflict_of_interest"


def test_pass_mark(exp: Any) -> None:
    for w in exp.workers[:2]:
        apply(exp, w)
    review(exp, {exp.workers[0]: 59, exp.workers[1]: 60})
    status = {x.worker_id: x.status for x in exp.call.applications.all()}
    assert status[exp.workers[0].pk] == "not_selected"  # 59 < 60 even with a place free
    assert status[exp.workers[1].pk] == "selected"
    item = exp.call.applications.get(worker=exp.workers[1]).review_item
    assert item.total == Decimal("60.000")


# ------------------------------------------------------------ notice and appointment
def test_objections_halt_the_appointment_until_answered(exp: Any, world: Any) -> None:
    from gongjiang.core.errors import ConflictError

    call = to_notice(exp, {exp.workers[0]: 90, exp.workers[1]: 80})
    objection = notice_objection_file(actor=world.worker_a, notice=call.notice, text="业绩不实")
    day = end_notice(call)
    with pytest.raises(ConflictError) as caught:
        experts.expert_appoint(actor=exp.appointer, call=call, on=day)
    assert caught.value.code == "objections_open"
    struck = call.applications.get(worker=exp.workers[1])
    experts.expert_objection_answer(
        actor=exp.organiser,
        call=call,
        objection=objection,
        reply="经核实，该同志申报业绩有误，取消资格。",
        strike=struck,
    )
    experts.expert_appoint(actor=exp.appointer, call=call, on=day)
    call.refresh_from_db()
    assert call.state == "appointed"
    appointed = list(ExpertAppointment.objects.filter(level=exp.level))
    assert [a.worker for a in appointed] == [exp.workers[0]]
    struck.refresh_from_db()
    assert struck.status == "struck" and "业绩有误" in struck.struck_reason


def test_appointment_waits_for_the_notice_and_separates_duties(exp: Any, world: Any) -> None:
    from gongjiang.core.duties import DutyConflict
    from gongjiang.core.errors import ConflictError

    call = to_notice(exp, {exp.workers[0]: 90})
    with pytest.raises(ConflictError) as caught:
        experts.expert_appoint(actor=exp.appointer, call=call)
    assert caught.value.code == "notice_not_ended"
    day = end_notice(call)
    member(exp.reviewer, world.city_a, "officer")  # in scope, but sat on the panel
    for who, reason in ((exp.organiser, "organiser"), (exp.reviewer, "reviewer")):
        with pytest.raises(DutyConflict):
            experts.expert_appoint(actor=who, call=call, on=day)
        refused = (
            AuditEvent.objects.filter(action="careers.expert_appoint.refused").order_by("id").last()
        )
        assert refused.details["reason"] == reason
    with pytest.raises(PermissionDenied):  # enterprise B's hr: not in scope
        experts.expert_appoint(actor=UserFactory(username="nobody_hr"), call=call, on=day)
    experts.expert_appoint(actor=exp.appointer, call=call, on=day)
    a = ExpertAppointment.objects.get()
    assert a.term_start == day and a.term_end == rules.term_end(day, 3)
    assert a.application.status == "appointed"
    with pytest.raises(ConflictError):  # once
        experts.expert_appoint(actor=exp.appointer, call=call, on=day)


def test_the_appointment_flows_into_the_worker_record(exp: Any, world: Any) -> None:
    call = to_notice(exp, {exp.workers[0]: 90})
    day = end_notice(call)
    experts.expert_appoint(actor=exp.appointer, call=call, on=day)
    w = exp.workers[0]
    entries = expert_entries(w, world.alice)
    assert [e.kind for e in entries] == ["expert"] and "首席技师" in entries[0].title
    assert [b.key for b in expert_badges(world.alice, w)] == ["careers.expert"]
    assert expert_entries(w, world.bob) == [] and expert_badges(world.bob, w) == []
    from gongjiang.workforce.timeline import timeline_for

    assert any(e.kind == "expert" for e in timeline_for(w, world.alice))


# ------------------------------------------------------------------ the term's end
def _appointment(exp: Any, world: Any, start: dt.date) -> Any:
    return ExpertAppointment.objects.create(
        worker=exp.workers[0],
        organization=world.enterprise_a,
        level=exp.level,
        level_name="首席技师",
        term_start=start,
        term_end=rules.term_end(start, 3),
    )


def test_term_lapses_unless_renewed(exp: Any, world: Any) -> None:
    from gongjiang.core.errors import ConflictError

    a = _appointment(exp, world, dt.date(2023, 7, 1))
    end = a.term_end
    assert end == dt.date(2026, 6, 30)
    assert a.state_on(end) == "active"
    assert a.state_on(end + dt.timedelta(days=1)) == "lapsed"
    assert experts.held_rank(exp.workers[0], end) == 1
    assert experts.held_rank(exp.workers[0], end + dt.timedelta(days=1)) is None
    # re-evaluation opens 90 days before the end and closes on the last day
    with pytest.raises(ConflictError):
        experts.expert_reevaluate(
            actor=exp.appointer, appointment=a, renew=True, on=end - dt.timedelta(days=91)
        )
    with pytest.raises(ConflictError):
        experts.expert_reevaluate(
            actor=exp.appointer, appointment=a, renew=True, on=end + dt.timedelta(days=1)
        )
    experts.expert_reevaluate(actor=exp.appointer, appointment=a, renew=True, on=end)
    a.refresh_from_db()
    renewal = a.renewal
    assert (renewal.term_start, renewal.term_end) == (dt.date(2026, 7, 1), dt.date(2029, 6, 30))
    assert a.state_on(end + dt.timedelta(days=1)) == "renewed"
    assert experts.held_rank(exp.workers[0], end + dt.timedelta(days=1)) == 1
    with pytest.raises(ConflictError):  # once per term
        experts.expert_reevaluate(actor=exp.appointer, appointment=a, renew=False, on=end)


def test_not_renewed_lapses_and_the_expert_never_judges_themself(exp: Any, world: Any) -> None:
    from gongjiang.core.duties import DutyConflict

    today = timezone.localdate()
    a = _appointment(exp, world, rules.add_years(today, -3) + dt.timedelta(days=30))
    # the expert's own login may not re-evaluate them
    exp.workers[0].user = UserFactory(username="the_expert")
    exp.workers[0].save(update_fields=["user"])
    member(exp.workers[0].user, world.enterprise_a, "hr")
    with pytest.raises(DutyConflict):
        experts.expert_reevaluate(actor=exp.workers[0].user, appointment=a, renew=True)
    experts.expert_reevaluate(actor=exp.appointer, appointment=a, renew=False, note="考核不合格")
    a.refresh_from_db()
    assert a.renewal_refused and a.state_on(a.term_end + dt.timedelta(days=1)) == "lapsed"


def test_renewal_needs_the_conditions(exp: Any, world: Any) -> None:
    today = timezone.localdate()
    a = _appointment(exp, world, rules.add_years(today, -3) + dt.timedelta(days=30))
    Worker.objects.filter(pk=exp.workers[0].pk).update(status=Worker.Status.LEFT)
    with pytest.raises(ApplicationError) as caught:
        experts.expert_reevaluate(actor=exp.appointer, appointment=a, renew=True)
    assert [d["field"] for d in caught.value.details] == ["on_the_job"]


def test_every_action_has_a_label() -> None:
    from gongjiang.careers.audit_labels import LABELS

    for action in (
        "careers.expert_call_create",
        "careers.expert_quota_set",
        "careers.expert_apply",
        "careers.expert_withdraw",
        "careers.expert_review_open",
        "careers.expert_review_finalise",
        "careers.expert_ties_break",
        "careers.expert_notice",
        "careers.expert_objection_answer",
        "careers.expert_appoint",
        "careers.expert_reevaluate",
    ):
        assert action in LABELS


def test_one_call_per_level_and_year(exp: Any) -> None:
    from gongjiang.core.errors import ConflictError

    with pytest.raises(ConflictError):
        new_call(exp.level, exp.organiser)
    assert new_call(exp.level, exp.organiser, year=2027).places == 2


def test_withdraw(exp: Any, world: Any, careers: Any) -> None:
    own = apply(exp, careers.welder, actor=world.worker_a)
    experts.expert_application_withdraw(actor=world.worker_a, application=own)
    own.refresh_from_db()
    assert own.status == "withdrawn"
    apply(exp, careers.welder, actor=world.worker_a)  # may apply again
    other = apply(exp, exp.workers[0])
    with pytest.raises(PermissionDenied):
        experts.expert_application_withdraw(actor=world.worker_a, application=other)


def test_refusals_inside_the_steps_are_audited(exp: Any, world: Any) -> None:
    from gongjiang.core.duties import DutyConflict

    apply(exp, exp.workers[0])
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    panel_member_add(actor=exp.organiser, round=exp.call.review, user=exp.appointer)
    with pytest.raises(DutyConflict):  # a reviewer never finalises
        experts.expert_review_finalise(actor=exp.appointer, call=exp.call)
    assert AuditEvent.objects.filter(action="review.finalise.refused").count() == 1
    exp.call.refresh_from_db()
    assert exp.call.state == "reviewing"


def test_the_objector_never_answers_their_own_objection(exp: Any, world: Any) -> None:
    from gongjiang.core.duties import DutyConflict

    call = to_notice(exp, {exp.workers[0]: 90})
    objection = notice_objection_file(actor=exp.appointer, notice=call.notice, text="有异议")
    with pytest.raises(DutyConflict):
        experts.expert_objection_answer(
            actor=exp.appointer, call=call, objection=objection, reply="不成立"
        )
    assert AuditEvent.objects.filter(action="notice.objection_reply.refused").count() == 1
    objection.refresh_from_db()
    assert objection.replied_at is None


def test_a_place_struck_out_passes_down_the_ranking(client: Any, exp: Any, world: Any) -> None:
    """Two places, three ranked: the second is struck out after an objection, the third (below
    the line) takes the place in a supplementary notice; audited, shown on the page; appointment
    waits for the supplementary notice too, and then appoints the first and the third."""
    from gongjiang.core.errors import ConflictError
    from gongjiang.core.notices.models import PublicNotice

    scores = {exp.workers[0]: 90, exp.workers[1]: 80, exp.workers[2]: 70, exp.workers[3]: 65}
    call = to_notice(exp, scores)
    by_worker = {a.worker: a for a in call.applications.all()}
    assert by_worker[exp.workers[2]].status == "not_selected"
    first_notice = call.notice
    objection = notice_objection_file(actor=world.worker_a, notice=call.notice, text="业绩不实")
    experts.expert_objection_answer(
        actor=exp.organiser,
        call=call,
        objection=objection,
        reply="经核实，业绩有误，取消资格。",
        strike=by_worker[exp.workers[1]],
    )
    call.refresh_from_db()
    status = {a.worker: a.status for a in call.applications.all()}
    assert status[exp.workers[1]] == "struck"
    assert status[exp.workers[2]] == "selected"  # the next-ranked, below the line before
    assert status[exp.workers[3]] == "not_selected"
    assert call.notice_id != first_notice.pk  # a supplementary notice for the newcomer
    assert call.notice.masked_names and len(call.notice.masked_names) == 1
    event = AuditEvent.objects.get(action="careers.expert_pass_down")
    assert event.details["to"] == [by_worker[exp.workers[2]].code]
    # shown on the call page
    client.force_login(exp.organiser)
    page = client.get(f"/careers/experts/calls/{call.code}/").content.decode()
    assert 'id="passed-down"' in page and exp.workers[2].name in page
    # an objection still open on the first notice holds the appointment
    late = notice_objection_file(actor=world.worker_a, notice=first_notice, text="另一异议")
    PublicNotice.objects.filter(pk__in=[first_notice.pk, call.notice_id]).update(
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        ends_on=timezone.localdate() - dt.timedelta(days=3),
    )
    day = timezone.localdate()
    with pytest.raises(ConflictError) as caught:
        experts.expert_appoint(actor=exp.appointer, call=call, on=day)
    assert caught.value.code == "objections_open"
    experts.expert_objection_answer(
        actor=exp.organiser, call=call, objection=late, reply="不属实，维持。"
    )
    experts.expert_appoint(actor=exp.appointer, call=call, on=day)
    appointed = {a.worker for a in ExpertAppointment.objects.filter(level=exp.level)}
    assert appointed == {exp.workers[0], exp.workers[2]}


def test_nobody_left_above_the_pass_mark_the_place_stays_open(exp: Any, world: Any) -> None:
    call = to_notice(exp, {exp.workers[0]: 90, exp.workers[1]: 80, exp.workers[2]: 40})
    first = call.notice_id
    objection = notice_objection_file(actor=world.worker_a, notice=call.notice, text="业绩不实")
    struck = call.applications.get(worker=exp.workers[1])
    experts.expert_objection_answer(
        actor=exp.organiser, call=call, objection=objection, reply="取消。", strike=struck
    )
    call.refresh_from_db()
    assert call.notice_id == first
    assert call.applications.get(worker=exp.workers[2]).status == "not_selected"
    assert AuditEvent.objects.get(action="careers.expert_pass_down").details["to"] == []
