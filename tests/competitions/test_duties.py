"""Separation of duties in competitions: whoever entered or changed marks of a stage — the chief
judge who corrected signed-off marks above all — does not approve that stage's results. The refusal
is a clear 403 on the API, a message on the page, and an audit row."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.competitions import marking, results
from gongjiang.competitions.models import Aspect, Mark
from gongjiang.core.duties import DutyConflict
from gongjiang.core.models import AuditEvent
from tests.factories import UserFactory, member

from .factories import assign_judges, confirmed_entry, score_entry

pytestmark = pytest.mark.django_db


def _stage_with_chief_change(world: Any, comp: dict[str, Any], workers: list[Any]) -> Any:
    """Marks complete and signed off; then the chief judge — an officer of the organiser, too —
    changes a signed-off mark, and another judge saves over it afterwards."""
    stage, trade = comp["stages"][0], comp["trade"]
    chief = UserFactory(username="chief_officer")
    member(chief, world.province_a, "officer")
    judges = [chief, *comp["judges"][1:]]
    assign_judges(world.alice, stage, comp["criteria"], judges)
    entry = confirmed_entry(world.alice, stage, trade, workers[0], theory=70)
    score_entry(entry, judges, 2)
    for criterion in comp["criteria"]:
        for judge in judges:
            marking.criterion_sign_off(actor=judge, stage=stage, criterion=criterion)
    aspect = Aspect.objects.filter(criterion__trade=trade, kind="measurement").first()
    mark = Mark.objects.get(entry=entry, aspect=aspect)
    marking.mark_save(
        actor=chief,
        entry=entry,
        aspect=aspect,
        value=aspect.target,
        version=mark.version,
        reason="复核",
    )
    Mark.objects.filter(pk=mark.pk).update(updated_by=judges[1])  # the row forgets; audit does not
    results.results_compute(actor=world.alice, stage=stage, trade=trade)
    return stage, chief


def test_the_chief_judge_who_changed_marks_does_not_approve(world, comp, workers) -> None:
    stage, chief = _stage_with_chief_change(world, comp, workers)
    with pytest.raises(DutyConflict) as exc:
        results.stage_results_approve(actor=chief, stage=stage)
    assert exc.value.status == 403
    stage.refresh_from_db()
    assert stage.results_approved_at is None
    row = AuditEvent.objects.get(action="competition.results_approve.refused")
    assert row.actor == chief and row.details["reason"] == "own_marks"
    results.stage_results_approve(actor=world.alice, stage=stage)
    stage.refresh_from_db()
    assert stage.results_approved_by == world.alice


def test_results_approval_refusal_on_page_and_api(client, world, comp, workers) -> None:
    stage, chief = _stage_with_chief_change(world, comp, workers)
    client.force_login(chief)
    r = client.post(f"/api/v1/competitions/stages/{stage.code}/approve")
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    code = comp["competition"].code
    r = client.post(
        f"/competitions/{code}/results/{stage.code}/act/", {"action": "approve"}, follow=True
    )
    assert r.status_code == 200
    assert "您录入或修改过本阶段的评分" in r.content.decode()
    stage.refresh_from_db()
    assert stage.results_approved_at is None
    assert AuditEvent.objects.filter(action="competition.results_approve.refused").count() == 2
