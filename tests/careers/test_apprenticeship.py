"""The enterprise new-style apprenticeship's services: the rules table over the policy, training
periods at every boundary, the enterprise mentor's level and limit, the plan and the monthly
progress, completion into a skill-level evaluation whose certificate raises the level once, and
subsidy claims exact to the fen with separation of duties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjiang.careers import apprenticeship as svc
from gongjiang.careers import apprenticeship_rules as R
from gongjiang.careers import apprenticeship_selectors as sel
from gongjiang.careers.apprenticeship_common import RuleSet
from gongjiang.core.audit import AuditEvent
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.workforce.models import SkillLevelChange

from ..factories import UserFactory, member
from . import apprentice_helpers
from .apprentice_helpers import END, START, Appr, enrol, trainee

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr


# ------------------------------------------------------------------------------- pure rules
def test_anniversaries_and_period_ends() -> None:
    assert R.period_end(dt.date(2026, 3, 1), 12) == dt.date(2027, 2, 28)
    assert R.period_end(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)  # 31 Feb → 1 March
    assert R.anniversary(dt.date(2024, 2, 29), 12) == dt.date(2025, 3, 1)
    assert R.anniversary(dt.date(2024, 2, 29), 48) == dt.date(2028, 2, 29)
    assert R.whole_months(dt.date(2026, 3, 1), dt.date(2027, 2, 28)) == 12
    assert R.whole_months(dt.date(2026, 3, 1), dt.date(2027, 2, 27)) == 11
    assert R.whole_months(dt.date(2026, 3, 15), dt.date(2026, 3, 20)) == 0


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31)),
    months=st.integers(min_value=0, max_value=36),
)
def test_the_years_of_a_period_add_up_to_its_months(start: dt.date, months: int) -> None:
    assert R.whole_months(start, R.period_end(start, months)) == months
    years = range(start.year, start.year + 4)
    assert sum(R.months_in_year(start, months, y) for y in years) == months


def test_subsidy_amounts_are_to_the_fen() -> None:
    assert R.subsidy_amount(Decimal("5000.00"), 7) == Decimal("2916.67")
    assert R.subsidy_amount(Decimal("5000.00"), 12) == Decimal("5000.00")
    assert R.subsidy_amount(Decimal("4000.00"), 1) == Decimal("333.33")
    assert R.subsidy_amount(Decimal("6000.06"), 1) == Decimal("500.01")  # 500.005 rounds up


# ------------------------------------------------------------------------------ rules table
def test_the_policy_stands_with_its_sources(world: Any, appr: Appr) -> None:
    rules = RuleSet(world.enterprise_a)
    assert rules.period("SENIOR") == (12, 24, 36)
    assert rules.subsidy() == Decimal("5000.00")
    assert rules.rule(R.MENTOR_LEVEL).value == "SENIOR"
    assert rules.rule(R.MENTOR_LIMIT).value == "3"
    assert all(r.source for r in rules.table())
    assert "39号" in rules.rule(R.PERIOD_SPECIAL_MAX).source
    assert "平台默认" in rules.rule(R.MENTOR_LIMIT).source
    assert "平台默认" in rules.rule(R.SUBSIDY).source and "5000元" in rules.rule(R.SUBSIDY).source


def test_a_province_and_an_enterprise_change_the_rules(world: Any, appr: Appr) -> None:
    svc.apprentice_rule_set(
        actor=world.alice,
        organization=world.province_a,
        key=R.SUBSIDY,
        value="6000.00",
        source="苏人社发〔2021〕xx号",
    )
    svc.apprentice_rule_set(
        actor=world.alice, organization=world.province_a, key=R.PERIOD_MAX, value=18
    )
    svc.apprentice_rule_set(
        actor=appr.hr, organization=world.enterprise_a, key=R.PERIOD_MAX, value=20, level="SENIOR"
    )
    rules = RuleSet(world.enterprise_a)
    assert rules.subsidy() == Decimal("6000.00")
    assert rules.rule(R.SUBSIDY).set_at == world.province_a.name
    assert rules.period("SENIOR") == (12, 20, 36)
    assert rules.period("INTERMEDIATE") == (12, 18, 36)
    assert RuleSet(world.enterprise_b).subsidy() == Decimal("5000.00")  # another province
    # an enterprise never sets its own subsidy
    with pytest.raises(ApplicationError):
        svc.apprentice_rule_set(
            actor=appr.hr, organization=world.enterprise_a, key=R.SUBSIDY, value="9000"
        )
    # the periods must rise: shortest ≤ longest ≤ special, never beyond three years
    with pytest.raises(ApplicationError):
        svc.apprentice_rule_set(
            actor=appr.hr, organization=world.enterprise_a, key=R.PERIOD_MIN, value=22
        )
    with pytest.raises(ApplicationError):
        svc.apprentice_rule_set(
            actor=world.alice, organization=world.province_a, key=R.PERIOD_SPECIAL_MAX, value=37
        )
    with pytest.raises(PermissionDenied):  # bob is of province B
        svc.apprentice_rule_set(
            actor=world.bob, organization=world.enterprise_a, key=R.MENTOR_LIMIT, value=5
        )
    # an empty value clears the row: the level above (or the policy) stands again
    svc.apprentice_rule_set(
        actor=appr.hr, organization=world.enterprise_a, key=R.PERIOD_MAX, value="", level="SENIOR"
    )
    assert RuleSet(world.enterprise_a).period("SENIOR") == (12, 18, 36)
    assert AuditEvent.objects.filter(action="careers.apprentice_rule_set").count() == 4


def test_a_pilot_is_designated_from_above(world: Any) -> None:
    with pytest.raises(DutyConflict):  # the enterprise's own officer
        svc.apprentice_pilot_create(
            actor=world.enterprise_officer_a, organization=world.enterprise_a, since=START
        )
    assert AuditEvent.objects.filter(action="careers.apprentice_pilot_create.refused").exists()
    with pytest.raises(ApplicationError):  # a city is not an enterprise
        svc.apprentice_pilot_create(actor=world.alice, organization=world.city_a, since=START)


# ---------------------------------------------------------------------------- the agreement
@pytest.mark.parametrize(
    ("ends_on", "reason", "outcome"),
    [
        (dt.date(2026, 2, 27), "", "period"),  # a day short of 12 months
        (dt.date(2026, 2, 28), "", "ok"),  # 12 months
        (dt.date(2027, 2, 28), "", "ok"),  # 24 months: the regular longest
        (dt.date(2027, 3, 1), "", "special_reason"),  # a day beyond: a special case
        (dt.date(2027, 3, 1), "技师班延长", "ok"),
        (dt.date(2028, 2, 29), "技师班延长", "ok"),  # 36 months
        (dt.date(2028, 3, 1), "技师班延长", "period"),  # beyond three years
        (dt.date(2025, 2, 28), "", "period"),  # before the start
    ],
)
def test_training_periods_at_their_boundaries(
    appr: Appr, ends_on: dt.date, reason: str, outcome: str
) -> None:
    if outcome == "ok":
        a = enrol(appr, appr.me, ends_on=ends_on, special_reason=reason)
        assert a.special_reason == reason
        return
    with pytest.raises(ApplicationError) as exc:
        enrol(appr, appr.me, ends_on=ends_on, special_reason=reason)
    assert exc.value.code == outcome


def test_periods_follow_the_rule_of_the_target_level(world: Any, appr: Appr) -> None:
    svc.apprentice_rule_set(
        actor=world.alice, organization=world.province_a, key=R.PERIOD_MAX, value=12, level="SENIOR"
    )
    with pytest.raises(ApplicationError) as exc:
        enrol(appr, appr.me, ends_on=dt.date(2026, 3, 1))
    assert exc.value.code == "special_reason"
    enrol(appr, appr.me, ends_on=dt.date(2026, 2, 28))


def test_the_agreement_is_checked(world: Any, appr: Appr) -> None:
    with pytest.raises(ApplicationError):  # the contract runs at least a year
        enrol(appr, appr.me, contract_months=11)
    with pytest.raises(ApplicationError):  # signed after the start
        enrol(appr, appr.me, signed_on=START + dt.timedelta(days=1))
    with pytest.raises(ApplicationError):  # a worker of another enterprise
        enrol(appr, trainee(world.enterprise_b, 40))
    enrol(appr, appr.me)
    with pytest.raises(ApplicationError) as exc:  # one apprenticeship in training at a time
        enrol(appr, appr.me)
    assert exc.value.code == "duplicate"
    with pytest.raises(PermissionDenied):  # bob's scope is province B
        enrol(appr, appr.other, actor=world.bob)


# ------------------------------------------------------------------------------ the mentor
def test_the_enterprise_mentor_has_the_level_and_works_at_the_pilot(world: Any, appr: Appr) -> None:
    junior = trainee(world.enterprise_a, 41, skill_level="INTERMEDIATE")
    with pytest.raises(ApplicationError) as exc:
        enrol(appr, appr.me, mentor=junior)
    assert exc.value.code == "mentor_level"
    outsider = trainee(world.enterprise_b, 42, skill_level="SENIOR_TECHNICIAN")
    with pytest.raises(ApplicationError):
        enrol(appr, appr.me, mentor=outsider)
    with pytest.raises(ApplicationError):
        enrol(appr, appr.mentor, mentor=appr.mentor)
    # an enterprise may ask more of its mentors
    svc.apprentice_rule_set(
        actor=appr.hr,
        organization=world.enterprise_a,
        key=R.MENTOR_LEVEL,
        value="SENIOR_TECHNICIAN",
    )
    with pytest.raises(ApplicationError):
        enrol(appr, appr.me)


def test_a_mentor_takes_at_most_the_limit(world: Any, appr: Appr) -> None:
    workers = [trainee(world.enterprise_a, 50 + i) for i in range(4)]
    first = [enrol(appr, w) for w in workers[:3]]
    with pytest.raises(ApplicationError) as exc:
        enrol(appr, workers[3])
    assert exc.value.code == "mentor_full"
    svc.apprentice_terminate(
        actor=appr.hr, apprentice=first[0], ended_on=dt.date(2025, 9, 30), note="离职"
    )
    enrol(appr, workers[3])  # the place is free again
    # moving an apprentice to a full mentor is refused too
    other_mentor = trainee(world.enterprise_a, 60, skill_level="SENIOR")
    svc.apprentice_rule_set(
        actor=appr.hr, organization=world.enterprise_a, key=R.MENTOR_LIMIT, value=1
    )
    extra = enrol(appr, appr.me, mentor=other_mentor)
    with pytest.raises(ApplicationError):
        svc.apprentice_mentor_change(actor=appr.hr, apprentice=first[1], mentor=other_mentor)
    svc.apprentice_mentor_change(actor=appr.hr, apprentice=extra, teacher_name="李老师")


# ---------------------------------------------------------------------- plan and progress
def _course(world: Any, hours: str = "16") -> Any:
    from gongjiang.learning.courses.services import course_create

    return course_create(
        actor=world.alice, organization=world.province_a, title="焊接安全", hours=Decimal(hours)
    )


def test_the_plan_and_the_monthly_progress(world: Any, appr: Appr) -> None:
    a = enrol(appr, appr.me)
    course = _course(world)
    item = svc.apprentice_plan_item_add(actor=appr.hr, apprentice=a, kind="course", course=course)
    assert item.title == "焊接安全" and item.hours == Decimal("16.0")
    task = svc.apprentice_plan_item_add(
        actor=appr.teacher, apprentice=a, kind="task", title="板对接平焊", hours="40"
    )
    with pytest.raises(PermissionDenied):  # the mentor follows the plan; the teacher writes it
        svc.apprentice_plan_item_add(
            actor=appr.mentor_user, apprentice=a, kind="task", title="x", hours=1
        )
    with pytest.raises(ApplicationError):  # a course is done in the learning system
        svc.apprentice_plan_item_done(actor=appr.hr, item=item, done_on=dt.date(2025, 5, 1))
    svc.apprentice_plan_item_done(
        actor=appr.mentor_user, item=task, done_on=dt.date(2025, 6, 1), result="合格"
    )
    with pytest.raises(PermissionDenied):  # a stranger
        svc.apprentice_plan_item_done(actor=world.bob, item=task, done_on=START)
    # the apprentice completes the course online: its hours are credited once
    from gongjiang.learning.models import Enrollment

    Enrollment.objects.create(course=course, user=world.worker_a, completed_at=dt.datetime(
        2025, 4, 2, 10, tzinfo=dt.UTC))  # fmt: skip
    assert svc.apprentice_courses_credit(actor=appr.mentor_user, apprentice=a) == 1
    assert svc.apprentice_courses_credit(actor=appr.mentor_user, apprentice=a) == 0
    summary = sel.plan_summary(sel.plan(a), 0)
    assert (summary.done, summary.hours_credited) == (2, Decimal("56.0"))
    # monthly progress: one a month, between the start and this month
    svc.apprentice_progress_record(
        actor=appr.mentor_user,
        apprentice=a,
        month=dt.date(2025, 3, 17),
        workplace_hours="120",
        institution_hours="16",
        summary="熟悉焊接设备",
    )
    row = svc.apprentice_progress_record(
        actor=appr.teacher,
        apprentice=a,
        month=dt.date(2025, 3, 1),
        workplace_hours="110.5",
        institution_hours="20",
        summary="焊接安全课程",
        mentor_comment="认真",
    )
    assert row.month == dt.date(2025, 3, 1) and a.progress.count() == 1  # replaced
    with pytest.raises(ApplicationError):
        svc.apprentice_progress_record(
            actor=appr.hr,
            apprentice=a,
            month=dt.date(2025, 2, 1),
            workplace_hours=1,
            institution_hours=0,
            summary="x",
        )
    with pytest.raises(ApplicationError):
        svc.apprentice_progress_record(
            actor=appr.hr,
            apprentice=a,
            month=START,
            workplace_hours="2001",
            institution_hours=0,
            summary="x",
        )


# ------------------------------------------------------------- completion and evaluation
def _pass_and_issue(plan: Any, candidate: Any) -> Any:
    from gongjiang.certification import issuing
    from gongjiang.certification import services as cert
    from gongjiang.certification.models import Candidate, PracticalScore

    from ..certification.factories import ROOT

    examiner = UserFactory(username="examiner-appr")
    cand = Candidate.objects.get(pk=candidate.pk)
    cert.candidate_scores_set(actor=ROOT, candidate=cand, theory=80)
    PracticalScore.objects.create(
        candidate=cand, item=plan.items.get(), examiner=examiner, points=75
    )
    cert._practical_recompute([cand.pk], plan)
    cert.evaluation_results_decide(actor=ROOT, plan=plan)
    return issuing.certificate_issue(actor=ROOT, candidate=cand)


def test_completion_leads_into_evaluation_and_the_level_lands_once(world: Any, appr: Appr) -> None:
    from ..certification.factories import make_plan

    a = enrol(appr, appr.me)
    task = svc.apprentice_plan_item_add(
        actor=appr.hr, apprentice=a, kind="assessment", title="阶段考核", hours=8
    )
    with pytest.raises(ApplicationError) as exc:  # the plan is not done
        svc.apprentice_complete(actor=appr.hr, apprentice=a, completed_on=dt.date(2026, 11, 30))
    assert exc.value.code == "plan_open"
    svc.apprentice_plan_item_done(actor=appr.hr, item=task, done_on=dt.date(2026, 6, 1))
    a = svc.apprentice_complete(actor=appr.hr, apprentice=a, completed_on=dt.date(2026, 11, 30))
    assert a.status == "completed"
    plan = make_plan(
        world.enterprise_a,
        level="SENIOR",
        items=[("操作", 100)],
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 1, 31),
    )
    wrong = make_plan(world.enterprise_a, level="TECHNICIAN", name="焊工技师认定")
    assert list(sel.evaluation_plans_for(world.alice, a)) == [plan]
    with pytest.raises(ApplicationError):
        svc.apprentice_evaluation_enrol(actor=world.alice, apprentice=a, plan=wrong)
    a = svc.apprentice_evaluation_enrol(actor=world.alice, apprentice=a, plan=plan)
    assert sel.apprentice_get(world.alice, a.code).stage == "in_evaluation"
    with pytest.raises(ApplicationError) as exc:  # once a candidate, not again
        svc.apprentice_evaluation_enrol(actor=world.alice, apprentice=a, plan=plan)
    assert exc.value.code == "already_candidate"
    before = SkillLevelChange.objects.filter(worker=appr.me).count()
    certificate = _pass_and_issue(plan, a.candidate)
    appr.me.refresh_from_db()
    assert appr.me.skill_level_id == "SENIOR"
    changes = SkillLevelChange.objects.filter(worker=appr.me, source_ref=certificate.number)
    assert changes.count() == 1
    assert SkillLevelChange.objects.filter(worker=appr.me).count() == before + 1
    # issuing again is refused by certification: the level lands once
    from gongjiang.certification import issuing

    with pytest.raises(ApplicationError):
        issuing.certificate_issue(actor=world.root, candidate=a.candidate)
    assert SkillLevelChange.objects.filter(worker=appr.me).count() == before + 1
    shown = sel.apprentice_get(world.alice, a.code)
    assert shown.stage == "passed" and sel.certificate_of(shown).number == certificate.number


def test_a_completed_apprentice_frees_the_mentor(world: Any, appr: Appr) -> None:
    svc.apprentice_rule_set(
        actor=appr.hr, organization=world.enterprise_a, key=R.MENTOR_LIMIT, value=1
    )
    a = enrol(appr, appr.me)
    with pytest.raises(ApplicationError):
        enrol(appr, appr.other)
    item = svc.apprentice_plan_item_add(
        actor=appr.hr, apprentice=a, kind="task", title="总装", hours=10
    )
    svc.apprentice_plan_item_done(actor=appr.hr, item=item, done_on=dt.date(2025, 4, 1))
    svc.apprentice_complete(actor=appr.hr, apprentice=a, completed_on=dt.date(2025, 12, 31))
    enrol(appr, appr.other)


# ------------------------------------------------------------------------------- claims
def _documents(claim: Any, user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    for kind in R.document_kinds(claim.required_documents):
        svc.apprentice_claim_document_add(
            actor=user,
            claim=claim,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4 test", "application/pdf"),
        )


def test_subsidy_totals_are_exact_to_the_fen(
    world: Any, appr: Appr, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    # from 2025-03-01: 10 months begin in 2025; from 2025-06-15: 7; 2025-04-01 to 2025-08-31: 5
    a1 = enrol(appr, appr.me)
    a2 = enrol(appr, appr.other, starts_on=dt.date(2025, 6, 15), ends_on=dt.date(2026, 6, 14),
               signed_on=dt.date(2025, 6, 1))  # fmt: skip
    third = trainee(world.enterprise_a, 70)
    a3 = enrol(appr, third, starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2026, 3, 31))
    svc.apprentice_terminate(
        actor=appr.hr, apprentice=a3, ended_on=dt.date(2025, 8, 31), note="离职"
    )
    svc.apprentice_rule_set(
        actor=world.alice, organization=world.city_a, key=R.SUBSIDY, value="5500.50"
    )
    claim = svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    lines = {line.apprentice_id: (line.months, line.amount) for line in claim.lines.all()}
    assert lines == {
        a1.pk: (10, Decimal("4583.75")),  # 5500.50 × 10 / 12 = 4583.75
        a2.pk: (7, Decimal("3208.63")),  # 3208.625 → 3208.63
        a3.pk: (5, Decimal("2291.88")),  # April–August; 2291.875 → 2291.88
    }
    assert claim.total == Decimal("10084.26") == sum(m for _n, m in lines.values())
    assert claim.rate == Decimal("5500.50")
    with pytest.raises(ApplicationError):  # one claim per cohort and year
        svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    # submission needs every required document
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_submit(actor=appr.hr, claim=claim)
    assert exc.value.code == "documents_missing"
    _documents(claim, appr.hr)
    claim = svc.apprentice_claim_submit(actor=appr.hr, claim=claim)
    # the one who drew it up does not approve it; nor does an officer of the enterprise alone
    admin_a = UserFactory(username="admin_ent_a")
    member(admin_a, world.enterprise_a, "admin")
    for actor in (appr.hr, admin_a):
        with pytest.raises((DutyConflict, PermissionDenied)):
            svc.apprentice_claim_decide(actor=actor, claim=claim, approve=True)
    assert AuditEvent.objects.filter(action="careers.apprentice_claim_decide.refused").exists()
    claim = svc.apprentice_claim_decide(actor=world.alice, claim=claim, approve=True)
    # paid from a fund above the pilot, exact to the fen
    fund = fund_create(actor=world.alice, organization=world.province_a, name="学徒培训补贴")
    fund_credit(actor=world.alice, fund=fund, amount="10084.25")
    with pytest.raises(ApplicationError) as exc:  # one fen short
        svc.apprentice_claim_pay(actor=world.alice, claim=claim, fund=fund)
    assert exc.value.code == "insufficient_funds"
    fund_credit(actor=world.alice, fund=fund, amount="0.01")
    other_fund = fund_create(actor=world.bob, organization=world.province_b, name="浙江补贴")
    with pytest.raises(ApplicationError):
        svc.apprentice_claim_pay(actor=world.root, claim=claim, fund=other_fund)
    claim = svc.apprentice_claim_pay(actor=world.alice, claim=claim, fund=fund, reference="苏财1号")
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.00")
    assert claim.payment.amount == Decimal("10084.26")
    assert LedgerEntry.objects.filter(object_code=claim.code).count() == 1
    with pytest.raises(ApplicationError):  # once
        svc.apprentice_claim_pay(actor=world.alice, claim=claim, fund=fund)
    rows = sel.report(world.alice, 2025)
    assert [(r.enterprise, r.claims, r.apprentices, r.claimed, r.paid) for r in rows] == [
        (world.enterprise_a.name, 1, 3, Decimal("10084.26"), Decimal("10084.26"))
    ]
    assert sel.report(world.bob) == []
    by_region = sel.report_by_region(rows)
    assert by_region[0].region == world.enterprise_a.region_id


def test_a_rejected_claim_may_be_drawn_up_again(
    world: Any, appr: Appr, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    enrol(appr, appr.me)
    claim = svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    _documents(claim, appr.hr)
    claim = svc.apprentice_claim_submit(actor=appr.hr, claim=claim)
    with pytest.raises(ApplicationError):  # a rejection says why
        svc.apprentice_claim_decide(actor=world.alice, claim=claim, approve=False)
    svc.apprentice_claim_decide(actor=world.alice, claim=claim, approve=False, note="缺少考核记录")
    again = svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    assert again.total == claim.total == Decimal("4166.67")  # 10 months of 5000


def test_nothing_to_claim_for_a_year_without_training(appr: Appr) -> None:
    enrol(appr, appr.me)
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2024)
    assert exc.value.code == "nothing_to_claim"


def test_dashboard_counts_stages_and_rates(world: Any, appr: Appr) -> None:
    a = enrol(appr, appr.me)
    b = enrol(appr, appr.other)
    svc.apprentice_terminate(actor=appr.hr, apprentice=b, ended_on=dt.date(2025, 5, 1), note="离职")
    item = svc.apprentice_plan_item_add(
        actor=appr.hr, apprentice=a, kind="task", title="t", hours=1
    )
    svc.apprentice_plan_item_done(actor=appr.hr, item=item, done_on=dt.date(2025, 5, 1))
    svc.apprentice_complete(actor=appr.hr, apprentice=a, completed_on=dt.date(2025, 12, 1))
    d = sel.dashboard(world.alice)
    assert d.total == 2
    assert {c.key: c.count for c in d.by_stage}["completed"] == 1
    assert d.completion_rate == 50.0 and d.pass_rate is None
    assert [c.label for c in d.by_province] == ["江苏省"]
    assert sel.dashboard(world.bob).total == 0
    assert END > START
