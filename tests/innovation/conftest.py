"""Fixtures of the innovation tests: a team of three workers at enterprise A (one with a login),
an HR officer and a second reviewer at enterprise A."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from gongjiang.core.actors import SYSTEM
from gongjiang.core.enterprise_models import Enterprise
from tests.factories import UserFactory, member
from tests.workforce.helpers import make_worker


@dataclass
class Team:
    employer: Enterprise
    workers: list[Any]  # workers[0] is world.worker_a's record
    hr: Any  # HR officer of enterprise A (reviews)
    employer_b: Enterprise
    worker_b: Any


@pytest.fixture
def team(world: Any) -> Team:
    employer = Enterprise.objects.get(union=world.enterprise_a)
    employer_b = Enterprise.objects.get(union=world.enterprise_b)
    workers = [
        make_worker(world.enterprise_a, 101, name="李斌", user=world.worker_a),
        make_worker(world.enterprise_a, 102, name="王芳"),
        make_worker(world.enterprise_a, 103, name="赵强"),
    ]
    worker_b = make_worker(world.enterprise_b, 104, name="钱多")
    hr = UserFactory(username="hr_a")
    member(hr, world.enterprise_a, "hr")
    return Team(employer, workers, hr, employer_b, worker_b)


def make_result(team: Team, actor: Any = None, **extra: Any) -> Any:
    from gongjiang.innovation.services import result_create

    fields: dict[str, Any] = {
        "employer": team.employer,
        "kind": "innovation",
        "title": "焊缝自动跟踪装置",
        "problem": "焊缝偏移导致返修",
        "solution": "加装激光跟踪传感器",
        "members": [
            (team.workers[0], Decimal("50")),
            (team.workers[1], Decimal("30")),
            (team.workers[2], Decimal("20")),
        ],
    }
    fields.update(extra)
    return result_create(actor=actor or SYSTEM, **fields)
