"""Reform fixtures: a national plan (2 areas, 3 measures, 4 tasks) led by two ministries, and a
plan for province A derived from it, with a task led by city A."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from gongjiang.core.models import Organization
from gongjiang.reform import services
from gongjiang.reform.models import MilestoneType, Plan, PlanItem

from ..factories import OrganizationFactory, UserFactory, member

D = dt.date


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Evidence files and bulletins go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Reform:
    ministry: Organization
    ministry2: Organization
    national_plan: Plan
    areas: list[PlanItem]
    measures: list[PlanItem]
    tasks: list[PlanItem]
    plan_a: Plan
    task_a: PlanItem
    plan_b: Plan
    national_officer: Any
    city_officer: Any


@pytest.fixture
def reform(world: Any) -> Reform:
    root = world.root
    ministry = OrganizationFactory(
        parent=world.national, name="人力资源社会保障部", kind="department", region="110000"
    )
    ministry2 = OrganizationFactory(
        parent=world.national, name="教育部", kind="department", region="110000"
    )
    national_officer = UserFactory(username="acftu_officer")
    member(national_officer, world.national, "officer")
    city_officer = UserFactory(username="nanjing_officer")
    member(city_officer, world.city_a, "officer")
    plan = services.plan_create(
        actor=root, organization=world.national, title="新时期产业工人队伍建设改革方案"
    )
    a1 = services.plan_item_create(actor=root, plan=plan, kind="area", title="思想政治引领")
    a2 = services.plan_item_create(
        actor=root, plan=plan, kind="area", title="构建产业工人技能形成体系"
    )
    m1 = services.plan_item_create(
        actor=root, plan=plan, kind="measure", title="加强思想政治引领", parent=a1
    )
    m2 = services.plan_item_create(
        actor=root, plan=plan, kind="measure", title="完善职业教育和培训体系", parent=a2
    )
    m3 = services.plan_item_create(
        actor=root, plan=plan, kind="measure", title="健全技能评价体系", parent=a2
    )
    t1 = services.plan_item_create(
        actor=root,
        plan=plan,
        kind="task",
        title="开展理想信念教育",
        parent=m1,
        lead_unit=world.national,
        deadline=D(2018, 12, 31),
        start=D(2018, 1, 1),
    )
    t2 = services.plan_item_create(
        actor=root,
        plan=plan,
        kind="task",
        title="推行企业新型学徒制",
        parent=m2,
        lead_unit=ministry,
        cooperating_units=[ministry2],
        deadline=D(2018, 6, 30),
        start=D(2018, 1, 1),
    )
    t3 = services.plan_item_create(
        actor=root,
        plan=plan,
        kind="task",
        title="深化产教融合",
        parent=m2,
        lead_unit=ministry2,
        deadline=D(2018, 12, 31),
        start=D(2018, 1, 1),
    )
    t4 = services.plan_item_create(
        actor=root,
        plan=plan,
        kind="task",
        title="推行职业技能等级认定",
        parent=m3,
        lead_unit=ministry,
        deadline=D(2018, 9, 30),
        start=D(2018, 1, 1),
    )
    plan_a = services.plan_derive(
        actor=root, parent=plan, organization=world.province_a, title="江苏省实施方案"
    )
    measure_a = PlanItem.objects.get(plan=plan_a, implements=m2)
    task_a = services.plan_item_create(
        actor=root,
        plan=plan_a,
        kind="task",
        title="南京市推行学徒制",
        parent=measure_a,
        lead_unit=world.city_a,
        deadline=D(2018, 6, 30),
        start=D(2018, 1, 1),
        implements=t2,
        report_cycle="monthly",
    )
    plan_b = services.plan_derive(
        actor=root, parent=plan, organization=world.province_b, title="浙江省实施方案"
    )
    return Reform(
        ministry,
        ministry2,
        plan,
        [a1, a2],
        [m1, m2, m3],
        [t1, t2, t3, t4],
        plan_a,
        task_a,
        plan_b,
        national_officer,
        city_officer,
    )


@pytest.fixture
def milestone_types(db: Any) -> list[MilestoneType]:
    return [
        MilestoneType.objects.create(code="leading-group", name="成立领导小组", position=1),
        MilestoneType.objects.create(code="plan-issued", name="出台实施方案", position=2),
        MilestoneType.objects.create(code="plan-revising", name="方案修订中", position=3),
    ]
