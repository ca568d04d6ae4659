"""Fixtures of the careers tests: an HR officer in each province's enterprise and a few workers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from gongjiang.core.actors import SYSTEM
from gongjiang.workforce.models import SkillLevelChange

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker
from .experts_helpers import exp  # noqa: F401  (the expert-selection fixture)
from .honours_helpers import hon  # noqa: F401  (the honours fixture)


@dataclass
class Careers:
    hr_a: Any
    hr_a2: Any
    hr_b: Any
    welder: Any  # worker_a's record: a technician on the production line since 2020-03-01
    engineer: Any
    worker_b: Any


def set_history(worker: Any, steps: list[tuple[dt.date, str | None]]) -> None:
    """Replace the worker's skill history by ``steps`` (date, level) in the order given."""
    SkillLevelChange.objects.filter(worker=worker).delete()
    previous = None
    for date, level in steps:
        SkillLevelChange.objects.create(
            worker=worker, from_level_id=previous, to_level_id=level, date=date, source="test"
        )
        previous = level
    worker.skill_level_id = previous
    worker.save(update_fields=["skill_level"])


@pytest.fixture
def careers(world: Any) -> Careers:
    hr_a = UserFactory(username="hr_a")
    hr_a2 = UserFactory(username="hr_a2")
    hr_b = UserFactory(username="hr_b")
    member(hr_a, world.enterprise_a, "hr")
    member(hr_a2, world.enterprise_a, "hr")
    member(hr_b, world.enterprise_b, "hr")
    welder = make_worker(
        world.enterprise_a,
        1,
        occupation="6-18-01-01",
        user=world.worker_a,
        hire_date=dt.date(2015, 3, 1),
    )
    set_history(welder, [(dt.date(2015, 3, 1), "SENIOR"), (dt.date(2020, 3, 1), "TECHNICIAN")])
    engineer = make_worker(world.enterprise_a, 2, occupation="2-02-07-01")
    worker_b = make_worker(world.enterprise_b, 3, occupation="6-18-01-01")
    set_history(worker_b, [(dt.date(2010, 1, 1), "SENIOR_TECHNICIAN")])
    return Careers(hr_a, hr_a2, hr_b, welder, engineer, worker_b)


__all__ = ["SYSTEM", "Careers", "set_history"]
