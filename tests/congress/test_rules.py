"""Each composition rule of 《企业民主管理规定》 at its boundary, and the per-organisation settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.congress import rules as R
from gongjiang.congress import services
from gongjiang.congress.models import CongressRules, Term
from gongjiang.core.errors import ApplicationError

from .conftest import make_workers, seat_all

DEFAULT = CongressRules()


def counts(**kw: int) -> R.Counts:
    base = dict(
        workforce=1000,
        workforce_women=0,
        workforce_dispatched=0,
        delegates=50,
        management=0,
        women=0,
        dispatched=0,
    )
    base.update(kw)
    return R.Counts(**base)


def check(key: str, c: R.Counts, rules: CongressRules = DEFAULT) -> R.Check:
    return next(x for x in R.composition_checks(c, rules) if x.key == key)


@pytest.mark.parametrize(
    "workforce,need",
    [
        (40, 30),  # small: at least 30
        (600, 30),  # 5 % = 30 exactly
        (601, 31),  # 5 % = 30.05 → 31
        (1000, 50),
        (2000, 100),  # 5 % = 100: the negotiable part starts above
        (2020, 100),  # 5 % = 101 → the floor stays at 100, the rest is agreed
        (20, 20),  # never more than the workforce
    ],
)
def test_required_delegates_boundaries(workforce: int, need: int) -> None:
    assert R.required_delegates(workforce, DEFAULT) == need
    assert check("delegates", counts(workforce=workforce, delegates=need)).ok
    assert not check("delegates", counts(workforce=workforce, delegates=need - 1)).ok


def test_management_at_most_twenty_percent() -> None:
    assert check("management", counts(delegates=30, management=6)).ok  # 20 % exactly
    refused = check("management", counts(delegates=30, management=7))
    assert not refused.ok and "6" in refused.required
    assert check("management", counts(delegates=31, management=6)).ok


def test_women_and_dispatched_in_proportion() -> None:
    # default floor 0: at least one when the enterprise has such workers, none otherwise
    assert not check("women", counts(workforce_women=300, women=0)).ok
    assert check("women", counts(workforce_women=300, women=1)).ok
    assert check("women", counts(workforce_women=0, women=0)).ok
    assert not check("dispatched", counts(workforce_dispatched=1, dispatched=0)).ok
    # floor 1: in proportion — 30 % women of 1000 workers, 50 delegates → 15
    strict = CongressRules(proportion_floor=Decimal("1"))
    assert check("women", counts(workforce_women=300, women=15), strict).ok
    assert not check("women", counts(workforce_women=300, women=14), strict).ok
    # 301 of 1000 → 15.05 → 16
    assert not check("women", counts(workforce_women=301, women=15), strict).ok


def test_quorum_and_majority_boundaries() -> None:
    assert R.quorate(20, 30, DEFAULT) and not R.quorate(19, 30, DEFAULT)
    assert R.quorate(21, 31, DEFAULT) and not R.quorate(20, 31, DEFAULT)
    # more than half of ALL delegates, not of those present
    assert R.passed(16, 20, 30, DEFAULT) and not R.passed(15, 20, 30, DEFAULT)
    assert not R.passed(16, 19, 30, DEFAULT)  # not quorate
    assert not R.quorate(0, 0, DEFAULT)


def test_rules_are_settings_inherited_down_the_tree(world: Any) -> None:
    assert R.rules_for(world.enterprise_a).min_delegates == 30
    services.rules_update(actor=world.alice, organization=world.province_a, min_delegates=40)
    assert R.rules_for(world.enterprise_a).min_delegates == 40
    assert R.rules_for(world.enterprise_b).min_delegates == 30
    services.rules_update(
        actor=world.enterprise_officer_a, organization=world.enterprise_a, min_delegates=35
    )
    assert R.rules_for(world.enterprise_a).min_delegates == 35
    with pytest.raises(PermissionDenied):
        services.rules_update(actor=world.bob, organization=world.enterprise_a, min_delegates=3)
    with pytest.raises(ValidationError):
        services.rules_update(
            actor=world.alice,
            organization=world.province_a,
            quorum_numerator=4,
            quorum_denominator=3,
        )


def test_finalise_refuses_with_the_numbers_then_accepts(world: Any) -> None:
    import datetime as dt

    from gongjiang.core.models import AuditEvent

    union = world.enterprise_a
    workers = make_workers(union, 700, women=100, dispatched=10)
    term = services.term_create(
        actor=world.enterprise_officer_a,
        organization=union,
        number=2,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2029, 12, 31),
    )
    group = services.delegation_create(actor=world.enterprise_officer_a, term=term, name="一车间")
    # 700 workers → 35 delegates needed; 34 men, 8 of them managers
    seat_all(term, group, workers[100:126]) + seat_all(term, group, workers[200:208], "management")
    with pytest.raises(ApplicationError) as exc:
        services.term_finalise(actor=world.enterprise_officer_a, term=term)
    broken = {d["field"]: d["error"] for d in exc.value.details}
    assert set(broken) == {"delegates", "management", "women", "dispatched"}
    assert "34" in broken["delegates"] and "35" in broken["delegates"]
    assert "8" in broken["management"] and "6" in broken["management"]
    assert AuditEvent.objects.filter(action="congress.term_finalise.refused").count() == 1
    term.refresh_from_db()
    assert term.status == Term.Status.FORMING
    # fix it: one woman, one dispatched worker, two fewer managers and enough seats
    seat_all(term, group, workers[:1] + workers[-1:] + workers[130:131])
    from gongjiang.congress.models import Delegate

    for d in Delegate.objects.filter(term=term, category="management").order_by("id")[:2]:
        d.category = "technical"
        d.save()
    services.term_finalise(actor=world.enterprise_officer_a, term=term)
    term.refresh_from_db()
    assert term.status == Term.Status.ACTIVE and term.workforce_at_final == 700


def test_assembly_only_below_the_threshold(world: Any) -> None:
    import datetime as dt

    make_workers(world.enterprise_b, 99)
    term = services.term_create(
        actor=world.bob,
        organization=world.enterprise_b,
        number=1,
        kind="assembly",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2029, 1, 1),
    )
    assert term.kind == "assembly"
    make_workers(world.enterprise_b, 1)
    with pytest.raises(ApplicationError) as exc:
        services.term_create(
            actor=world.bob,
            organization=world.enterprise_b,
            number=2,
            kind="assembly",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2029, 1, 1),
        )
    assert exc.value.code == "assembly_too_large"


def test_term_lasts_three_to_five_years(world: Any) -> None:
    import datetime as dt

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.term_create(
            actor=world.bob,
            organization=world.enterprise_b,
            number=1,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2028, 6, 1),
        )
    with pytest.raises(ValidationError):
        services.term_create(
            actor=world.bob,
            organization=world.enterprise_b,
            number=1,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2031, 6, 1),
        )
