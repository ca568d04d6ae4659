"""Fixtures of the apprenticeship tests: enterprise A a pilot (designated by alice, province A's
officer), an institution registered by province A, a welders' cohort (target 高级工), an HR officer
of enterprise A, an enterprise mentor (a technician with a login) and two workers to train —
worker_a's own record and a second one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from gongjiang.careers import apprenticeship as svc

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker

WELDER = "6-18-02-04"  # 焊工
START = dt.date(2025, 3, 1)
END = dt.date(2027, 2, 28)  # 24 months


@dataclass
class Appr:
    pilot: Any
    institution: Any
    cohort: Any
    hr: Any  # HR of enterprise A
    mentor: Any  # a technician of enterprise A
    mentor_user: Any
    teacher: Any  # the institution teacher's login
    me: Any  # worker_a's record
    other: Any


def trainee(organization: Any, n: int, **extra: Any) -> Any:
    fields = {"occupation": WELDER, "skill_level": "INTERMEDIATE", "hire_date": dt.date(2024, 9, 1)}
    fields.update(extra)
    return make_worker(organization, n, **fields)


@pytest.fixture
def appr(world: Any) -> Appr:
    hr = UserFactory(username="hr_appr")
    member(hr, world.enterprise_a, "hr")
    mentor_user = UserFactory(username="mentor_a")
    member(mentor_user, world.enterprise_a, "worker")
    teacher = UserFactory(username="teacher_a")
    member(teacher, world.province_a, "trainer")
    pilot = svc.apprentice_pilot_create(
        actor=world.alice,
        organization=world.enterprise_a,
        since=dt.date(2024, 1, 1),
        designated_by="江苏省人力资源和社会保障厅",
    )
    institution = svc.training_institution_create(
        actor=world.alice, organization=world.province_a, name="江苏省技师学院", kind="technical"
    )
    cohort = svc.apprentice_cohort_create(
        actor=hr,
        pilot=pilot,
        institution=institution,
        name="2025级焊工学徒班",
        occupation=WELDER,
        level="SENIOR",
        year=2025,
    )
    mentor = trainee(world.enterprise_a, 31, skill_level="TECHNICIAN", user=mentor_user)
    me = trainee(world.enterprise_a, 32, user=world.worker_a)
    other = trainee(world.enterprise_a, 33)
    return Appr(pilot, institution, cohort, hr, mentor, mentor_user, teacher, me, other)


def enrol(appr: Appr, worker: Any, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "actor": appr.hr,
        "cohort": appr.cohort,
        "worker": worker,
        "origin": "new_hire",
        "signed_on": START,
        "contract_months": 36,
        "starts_on": START,
        "ends_on": END,
        "mentor": appr.mentor,
        "teacher_name": "王老师",
        "teacher": appr.teacher,
    }
    fields.update(extra)
    return svc.apprentice_enrol(**fields)
