from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.core.demo import load_core_demo
from gongjiang.core.models import Organization
from gongjiang.reform import demo
from gongjiang.reform.models import Inspection, Plan, PlanItem, Rectification
from gongjiang.reform.rollout import rollout_overview

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_and_reproduces_the_rollout_figures() -> None:
    ctx = load_core_demo()
    demo.load(ctx, io.StringIO())
    ctx = load_core_demo()
    demo.load(ctx, io.StringIO())  # idempotent
    national = Plan.objects.get(title=demo.NATIONAL_TITLE)
    assert PlanItem.objects.filter(plan=national, kind="area").count() == 5
    assert PlanItem.objects.filter(plan=national, kind="measure").count() == 25
    tasks = PlanItem.objects.filter(plan=national, kind="task")
    # the national ledger is this year's, with a realistic mix of states on today's date
    today = timezone.localdate()
    assert tasks.filter(year=today.year).count() == tasks.count() >= 15
    national_states = [t.status_on(today) for t in tasks]
    assert {"done", "in_progress", "at_risk", "overdue"} <= set(national_states)
    assert national_states.count("overdue") < len(national_states) / 4  # not every task late
    assert national_states.count("done") >= 3 and national_states.count("in_progress") >= 3
    assert Organization.objects.filter(parent=ctx.national, kind="department").count() >= 10
    assert Organization.objects.filter(parent=ctx.national, kind="provincial").count() == 31
    ov = rollout_overview(actor=ctx.users["sysadmin"], parent=ctx.national, on=timezone.localdate())
    counts = {c.milestone_type.code: c.count for c in ov.columns}
    assert ov.total == 31
    assert (
        counts["leading-group"] == 18
        and counts["plan-issued"] == 18
        and counts["plan-revising"] == 14
    )
    provincial = Plan.objects.get(organization=ctx.province)
    assert provincial.parent == national
    today = timezone.localdate()
    states = {t.status_on(today) for t in PlanItem.objects.filter(plan=provincial, kind="task")}
    assert states == {"not_started", "in_progress", "done", "at_risk", "overdue"}
    assert all(
        i.implements_id
        for i in PlanItem.objects.filter(plan=provincial, kind__in=["area", "measure"])
    )
    assert Inspection.objects.count() == 1
    assert set(Rectification.objects.values_list("status", flat=True)) == {
        "open",
        "submitted",
        "closed",
    }
    # the province sees its own plan and the national plan, not Zhejiang's scope
    zj_plan = Plan.objects.get(organization=ctx.other_province)
    assert set(Plan.objects.visible_to(ctx.users["zj_officer"])) == {national, zj_plan}
    assert set(Plan.objects.visible_to(ctx.users["js_officer"])) == {national, provincial}


def test_demo_is_fast_enough(django_assert_max_num_queries: Any) -> None:
    ctx = load_core_demo()
    with django_assert_max_num_queries(3000):
        demo.load(ctx, io.StringIO())
