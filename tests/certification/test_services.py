"""Plans, enrolment, scores, pass rules, issuing through the workforce service, revocation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjiang.certification import issuing, services
from gongjiang.certification.models import Candidate, Certificate, EvaluationPlan, PracticalItem
from gongjiang.certification.numbers import is_valid_number, parse_number
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent, SkillLevel
from tests.factories import UserFactory, member

from .factories import ROOT, evaluation_body, issued_certificate, make_plan, make_worker

pytestmark = pytest.mark.django_db


def _scores(
    plan: EvaluationPlan,
    cand: Candidate,
    theory: int,
    practical: dict[str, int] | None = None,
    examiner=None,
    review: int | None = None,
) -> None:  # noqa: ANN001
    services.candidate_scores_set(
        actor=ROOT,
        candidate=cand,
        theory=theory,
        **({"review": review} if review is not None else {}),
    )
    if practical is not None:
        items = list(plan.items.all())
        services.practical_scores_save(
            actor=examiner, candidate=cand, points={i.code: practical[i.title] for i in items}
        )


def test_plan_for_technician_always_has_review(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, level="TECHNICIAN", has_review=False)
    assert plan.has_review and plan.review_required
    assert plan.parts() == ["theory", "practical", "review"]
    senior = make_plan(world.enterprise_a, level="SENIOR_TECHNICIAN")
    assert senior.has_review
    assert not make_plan(world.enterprise_a, level="SENIOR").has_review


def test_plan_validation(world) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        make_plan(
            world.enterprise_a,
            level="APPRENTICE",
            province_code="99",
            site_code="12",
            ends_on=dt.date(2024, 1, 1),
        )
    assert {"level", "province_code", "site_code", "ends_on"} <= set(exc.value.message_dict)
    # the old widths (body 6 digits, site 3) are refused
    with pytest.raises(ValidationError) as exc:
        make_plan(world.enterprise_a, body_code="000123", site_code="001")
    assert {"body_code", "site_code"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.evaluation_plan_create(
            actor=world.bob,
            organization=world.enterprise_a,
            name="x",
            occupation="6-18-02-04",
            level="SENIOR",
            body_code="0001",
            province_code="32",
            site_code="000001",
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2024, 2, 1),
        )


def test_part_results_default_rule_60_each(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a)
    r = services.part_results(plan, Decimal("60"), Decimal("59.99"), None)
    assert r == {"theory": True, "practical": False, "review": None, "passed": False}
    assert services.part_results(plan, Decimal("75"), Decimal("60"), None)["passed"] is True
    assert (
        services.part_results(plan, None, Decimal("90"), None)["passed"] is False
    )  # absent from theory
    tech = make_plan(world.enterprise_a, level="TECHNICIAN")
    assert services.part_results(tech, Decimal("80"), Decimal("80"), None)["passed"] is False
    assert (
        services.part_results(tech, Decimal("80"), Decimal("80"), Decimal("59"))["review"] is False
    )
    assert (
        services.part_results(tech, Decimal("80"), Decimal("80"), Decimal("60"))["passed"] is True
    )


@given(
    theory=st.decimals(0, 100, places=2),
    practical=st.decimals(0, 100, places=2),
    review=st.decimals(0, 100, places=2),
    pass_mark=st.decimals(0, 100, places=2),
)
@settings(max_examples=200)
def test_part_results_property(
    theory: Decimal, practical: Decimal, review: Decimal, pass_mark: Decimal
) -> None:
    plan = EvaluationPlan(
        level_id="TECHNICIAN",
        has_theory=True,
        has_practical=True,
        has_review=True,
        theory_pass=pass_mark,
        practical_pass=Decimal("60"),
        review_pass=Decimal("60"),
    )
    r = services.part_results(plan, theory, practical, review)
    assert r["theory"] == (theory >= pass_mark)
    assert r["passed"] == (theory >= pass_mark and practical >= 60 and review >= 60)


def test_enrol_only_eligible_workers(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a)
    mine = make_worker(world.enterprise_a, "李四")
    theirs = make_worker(world.enterprise_b, "王五")
    cand = services.candidate_enrol(actor=world.alice, plan=plan, worker=mine)
    assert cand.plan == plan and cand.worker == mine
    with pytest.raises(ApplicationError) as exc:
        services.candidate_enrol(actor=world.alice, plan=plan, worker=mine)  # twice
    assert exc.value.code == "not_eligible"
    with pytest.raises(ApplicationError):
        services.candidate_enrol(
            actor=world.alice, plan=plan, worker=theirs
        )  # outside alice's scope
    with pytest.raises(ApplicationError):  # employer evaluation (Y): only the body's own workers
        services.candidate_enrol(actor=ROOT, plan=plan, worker=theirs)
    social = make_plan(evaluation_body(world.city_a), body_kind="S")
    assert services.candidate_enrol(actor=ROOT, plan=social, worker=theirs)
    with pytest.raises(PermissionDenied):
        services.candidate_enrol(actor=world.bob, plan=plan, worker=theirs)


def test_practical_score_is_average_over_examiners(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a)
    cand = services.candidate_enrol(actor=ROOT, plan=plan, worker=make_worker(world.enterprise_a))
    judge1, judge2 = UserFactory(username="judge1"), UserFactory(username="judge2")
    member(judge1, world.enterprise_a, "judge")
    member(judge2, world.city_a, "trainer")
    items = {i.title: i.code for i in plan.items.all()}
    services.practical_scores_save(
        actor=judge1,
        candidate=cand,
        points={items["焊前准备"]: 20, items["焊接操作"]: 40, items["焊缝质量"]: 20},
    )
    cand.refresh_from_db()
    assert cand.practical_score == Decimal("80.00")
    services.practical_scores_save(
        actor=judge2,
        candidate=cand,
        points={items["焊前准备"]: 10, items["焊接操作"]: 30, items["焊缝质量"]: 15},
    )
    cand.refresh_from_db()
    assert cand.practical_score == Decimal("67.50")  # (80 + 55) / 2
    # saving again replaces the examiner's own sheet
    services.practical_scores_save(
        actor=judge2,
        candidate=cand,
        points={items["焊前准备"]: 20, items["焊接操作"]: 40, items["焊缝质量"]: 20},
    )
    cand.refresh_from_db()
    assert cand.practical_score == Decimal("80.00")
    with pytest.raises(ValidationError) as exc:
        services.practical_scores_save(actor=judge1, candidate=cand, points={items["焊前准备"]: 25})
    assert (
        items["焊前准备"] in exc.value.message_dict and items["焊接操作"] in exc.value.message_dict
    )
    with pytest.raises(PermissionDenied):  # officers manage; examiners score
        services.practical_scores_save(actor=world.alice, candidate=cand, points={})
    outsider = UserFactory(username="judge_b")
    member(outsider, world.enterprise_b, "judge")
    with pytest.raises(PermissionDenied):
        services.practical_scores_save(actor=outsider, candidate=cand, points={})
    with pytest.raises(ApplicationError):  # the checklist is fixed once scored
        services.practical_items_set(actor=ROOT, plan=plan, items=[("新项目", 100)])


def _decided_plan(world, level: str = "SENIOR", **extra):  # noqa: ANN001, ANN202
    plan = make_plan(world.enterprise_a, level=level, items=[("操作", 100)], **extra)
    judge = UserFactory(username="judge_x")
    member(judge, world.enterprise_a, "judge")
    passing = make_worker(world.enterprise_a, "张小三", user=world.worker_a, level="INTERMEDIATE")
    failing = make_worker(world.enterprise_a, "李四")
    absent = make_worker(world.enterprise_a, "王五")
    cands = services.candidates_enrol(
        actor=world.alice, plan=plan, workers=[passing, failing, absent]
    )
    by_worker = {c.worker_id: Candidate.objects.get(pk=c.pk) for c in cands}
    review = 70 if plan.has_review else None
    _scores(plan, by_worker[passing.pk], 85, {"操作": 72}, judge, review)
    _scores(plan, by_worker[failing.pk], 90, {"操作": 55}, judge, review)
    counts = services.evaluation_results_decide(actor=world.alice, plan=plan)
    return plan, passing, failing, counts


def test_decide_counts_and_status(world) -> None:  # noqa: ANN001
    plan, passing, failing, counts = _decided_plan(world)
    assert counts == {"candidates": 3, "passed": 1, "failed": 2, "absent": 1}
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.DECIDED
    row = Candidate.objects.get(plan=plan, worker=failing)
    assert (row.theory_passed, row.practical_passed, row.review_passed, row.passed) == (
        True,
        False,
        None,
        False,
    )
    with pytest.raises(ApplicationError):  # scores are locked once decided
        services.candidate_scores_set(actor=world.alice, candidate=row, theory=99)
    services.evaluation_plan_reopen(actor=world.alice, plan=plan)
    services.candidate_scores_set(actor=world.alice, candidate=row, theory=99)


def test_technician_plan_needs_review_to_pass(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, level="TECHNICIAN", items=[("操作", 100)])
    judge = UserFactory(username="judge_t")
    member(judge, world.enterprise_a, "judge")
    cand = services.candidate_enrol(actor=ROOT, plan=plan, worker=make_worker(world.enterprise_a))
    cand = Candidate.objects.get(pk=cand.pk)
    _scores(plan, cand, 90, {"操作": 90}, judge)
    services.evaluation_results_decide(actor=ROOT, plan=plan)
    cand.refresh_from_db()
    assert cand.review_passed is False and cand.passed is False
    services.evaluation_plan_reopen(actor=ROOT, plan=plan)
    services.candidate_scores_set(actor=ROOT, candidate=cand, review=60)
    services.evaluation_results_decide(actor=ROOT, plan=plan)
    cand.refresh_from_db()
    assert cand.review_passed is True and cand.passed is True


def test_issue_raises_level_through_workforce_with_history_and_audit(world) -> None:  # noqa: ANN001
    plan, passing, failing, _counts = _decided_plan(world)
    result = issuing.certificates_issue(actor=world.alice, plan=plan)
    assert result["issued"] == 1 and not result["errors"]
    cert = Certificate.objects.get(worker=passing)
    assert is_valid_number(cert.number) and cert.number.startswith("Y012332000001")
    assert cert.number[15] == "3"  # character 16: 高级工 = level 3
    assert cert.holder_name == "张小三" and cert.status == "valid" and cert.valid_until is None
    passing.refresh_from_db()
    assert passing.skill_level_id == "SENIOR"
    change = passing.skill_level_changes.get(code=cert.skill_level_change_code)
    assert (change.from_level_id, change.to_level_id) == ("INTERMEDIATE", "SENIOR")
    assert change.source == "职业技能等级认定" and change.source_ref == cert.number
    registry = passing.certificates.get(code=cert.workforce_certificate_code)
    assert (
        registry.number == cert.number
        and registry.kind == "skill_level"
        and registry.level_id == "SENIOR"
    )
    assert AuditEvent.objects.filter(
        action="certification.certificate_issue", object_code=cert.code
    ).exists()
    assert AuditEvent.objects.filter(
        action="worker.skill_level_change", object_code=passing.code
    ).exists()
    plan.refresh_from_db()
    assert plan.status == EvaluationPlan.Status.ISSUED
    assert not Certificate.objects.filter(worker=failing).exists()
    with pytest.raises(ApplicationError):
        issuing.certificate_issue(actor=world.alice, candidate=cert.candidate)  # only once
    with pytest.raises(ApplicationError):
        services.evaluation_plan_reopen(actor=world.alice, plan=plan)


def test_issue_does_not_lower_a_higher_level(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, items=[("操作", 100)], validity_years=3, has_theory=False)
    judge = UserFactory(username="judge_y")
    member(judge, world.enterprise_a, "judge")
    worker = make_worker(world.enterprise_a, level="TECHNICIAN")
    cand = Candidate.objects.get(
        pk=services.candidate_enrol(actor=ROOT, plan=plan, worker=worker).pk
    )
    services.practical_scores_save(actor=judge, candidate=cand, points={plan.items.get().code: 60})
    services.evaluation_results_decide(actor=ROOT, plan=plan)
    cert = issuing.certificate_issue(
        actor=world.alice, candidate=cand, issue_date=dt.date(2024, 2, 29)
    )
    worker.refresh_from_db()
    assert worker.skill_level_id == "TECHNICIAN" and cert.skill_level_change_code == ""
    assert cert.valid_until == dt.date(2027, 2, 28)
    assert cert.number[13:15] == "24"  # characters 14–15
    assert worker.certificates.filter(number=cert.number).exists()


def test_revocation_reverses_level_and_registry_certificate(world) -> None:  # noqa: ANN001
    plan, passing, _failing, _counts = _decided_plan(world)
    issuing.certificates_issue(actor=world.alice, plan=plan)
    cert = Certificate.objects.get(worker=passing)
    with pytest.raises(ValidationError):
        issuing.certificate_revoke(actor=world.alice, certificate=cert, reason=" ")
    with pytest.raises(PermissionDenied):
        issuing.certificate_revoke(actor=world.worker_a, certificate=cert, reason="x")
    issuing.certificate_revoke(actor=world.alice, certificate=cert, reason="材料造假")
    cert.refresh_from_db()
    assert cert.revoked and cert.status == "revoked" and cert.revoked_reason == "材料造假"
    passing.refresh_from_db()
    assert passing.skill_level_id == "INTERMEDIATE"
    assert passing.skill_level_changes.get(code=cert.skill_level_change_code).reverted
    assert passing.certificates.get(code=cert.workforce_certificate_code).revoked
    event = AuditEvent.objects.get(action="certification.certificate_revoke", object_code=cert.code)
    assert event.details["level_reverted"] is True and event.details["reason"] == "材料造假"
    with pytest.raises(ApplicationError):
        issuing.certificate_revoke(actor=world.alice, certificate=cert, reason="again")


def test_social_body_issues_for_workers_outside_its_staff_scope(world) -> None:  # noqa: ANN001
    # An S body in province B evaluates a worker of enterprise A; bob has no workforce role there.
    body = evaluation_body(world.city_b)
    plan = make_plan(body, body_kind="S", items=[("操作", 100)], province_code="33")
    worker = make_worker(world.enterprise_a, "赵六")
    cand = Candidate.objects.get(
        pk=services.candidate_enrol(actor=ROOT, plan=plan, worker=worker).pk
    )
    judge = UserFactory(username="judge_b2")
    member(judge, body, "judge")
    services.candidate_scores_set(actor=world.bob, candidate=cand, theory=70)
    services.practical_scores_save(actor=judge, candidate=cand, points={plan.items.get().code: 70})
    services.evaluation_results_decide(actor=world.bob, plan=plan)
    cert = issuing.certificate_issue(actor=world.bob, candidate=cand)
    worker.refresh_from_db()
    assert worker.skill_level_id == "SENIOR" and cert.number.startswith("S")
    event = AuditEvent.objects.filter(
        action="worker.skill_level_change", object_code=worker.code
    ).first()
    assert event.details.get("system") == "certification:bob"


def test_issue_under_a_provincially_filed_body_code_0000(world) -> None:  # noqa: ANN001
    cert = issued_certificate(
        world.enterprise_a, body_code="0000", province_code="23", site_code="000017"
    )
    parsed = parse_number(cert.number)
    assert (parsed.kind, parsed.body, parsed.province, parsed.site, parsed.level) == (
        "Y",
        "0000",
        "23",
        "000017",
        3,
    )
    assert cert.number == f"Y000023000017{cert.issue_date:%y}3000001"
    assert cert.worker.certificates.filter(number=cert.number).exists()  # the registry took it


def test_checklist_replace_and_levels(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a)
    services.practical_items_set(actor=world.alice, plan=plan, items=[("A", 40), ("B", 60)])
    assert list(PracticalItem.objects.filter(plan=plan).values_list("title", "order")) == [
        ("A", 1),
        ("B", 2),
    ]
    services.evaluation_plan_update(actor=world.alice, plan=plan, name="新名称", theory_pass="70")
    plan.refresh_from_db()
    assert plan.name == "新名称" and plan.theory_pass == Decimal("70.00")
    assert SkillLevel.objects.get(pk="SENIOR").national_level == 3


def test_evaluation_body_is_its_own_kind_and_certificates_never_name_a_union(world) -> None:  # noqa: ANN001
    """Y plans belong to the employer's union and print the enterprise's legal name; S plans belong
    to an organisation of kind evaluation body; neither kind accepts the other's organisation."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:  # S at an enterprise union
        make_plan(world.enterprise_a, body_kind="S")
    assert "organization" in exc.value.message_dict
    body = evaluation_body(world.city_a, "南京市职业技能鉴定指导中心")
    with pytest.raises(ValidationError) as exc:  # Y at an evaluation body
        make_plan(body, body_kind="Y")
    assert "organization" in exc.value.message_dict
    with pytest.raises(ValidationError):  # an evaluation body has no sub-organisations
        from tests.factories import OrganizationFactory

        OrganizationFactory(parent=body, name="下属", kind="team", region="320100")
    employer_cert = issued_certificate(world.enterprise_a)
    assert employer_cert.body_name == "南京测试装备有限公司"
    assert not employer_cert.body_name.endswith("工会")
    assert employer_cert.plan.body_name == "南京测试装备有限公司"
    from gongjiang.workforce.models import Certificate as RegistryCertificate

    issued = RegistryCertificate.objects.get(number=employer_cert.number)
    assert issued.issuer == "南京测试装备有限公司"
    assert make_plan(body, body_kind="S").body_name == "南京市职业技能鉴定指导中心"
