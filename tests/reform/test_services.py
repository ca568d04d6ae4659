from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.reform import selectors, services
from gongjiang.reform.models import Escalation, Notification, Plan, PlanItem
from gongjiang.reform.reminders import reform_remind

D = dt.date
pytestmark = pytest.mark.django_db


def _set(task: PlanItem, **fields: Any) -> None:
    PlanItem.objects.filter(pk=task.pk).update(**fields)
    task.refresh_from_db()


def test_progress_rolls_up_by_equal_mean(reform: Any) -> None:
    t1, t2, t3, t4 = reform.tasks
    _set(t1, percent=40)
    _set(t2, percent=100, status="done")
    _set(t3, percent=50)
    _set(t4, percent=0)
    values = selectors.rollup(list(PlanItem.objects.filter(plan=reform.national_plan)))
    m1, m2, m3 = reform.measures
    a1, a2 = reform.areas
    assert values[m1.pk] == 40
    assert values[m2.pk] == 75  # (100 + 50) / 2
    assert values[m3.pk] == 0
    assert values[a1.pk] == 40
    assert values[a2.pk] == 37.5  # mean of measures (75, 0), not of tasks
    assert values[None] == pytest.approx((40 + 37.5) / 2)
    # a sub-task makes its task the mean of its sub-tasks; an item without tasks has no value
    sub = services.plan_item_create(
        actor=reform.national_officer,
        plan=reform.national_plan,
        kind="task",
        title="子任务",
        parent=t4,
    )
    _set(sub, percent=80)
    empty = services.plan_item_create(
        actor=reform.national_officer,
        plan=reform.national_plan,
        kind="measure",
        title="空举措",
        parent=a1,
    )
    values = selectors.rollup(list(PlanItem.objects.filter(plan=reform.national_plan)))
    assert values[t4.pk] == 80 and values[empty.pk] is None and values[a1.pk] == 40


def test_overdue_is_derived_at_a_date(reform: Any) -> None:
    t2 = reform.tasks[1]  # deadline 2018-06-30, not done
    assert t2.status_on(D(2018, 6, 30)) == "not_started"
    assert t2.status_on(D(2018, 7, 1)) == "overdue"
    plan = reform.national_plan
    overdue = selectors.task_list(
        actor=reform.national_officer, plan=plan, status="overdue", on=D(2018, 7, 1)
    )
    assert {t.pk for t in overdue} == {t2.pk}
    assert not selectors.task_list(
        actor=reform.national_officer, plan=plan, status="overdue", on=D(2018, 6, 1)
    ).exists()
    not_started = selectors.task_list(
        actor=reform.national_officer, plan=plan, status="not_started", on=D(2018, 7, 1)
    )
    assert t2 not in not_started and len(not_started) == 3
    _set(t2, status="done")
    assert t2.status_on(D(2019, 1, 1)) == "done"
    assert "overdue" not in PlanItem.Status.values


def test_report_return_and_accept_workflow(reform: Any, world: Any) -> None:
    task = reform.task_a
    r = services.progress_report_submit(
        actor=reform.city_officer, task=task, period="2018-03", text="已启动", percent=30
    )
    assert r.status == "submitted"
    with pytest.raises(ApplicationError):  # the city submitted it: the province reviews it
        services.progress_report_review(actor=reform.city_officer, report=r, accept=True)
    with pytest.raises(ApplicationError):  # a return needs a comment
        services.progress_report_review(actor=world.alice, report=r, accept=False)
    services.progress_report_review(
        actor=world.alice, report=r, accept=False, comment="请补充佐证材料"
    )
    r.refresh_from_db()
    task.refresh_from_db()
    assert r.status == "returned" and task.percent == 0
    assert Notification.objects.filter(user=reform.city_officer, kind="review").exists()
    r2 = services.progress_report_submit(
        actor=reform.city_officer, task=task, period="2018-03", text="已启动，附材料", percent=35
    )
    assert r2.pk == r.pk and r2.status == "submitted"
    services.progress_report_review(actor=world.alice, report=r2, accept=True)
    task.refresh_from_db()
    assert task.percent == 35 and task.status == "in_progress"
    with pytest.raises(ConflictError):
        services.progress_report_submit(
            actor=reform.city_officer, task=task, period="2018-03", text="x", percent=40
        )
    with pytest.raises(ApplicationError):
        services.progress_report_submit(
            actor=reform.city_officer, task=task, period="2018-Q2", text="x", percent=40
        )
    r3 = services.progress_report_submit(
        actor=reform.city_officer, task=task, period="2018-06", text="完成", percent=100
    )
    services.progress_report_review(actor=world.alice, report=r3, accept=True)
    task.refresh_from_db()
    assert task.status == "done" and task.completed_on is not None
    with pytest.raises(PermissionDenied):  # bob is not the lead unit
        services.progress_report_submit(
            actor=world.bob, task=task, period="2018-07", text="x", percent=1
        )


def test_overdue_tasks_escalate_to_the_lead_units_parent(
    reform: Any, world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.alice.email = "alice@example.org"
    world.alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        counts = reform_remind(on=D(2018, 7, 10))
    esc = Escalation.objects.get(task=reform.task_a)
    assert (
        esc.organization == world.province_a
        and esc.from_unit == world.city_a
        and esc.days_overdue == 10
    )
    # the ministry's overdue task goes to the national federation
    assert Escalation.objects.get(task=reform.tasks[1]).organization == world.national
    assert Notification.objects.filter(user=world.alice, kind="escalation").count() == 1
    assert Notification.objects.filter(user=reform.city_officer, kind="overdue").count() == 1
    assert counts["escalated"] == 2
    assert any("alice@example.org" in m.to for m in mail.outbox)
    # idempotent: running again the same or the next day sends nothing new
    again = reform_remind(on=D(2018, 7, 11))
    assert again["escalated"] == 0 and Escalation.objects.count() == 2
    assert Notification.objects.filter(user=world.alice, kind="escalation").count() == 1


def test_reminders_before_deadline_and_for_missing_reports(reform: Any) -> None:
    counts = reform_remind(on=D(2018, 6, 25))
    assert counts["deadline"] >= 1
    assert Notification.objects.filter(user=reform.city_officer, kind="deadline").exists()
    missing = Notification.objects.get(user=reform.city_officer, kind="missing_report")
    assert "2018-05" in missing.title
    # a report for May stops the reminder for May
    services.progress_report_submit(
        actor=reform.city_officer, task=reform.task_a, period="2018-05", text="x", percent=10
    )
    Notification.objects.all().delete()
    reform_remind(on=D(2018, 6, 25))
    assert not Notification.objects.filter(kind="missing_report", user=reform.city_officer).exists()
    call_command("reform-remind", "--date", "2018-06-26", stdout=open("/dev/null", "w"))


def test_derived_plan_maps_each_item_to_the_parent_item(reform: Any, world: Any) -> None:
    items = PlanItem.objects.filter(plan=reform.plan_a).select_related("implements")
    areas = [i for i in items if i.kind == "area"]
    measures = [i for i in items if i.kind == "measure"]
    assert [a.implements for a in areas] == reform.areas
    assert sorted(m.implements_id for m in measures) == sorted(m.pk for m in reform.measures)
    for m in measures:
        assert m.parent.implements_id == m.implements.parent_id
    assert reform.task_a.implements == reform.tasks[1]
    assert list(reform.tasks[1].implemented_by.all()) == [reform.task_a]
    # an item may only implement an item of the plan it derives from
    with pytest.raises(ApplicationError):
        services.plan_item_create(
            actor=world.alice,
            plan=reform.plan_a,
            kind="task",
            title="x",
            parent=reform.task_a.parent,
            implements=reform.task_a,
        )


def test_scoping_province_sees_own_and_national_not_other(reform: Any, world: Any) -> None:
    alice_plans = set(Plan.objects.visible_to(world.alice))
    assert alice_plans == {reform.plan_a, reform.national_plan}
    assert reform.plan_b not in alice_plans
    assert set(Plan.objects.visible_to(world.bob)) == {reform.plan_b, reform.national_plan}
    # the city sees the province's plan (it leads a task) and the national plan above it
    assert set(Plan.objects.visible_to(reform.city_officer)) == {
        reform.plan_a,
        reform.national_plan,
    }
    assert not Plan.objects.visible_to(world.nobody).exists()
    # read-only for the province
    assert not selectors.may_change_plan(world.alice, reform.national_plan)
    assert selectors.may_change_plan(world.alice, reform.plan_a)
    with pytest.raises(PermissionDenied):
        services.plan_item_create(
            actor=world.alice, plan=reform.national_plan, kind="area", title="x"
        )
    # a ministry sees the plans it has tasks in
    from tests.factories import UserFactory, member

    hr = UserFactory(username="hr_officer")
    member(hr, reform.ministry, "officer")
    assert set(Plan.objects.visible_to(hr)) == {reform.national_plan}
    assert services.may_report(hr, reform.tasks[1]) and not services.may_report(hr, reform.tasks[2])


def test_rollout_counts_at_a_date(reform: Any, world: Any, milestone_types: Any) -> None:
    from gongjiang.reform.rollout import rollout_overview, rollout_record

    lg, issued, _revising = milestone_types
    rollout_record(
        actor=world.alice,
        organization=world.province_a,
        milestone_type=lg,
        reached_on=D(2018, 3, 1),
    )
    rollout_record(
        actor=world.bob, organization=world.province_b, milestone_type=lg, reached_on=D(2018, 9, 1)
    )
    rollout_record(
        actor=world.alice,
        organization=world.province_a,
        milestone_type=issued,
        reached_on=D(2018, 5, 1),
    )
    with pytest.raises(PermissionDenied):
        rollout_record(
            actor=world.alice,
            organization=world.province_b,
            milestone_type=issued,
            reached_on=D(2018, 5, 1),
        )
    ov = rollout_overview(actor=reform.national_officer, parent=world.national, on=D(2018, 6, 30))
    assert ov.total == 2  # the two provinces; departments are not counted
    assert [c.count for c in ov.columns] == [1, 1, 0]
    assert ov.columns[0].missing == [world.province_b]
    later = rollout_overview(
        actor=reform.national_officer, parent=world.national, on=D(2018, 12, 31)
    )
    assert [c.count for c in later.columns] == [2, 1, 0]
    early = rollout_overview(actor=reform.national_officer, parent=world.national, on=D(2018, 1, 1))
    assert [c.count for c in early.columns] == [0, 0, 0]
    # a province sees only itself in the national overview
    own = rollout_overview(actor=world.alice, parent=world.national, on=D(2018, 12, 31))
    assert own.units == [world.province_a]


def test_item_update_keeps_the_accepted_percent(reform: Any, world: Any) -> None:
    task = reform.task_a  # a stale copy: percent 0
    r = services.progress_report_submit(
        actor=reform.city_officer, task=task, period="2018-04", text="x", percent=30
    )
    services.progress_report_review(actor=world.alice, report=r, accept=True)
    services.plan_item_update(actor=world.alice, item=task, status="at_risk")
    task.refresh_from_db()
    assert task.status == "at_risk" and task.percent == 30
