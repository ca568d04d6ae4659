"""Every endpoint answers anonymous → 401, out of scope → 404, in scope → ok (tests/access_helpers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongjiang.reform import services
from gongjiang.reform.models import PlanItem, ProgressReport
from gongjiang.reform.supervision import services as supervision

from ..access_helpers import check_access

D = dt.date
pytestmark = pytest.mark.django_db


def test_plan_endpoints(client: Any, reform: Any, world: Any) -> None:
    r = check_access(client, url="/api/v1/reform/plans", in_scope=world.alice, out_of_scope=None)
    assert {p["title"] for p in r.json()} == {"新时期产业工人队伍建设改革方案", "江苏省实施方案"}
    # the province reads its own plan and the national plan, never the other province's
    check_access(
        client,
        url=f"/api/v1/reform/plans/{reform.plan_a.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/plans/{reform.national_plan.code}?on=2018-07-01",
        in_scope=world.alice,
        out_of_scope=world.nobody,
    )
    body = r.json()
    assert body["plan"]["can_change"] is False
    assert [i["number"] for i in body["items"][:3]] == ["一、", "（一）", "1"]
    assert {i["status_on_date"] for i in body["items"] if i["kind"] == "task"} >= {"overdue"}
    client.force_login(world.alice)
    assert client.get(f"/api/v1/reform/plans/{reform.plan_b.code}").status_code == 404
    r = check_access(
        client,
        url="/api/v1/reform/plans",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"organization": world.city_a.code, "title": "南京市实施方案"},
    )
    assert r.json()["organization"]["name"] == "南京市总工会"
    check_access(
        client,
        url=f"/api/v1/reform/plans/{reform.national_plan.code}/derive",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.nobody,
        data={"organization": world.city_a.code, "title": "南京市落实方案"},
    )
    measure = PlanItem.objects.get(plan=reform.plan_a, implements=reform.measures[1])
    r = check_access(
        client,
        url=f"/api/v1/reform/plans/{reform.plan_a.code}/items",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={
            "kind": "task",
            "title": "苏州市推行学徒制",
            "parent": measure.code,
            "lead_unit": world.city_a.code,
            "deadline": "2018-10-31",
            "implements": reform.tasks[1].code,
            "tags": ["学徒制"],
        },
    )
    assert r.json()["year"] == 2018 and r.json()["implements"] == reform.tasks[1].code
    code = r.json()["code"]
    check_access(
        client, url=f"/api/v1/reform/items/{code}", in_scope=world.alice, out_of_scope=world.bob
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/items/{code}",
        method="patch",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"status": "at_risk", "remarks": "资金未到位"},
    )
    assert r.json()["status"] == "at_risk"
    client.force_login(world.alice)  # read-only on the national plan: 403
    r = client.patch(
        f"/api/v1/reform/items/{reform.tasks[0].code}",
        data={"title": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/reform/plans/{reform.plan_a.code}/items",
        data={"kind": "task", "title": "x", "bogus": 1},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_task_and_report_endpoints(client: Any, reform: Any, world: Any) -> None:
    task = reform.task_a
    r = check_access(
        client,
        url=f"/api/v1/reform/tasks?plan={reform.plan_a.code}&status=overdue&on=2018-07-01",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert [t["code"] for t in r.json()["items"]] == [task.code]
    r = check_access(
        client,
        url=f"/api/v1/reform/responsibility/{world.city_a.code}?year=2018",
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
    )
    assert [t["title"] for t in r.json()] == ["南京市推行学徒制"]
    r = check_access(
        client,
        url=f"/api/v1/reform/tasks/{task.code}/reports",
        method="post",
        ok=201,
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
        data={"period": "2018-03", "text": "已完成摸底", "percent": 30},
    )
    code = r.json()["code"]
    check_access(
        client,
        url=f"/api/v1/reform/tasks/{task.code}/reports",
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
    )
    r = check_access(
        client, url="/api/v1/reform/reports/pending", in_scope=world.alice, out_of_scope=None
    )
    assert [x["code"] for x in r.json()] == [code]
    client.force_login(world.bob)
    assert client.get("/api/v1/reform/reports/pending").json() == []
    r = check_access(
        client,
        url=f"/api/v1/reform/reports/{code}/return",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"comment": "请补充数据"},
    )
    assert r.json()["status"] == "returned"
    services.progress_report_submit(
        actor=reform.city_officer, task=task, period="2018-03", text="补充", percent=40
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/reports/{code}/accept",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={},
    )
    assert r.json()["status"] == "accepted"
    assert ProgressReport.objects.get(code=code).task.percent == 40
    r = check_access(
        client, url="/api/v1/reform/notifications", in_scope=reform.city_officer, out_of_scope=None
    )
    n = r.json()[0]["code"]
    check_access(
        client,
        url=f"/api/v1/reform/notifications/{n}/read",
        method="post",
        in_scope=reform.city_officer,
        out_of_scope=world.alice,
    )


def test_supervision_endpoints(client: Any, reform: Any, world: Any) -> None:
    inspector = reform.national_officer
    r = check_access(
        client,
        url="/api/v1/reform/inspections",
        method="post",
        ok=201,
        in_scope=inspector,
        out_of_scope=world.bob,
        data={
            "organization": world.national.code,
            "title": "2018年产改督查",
            "start": "2018-09-10",
            "end": "2018-09-14",
            "visited": [world.province_a.code],
            "team": ["acftu_officer"],
            "scope": "改革任务落实",
        },
    )
    code = r.json()["code"]
    check_access(client, url="/api/v1/reform/inspections", in_scope=world.alice, out_of_scope=None)
    check_access(
        client,
        url=f"/api/v1/reform/inspections/{code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/inspections/{code}/findings",
        method="post",
        ok=201,
        in_scope=inspector,
        out_of_scope=world.bob,
        data={
            "organization": world.province_a.code,
            "text": "学徒制推进较慢",
            "task": reform.task_a.code,
        },
    )
    finding = r.json()["code"]
    r = check_access(
        client,
        url=f"/api/v1/reform/findings/{finding}/rectifications",
        method="post",
        ok=201,
        in_scope=inspector,
        out_of_scope=world.bob,
        data={"title": "制定学徒制推进计划", "deadline": "2018-11-30"},
    )
    rect = r.json()["code"]
    check_access(
        client, url="/api/v1/reform/rectifications", in_scope=world.alice, out_of_scope=None
    )
    check_access(
        client,
        url=f"/api/v1/reform/rectifications/{rect}/submit",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"response": "已出台推进计划"},
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/rectifications/{rect}/close",
        method="post",
        in_scope=inspector,
        out_of_scope=world.bob,
        data={"accept": True, "comment": "同意销号"},
    )
    assert r.json()["status"] == "closed"
    r = check_access(
        client,
        url="/api/v1/reform/notices",
        method="post",
        ok=201,
        in_scope=inspector,
        out_of_scope=world.bob,
        data={
            "organization": world.national.code,
            "target": world.province_a.code,
            "title": "督办学徒制",
            "body": "请于期限内报送进展",
            "reply_deadline": "2018-10-15",
            "task": reform.task_a.code,
        },
    )
    notice = r.json()["code"]
    check_access(client, url="/api/v1/reform/notices", in_scope=world.alice, out_of_scope=None)
    check_access(
        client, url=f"/api/v1/reform/notices/{notice}", in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(
        client,
        url=f"/api/v1/reform/notices/{notice}/reply",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"reply": "已报送"},
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/notices/{notice}/close",
        method="post",
        in_scope=inspector,
        out_of_scope=world.bob,
    )
    assert r.json()["status"] == "closed"
    r = check_access(
        client,
        url=f"/api/v1/reform/inspections/{code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["findings"][0]["rectifications"][0]["status"] == "closed"


def test_rollout_and_escalation_endpoints(
    client: Any, reform: Any, world: Any, milestone_types: Any
) -> None:
    check_access(
        client, url="/api/v1/reform/milestone-types", in_scope=world.alice, out_of_scope=None
    )
    check_access(
        client,
        url=f"/api/v1/reform/rollout/{world.province_a.code}",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={
            "milestone": "leading-group",
            "reached_on": "2018-03-01",
            "document": "苏工发〔2018〕5号",
        },
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/rollout/{world.national.code}?on=2018-06-30",
        in_scope=reform.national_officer,
        out_of_scope=world.nobody,
    )
    cols = r.json()["columns"]
    assert (
        cols[0]["reached"] == 1
        and cols[0]["total"] == 2
        and cols[0]["missing"][0]["name"] == "浙江省总工会"
    )
    from gongjiang.reform.reminders import reform_remind

    reform_remind(on=D(2018, 7, 5))
    r = check_access(
        client, url="/api/v1/reform/escalations", in_scope=world.alice, out_of_scope=None
    )
    assert [e["task_title"] for e in r.json()] == ["南京市推行学徒制"]
    client.force_login(world.bob)
    assert client.get("/api/v1/reform/escalations").json() == []
    supervision  # noqa: B018
