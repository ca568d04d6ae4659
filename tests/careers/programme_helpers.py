"""Fixtures of the worker-programme tests: a 求学圆梦 degree programme of province A with places for
city A, an eligible migrant worker (worker_a's own record) and a second one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from gongjiang.careers import programmes as svc

from ..workforce.helpers import make_worker


@dataclass
class Prog:
    programme: Any
    partner: Any
    me: Any  # worker_a's record: a migrant worker, union member, upper-secondary school
    other: Any  # a second eligible worker of enterprise A


def eligible_worker(organization: Any, n: int, **extra: Any) -> Any:
    fields = {
        "employment_type": "migrant",
        "education": "高中",
        "union_member_since": dt.date(2018, 5, 1),
        "hire_date": dt.date(2016, 3, 1),
    }
    fields.update(extra)
    return make_worker(organization, n, **fields)


def make_programme(world: Any, *, places: int = 10, budget: str = "30000.00", **extra: Any) -> Any:
    fields = {
        "title": "2026年求学圆梦行动",
        "kind": "degree",
        "degree": "大专",
        "year": 2026,
        "budget": budget,
    }
    fields.update(extra)
    p = svc.programme_create(actor=world.alice, organization=world.province_a, **fields)
    svc.programme_places_set(
        actor=world.alice, programme=p, organization=world.city_a, places=places
    )
    return p


@pytest.fixture
def prog(world: Any) -> Prog:
    p = make_programme(world)
    partner = svc.programme_partner_add(
        actor=world.alice,
        programme=p,
        name="江苏开放大学",
        kind="open_university",
        courses="机电一体化",
    )
    me = eligible_worker(world.enterprise_a, 11, user=world.worker_a)
    other = eligible_worker(world.enterprise_a, 12)
    return Prog(p, partner, me, other)


def run_to_enrolled(world: Any, prog: Prog, worker: Any, *, filer: Any = None) -> Any:
    """An application filed by ``filer`` (the enterprise's officer), selected by alice, enrolled."""
    a = svc.programme_apply(
        actor=filer or world.enterprise_officer_a,
        programme=prog.programme,
        worker=worker,
        partner=prog.partner,
        course="机电一体化",
    )
    a = svc.programme_select(actor=world.alice, application=a, selected=True)
    return svc.programme_enrol(actor=world.alice, application=a, enrolled_on=dt.date(2026, 3, 1))
