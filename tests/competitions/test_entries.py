"""Eligibility, entries (register, confirm, withdraw, substitute) and their audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.competitions import services
from gongjiang.competitions.models import Entry
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent

from .factories import make_worker

pytestmark = pytest.mark.django_db


def test_eligibility_rules(world, comp):
    trade = comp["trade"]
    trade.min_skill_level_id = "INTERMEDIATE"
    trade.max_skill_level_id = "TECHNICIAN"
    trade.max_age = 45
    trade.age_reference_date = dt.date(2025, 1, 1)
    trade.excluded_titles = ["全国技术能手"]
    trade.save()
    ok = make_worker(world.alice, world.enterprise_a)
    assert services.eligibility_problems(trade=trade, worker=ok) == []
    wrong_occ = make_worker(world.alice, world.enterprise_a, occupation="6-29-01-01")
    low = make_worker(world.alice, world.enterprise_a, level="JUNIOR")
    high = make_worker(world.alice, world.enterprise_a, level="SENIOR_TECHNICIAN")
    old = make_worker(world.alice, world.enterprise_a, birth=dt.date(1975, 1, 2))
    for w in (wrong_occ, low, high, old):
        assert len(services.eligibility_problems(trade=trade, worker=w)) == 1, w
    # exactly 45 on the reference date is still allowed; one day older is not
    just = make_worker(world.alice, world.enterprise_a, birth=dt.date(1980, 1, 1))
    assert services.eligibility_problems(trade=trade, worker=just) == []
    from gongjiang.workforce.services import honour_add, worker_update

    holder = make_worker(world.alice, world.enterprise_a)
    honour_add(actor=world.alice, worker=holder, title="全国技术能手", level="national", year=2019)
    assert "全国技术能手" in services.eligibility_problems(trade=trade, worker=holder)[0]
    left = make_worker(world.alice, world.enterprise_a)
    worker_update(actor=world.alice, worker=left, status="left")
    left.refresh_from_db()
    assert services.eligibility_problems(trade=trade, worker=left)
    with pytest.raises(ApplicationError) as exc:
        services.entry_register(actor=world.alice, stage=comp["stages"][0], trade=trade, worker=old)
    assert exc.value.code == "not_eligible" and exc.value.details


def test_register_confirm_withdraw_substitute(world, comp):
    stage, trade = comp["stages"][0], comp["trade"]
    a = make_worker(world.alice, world.enterprise_a)
    b = make_worker(world.alice, world.enterprise_a)
    entry = services.entry_register(
        actor=world.enterprise_officer_a, stage=stage, trade=trade, worker=a
    )
    assert entry.status == Entry.Status.NOMINATED and entry.sending_org == world.enterprise_a
    with pytest.raises(ApplicationError):
        services.entry_register(
            actor=world.enterprise_officer_a, stage=stage, trade=trade, worker=a
        )
    with pytest.raises(PermissionDenied):  # the enterprise cannot confirm; the organiser does
        services.entry_confirm(actor=world.enterprise_officer_a, entry=entry)
    services.entry_confirm(actor=world.alice, entry=entry)
    new = services.entry_substitute(
        actor=world.enterprise_officer_a, entry=entry, worker=b, reason="因伤替换"
    )
    entry.refresh_from_db()
    assert (
        entry.status == "substituted"
        and entry.status_reason == "因伤替换"
        and new.substitutes == entry
    )
    with pytest.raises(ValidationError):
        services.entry_withdraw(actor=world.enterprise_officer_a, entry=new, reason="")
    services.entry_withdraw(actor=world.enterprise_officer_a, entry=new, reason="工作安排")
    assert AuditEvent.objects.filter(
        action="competition.entry_withdraw", object_code=new.code
    ).exists()
    # after the deadline nothing changes any more
    stage.entry_deadline = dt.date(2020, 1, 1)
    stage.save()
    late = services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=a)
    with pytest.raises(ApplicationError) as exc:
        services.entry_withdraw(actor=world.alice, entry=late, reason="迟到")
    assert exc.value.code == "deadline_passed"


def test_substitute_with_a_worker_already_entered_is_refused_and_changes_nothing(world, comp):
    stage, trade = comp["stages"][0], comp["trade"]
    a = make_worker(world.alice, world.enterprise_a)
    b = make_worker(world.alice, world.enterprise_a)
    entry = services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=a)
    services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=b)
    with pytest.raises(ApplicationError) as exc:
        services.entry_substitute(actor=world.alice, entry=entry, worker=b, reason="因伤替换")
    assert exc.value.code == "duplicate"
    entry.refresh_from_db()
    assert entry.is_active and entry.status != Entry.Status.SUBSTITUTED
    assert Entry.objects.filter(worker=b, stage=stage, trade=trade).count() == 1


def test_other_province_cannot_enter_or_see(world, comp):
    stage, trade = comp["stages"][0], comp["trade"]
    a = make_worker(world.alice, world.enterprise_a)
    with pytest.raises(PermissionDenied):
        services.entry_register(actor=world.bob, stage=stage, trade=trade, worker=a)
    entry = services.entry_register(actor=world.alice, stage=stage, trade=trade, worker=a)
    assert not Entry.objects.visible_to(world.bob).filter(pk=entry.pk).exists()
    assert Entry.objects.visible_to(world.enterprise_officer_a).filter(pk=entry.pk).exists()


def test_worker_registers_self(world, comp):
    me = make_worker(world.alice, world.enterprise_a, user=world.worker_a)
    entry = services.entry_register(
        actor=world.worker_a, stage=comp["stages"][0], trade=comp["trade"], worker=me
    )
    assert entry.status == Entry.Status.REGISTERED


def test_theory_from_exam(world, comp, monkeypatch):
    """The theory score can come from a learning exam session (optional coupling)."""
    from decimal import Decimal

    from gongjiang.learning import selectors as learning_selectors

    me = make_worker(world.alice, world.enterprise_a, user=world.worker_a)
    entry = services.entry_register(
        actor=world.alice, stage=comp["stages"][0], trade=comp["trade"], worker=me
    )
    calls = []

    def fake(*, user, session):
        calls.append((user, session))
        return Decimal("87.50"), True, True

    monkeypatch.setattr(learning_selectors, "exam_result_for", fake)
    services.theory_from_exam(actor=world.alice, entry=entry, exam_session="S1")
    entry.refresh_from_db()
    assert entry.theory_score == Decimal("87.50") and entry.theory_source == "exam:S1"
    assert calls == [(world.worker_a, "S1")]
    monkeypatch.setattr(learning_selectors, "exam_result_for", lambda **kw: (None, False, False))
    with pytest.raises(ApplicationError):
        services.theory_from_exam(actor=world.alice, entry=entry, exam_session="S1")
