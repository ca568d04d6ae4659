"""Award rules applied on publication through the workforce services, and reverted exactly."""

from __future__ import annotations

import pytest

from gongjiang.competitions import awards, results
from gongjiang.competitions.models import AwardApplication
from gongjiang.core.models import AuditEvent
from gongjiang.workforce.models import Honour, SkillLevelChange

from .factories import assign_judges, confirmed_entry, make_worker, score_entry

pytestmark = pytest.mark.django_db


def test_default_rules_applied_and_reverted(world, comp):
    competition, trade = comp["competition"], comp["trade"]
    final = comp["stages"][1]
    judges = comp["judges"]
    rules = awards.default_rules(competition)
    assert rules[0]["honour_title"] == "省级技术能手"
    awards.award_rules_set(actor=world.alice, competition=competition, rules=rules)
    assign_judges(world.alice, final, comp["criteria"], judges)
    # six finalists: the fourth is already 技师; all others 高级工
    finalists = [
        make_worker(
            world.alice,
            world.enterprise_a,
            f"决赛选手{i}",
            level="TECHNICIAN" if i == 3 else "SENIOR",
        )
        for i in range(6)
    ]
    for i, w in enumerate(finalists):
        e = confirmed_entry(world.alice, final, trade, w, theory=100 - i)
        score_entry(e, judges, 3 if i < 5 else 2)
    results.results_compute(actor=world.alice, stage=final, trade=trade)
    results.stage_results_approve(actor=world.alice, stage=final)
    results.stage_results_publish(actor=world.alice, stage=final)
    levels = {w.name: type(w).objects.get(pk=w.pk).skill_level_id for w in finalists}
    assert levels == {
        "决赛选手0": "TECHNICIAN",
        "决赛选手1": "TECHNICIAN",
        "决赛选手2": "TECHNICIAN",
        "决赛选手3": "SENIOR_TECHNICIAN",
        "决赛选手4": "TECHNICIAN",
        "决赛选手5": "TECHNICIAN",
    }
    assert Honour.objects.filter(title="省级技术能手", revoked=False).count() == 5
    nomination = AwardApplication.objects.get(kind="nomination")
    assert nomination.worker == finalists[0] and nomination.title == "省五一劳动奖章"
    change = SkillLevelChange.objects.get(
        worker=finalists[0], reverted=False, source_ref=competition.code
    )
    assert change.from_level_id == "SENIOR"
    assert AuditEvent.objects.filter(action="worker.skill_level_change").count() >= 6
    # applying again (e.g. a retry) adds nothing
    assert awards.awards_apply(actor=world.alice, stage=final) == []

    results.stage_results_withdraw(actor=world.alice, stage=final, reason="成绩复核更正")
    levels = {w.name: type(w).objects.get(pk=w.pk).skill_level_id for w in finalists}
    assert levels["决赛选手3"] == "TECHNICIAN" and levels["决赛选手0"] == "SENIOR"
    assert set(levels.values()) == {"SENIOR", "TECHNICIAN"}
    assert not Honour.objects.filter(title="省级技术能手", revoked=False).exists()
    assert not AwardApplication.objects.filter(reverted_at__isnull=True).exists()

    # corrected and published again: the awards follow the new results
    results.results_compute(actor=world.alice, stage=final, trade=trade)
    results.stage_results_approve(actor=world.alice, stage=final)
    results.stage_results_publish(actor=world.alice, stage=final)
    assert Honour.objects.filter(title="省级技术能手", revoked=False).count() == 5


def test_promotion_target():
    from gongjiang.competitions.models import AwardRule
    from gongjiang.core.models import SkillLevel

    lv = {s.code: s for s in SkillLevel.objects.all()}
    rule = AwardRule(promote_to=lv["SENIOR"], promote_else_to=lv["TECHNICIAN"])
    assert awards.promotion_target(rule, lv["INTERMEDIATE"]) == lv["SENIOR"]
    assert awards.promotion_target(rule, None) == lv["SENIOR"]
    assert awards.promotion_target(rule, lv["SENIOR"]) == lv["TECHNICIAN"]
    assert awards.promotion_target(rule, lv["TECHNICIAN"]) is None
