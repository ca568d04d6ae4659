"""Marking scheme, measurement rules, judgement aggregation, spread flags, judge conflicts,
concurrent marking (optimistic versions) and the sign-off lock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.competitions import marking
from gongjiang.competitions.models import Aspect, Mark
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import AuditEvent
from tests.factories import UserFactory, member

from .factories import SCHEME, confirmed_entry

pytestmark = pytest.mark.django_db


def aspects(comp):
    return {
        a.label: a
        for a in Aspect.objects.filter(criterion__trade=comp["trade"]).select_related(
            "criterion", "sub_criterion"
        )
    }


def test_scheme_must_total_100(world, comp):
    bad = [
        {**SCHEME[0]},
        {
            **SCHEME[1],
            "sub_criteria": [
                {"name": "x", "aspects": [{"description": "y", "kind": "judgement", "max_mark": 5}]}
            ],
        },
    ]
    with pytest.raises(ValidationError) as exc:
        marking.scheme_load(actor=world.alice, trade=comp["trade"], scheme=bad)
    assert "65" in str(exc.value)
    # the old scheme survives the failed replacement (one transaction)
    assert marking.scheme_total(comp["trade"]) == 100
    with pytest.raises(ValidationError):  # a measurement without a rule
        marking.scheme_load(
            actor=world.alice,
            trade=comp["trade"],
            scheme=[
                {
                    "letter": "A",
                    "name": "a",
                    "sub_criteria": [
                        {
                            "name": "s",
                            "aspects": [
                                {"description": "d", "kind": "measurement", "max_mark": 100}
                            ],
                        }
                    ],
                }
            ],
        )


def test_measurement_rules(comp):
    a = aspects(comp)
    exact, holes = a["A1.1"], a["A1.2"]
    assert marking.measurement_mark(exact, Decimal("100.05")) == 30
    assert marking.measurement_mark(exact, Decimal("99.94")) == 0
    assert marking.measurement_mark(holes, Decimal("25.02")) == 30
    assert marking.measurement_mark(holes, Decimal("25.025")) == 25  # one started step beyond
    assert marking.measurement_mark(holes, Decimal("24.96")) == 20  # two steps
    assert marking.measurement_mark(holes, Decimal("26")) == 0  # never below zero


def _assign_all(world, comp, judges, chief=None):
    for c in comp["criteria"]:
        for j in judges:
            marking.judge_assign(
                actor=world.alice, stage=comp["stages"][0], criterion=c, user=j, is_chief=j == chief
            )


def test_judgement_aggregation_and_spread(world, comp, workers):
    stage = comp["stages"][0]
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    _assign_all(world, comp, comp["judges"])
    look = aspects(comp)["B1.1"]
    for judge, score in zip(comp["judges"], (3, 2, 1), strict=True):
        marking.mark_save(actor=judge, entry=entry, aspect=look, value=score, version=0)
    scores = [m.value for m in Mark.objects.filter(entry=entry, aspect=look)]
    assert marking.judgement_mark(look, scores) == Decimal("20.000")  # mean 2 / 3 × 30
    flags = marking.spread_flags(stage=stage, criterion=look.criterion)
    assert len(flags) == 1 and flags[0].spread == 2
    with pytest.raises(ValidationError):
        marking.mark_save(
            actor=comp["judges"][0], entry=entry, aspect=aspects(comp)["B1.2"], value=4, version=0
        )
    # bring the spread back to 1: no flag
    mark = Mark.objects.get(entry=entry, aspect=look, judge=comp["judges"][2])
    marking.mark_save(
        actor=comp["judges"][2], entry=entry, aspect=look, value=2, version=mark.version
    )
    assert marking.spread_flags(stage=stage, criterion=look.criterion) == []


def test_judge_conflict_refused(world, comp, workers):
    stage = comp["stages"][0]
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])  # from enterprise A
    own = UserFactory(username="judge_own")
    member(own, world.team_a, "judge")  # a team inside the entrant's enterprise
    with pytest.raises(ApplicationError) as exc:
        marking.judge_assign(
            actor=world.alice, stage=stage, criterion=comp["criteria"][0], user=own
        )
    assert exc.value.code == "judge_conflict" and workers[0].name in exc.value.message
    # organiser-level judges (province A is the organiser) are neutral
    neutral = UserFactory(username="judge_neutral")
    member(neutral, world.province_a, "judge")
    marking.judge_assign(
        actor=world.alice, stage=stage, criterion=comp["criteria"][0], user=neutral
    )
    # a declared conflict refuses the marking itself
    marking.judge_conflict_declare(actor=neutral, entry=entry, reason="师徒关系")
    with pytest.raises(ApplicationError) as exc:
        marking.mark_save(
            actor=neutral, entry=entry, aspect=aspects(comp)["A1.1"], value=100, version=0
        )
    assert exc.value.code == "judge_conflict"
    # an unassigned judge may not mark at all
    with pytest.raises(PermissionDenied):
        marking.mark_save(
            actor=comp["judges"][0], entry=entry, aspect=aspects(comp)["A1.1"], value=100, version=0
        )


def test_concurrent_marking_no_lost_update(world, comp, workers):
    stage = comp["stages"][0]
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    j1, j2 = comp["judges"][:2]
    _assign_all(world, comp, [j1, j2])
    length = aspects(comp)["A1.1"]
    first = marking.mark_save(actor=j1, entry=entry, aspect=length, value="100.01", version=0).mark
    # both sessions loaded version 1; the first save wins ...
    marking.mark_save(actor=j1, entry=entry, aspect=length, value="100.02", version=first.version)
    # ... the second is told, with the current value, and overwrites nothing
    with pytest.raises(ConflictError) as exc:
        marking.mark_save(
            actor=j2, entry=entry, aspect=length, value="99.00", version=first.version
        )
    assert exc.value.status == 409 and "100.02" in exc.value.message
    current = Mark.objects.get(entry=entry, aspect=length)
    assert current.value == Decimal("100.02") and current.version == 2
    # the second judge re-reads and saves on top of the current version
    marking.mark_save(actor=j2, entry=entry, aspect=length, value="99.00", version=current.version)
    assert Mark.objects.get(entry=entry, aspect=length).mark == 0
    # two sessions creating the same new mark at once: one creates, the other is told
    holes = aspects(comp)["A1.2"]
    marking.mark_save(actor=j1, entry=entry, aspect=holes, value="25", version=0)
    with pytest.raises(ConflictError):
        marking.mark_save(actor=j2, entry=entry, aspect=holes, value="25.1", version=0)


def test_sign_off_locks_and_chief_changes_are_audited(world, comp, workers):
    stage = comp["stages"][0]
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    j1, j2, chief = comp["judges"]
    crit_a = comp["criteria"][0]
    for j in (j1, j2, chief):
        marking.judge_assign(
            actor=world.alice, stage=stage, criterion=crit_a, user=j, is_chief=j == chief
        )
    a = aspects(comp)
    with pytest.raises(ApplicationError) as exc:
        marking.criterion_sign_off(actor=j1, stage=stage, criterion=crit_a)
    assert exc.value.code == "marks_missing"
    m1 = marking.mark_save(actor=j1, entry=entry, aspect=a["A1.1"], value=100, version=0).mark
    marking.mark_save(actor=j1, entry=entry, aspect=a["A1.2"], value=25, version=0)
    for j in (j1, j2, chief):
        assert not marking.criterion_locked(stage, crit_a)
        marking.criterion_sign_off(actor=j, stage=stage, criterion=crit_a)
    assert marking.criterion_locked(stage, crit_a)
    with pytest.raises(ApplicationError) as exc:
        marking.mark_save(actor=j1, entry=entry, aspect=a["A1.1"], value=90, version=m1.version)
    assert exc.value.code == "signed_off"
    with pytest.raises(ValidationError):  # the chief must say why
        marking.mark_save(actor=chief, entry=entry, aspect=a["A1.1"], value=90, version=m1.version)
    marking.mark_save(
        actor=chief, entry=entry, aspect=a["A1.1"], value=90, version=m1.version, reason="复核测量"
    )
    event = AuditEvent.objects.get(action="competition.mark_after_signoff")
    assert event.details["reason"] == "复核测量" and event.actor == chief
