"""Every page: anonymous → login redirect, out of scope → 404, in scope → 200 (or the redirect after a POST)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.reform import services
from gongjiang.reform.models import (
    Attachment,
    PlanItem,
    ProgressReport,
    Rectification,
    RolloutMilestone,
)
from gongjiang.reform.supervision import services as supervision

from ..access_helpers import check_access
from ..download_helpers import download_name

D = dt.date
pytestmark = pytest.mark.django_db


def test_plan_pages(client: Any, reform: Any, world: Any) -> None:
    r = check_access(client, url="/reform/", in_scope=world.alice, out_of_scope=None)
    assert "江苏省实施方案" in r.content.decode() and "浙江省实施方案" not in r.content.decode()
    client.force_login(world.nobody)
    assert client.get("/reform/").status_code == 403
    r = check_access(
        client,
        url=f"/reform/plans/{reform.plan_a.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert "南京市推行学徒制" in r.content.decode()
    r = check_access(
        client,
        url=f"/reform/plans/{reform.national_plan.code}/?on=2018-07-01",
        in_scope=world.alice,
        out_of_scope=world.nobody,
    )
    assert "一、" in r.content.decode()
    check_access(client, url="/reform/plans/new/", in_scope=world.alice, out_of_scope=None)
    r = check_access(
        client,
        url="/reform/plans/new/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=None,
        data={"organization": world.city_a.code, "title": "南京市方案"},
    )
    check_access(
        client,
        url=f"/reform/plans/{reform.national_plan.code}/derive/",
        in_scope=world.alice,
        out_of_scope=world.nobody,
    )
    check_access(
        client,
        url=f"/reform/plans/{reform.national_plan.code}/derive/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.nobody,
        data={"organization": world.province_a.code, "title": "江苏省第二方案"},
    )
    measure = PlanItem.objects.get(plan=reform.plan_a, implements=reform.measures[1])
    url = f"/reform/plans/{reform.plan_a.code}/items/new/?parent={measure.code}"
    check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    check_access(
        client,
        url=url,
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={
            "kind": "task",
            "title": "苏州市学徒制",
            "status": "not_started",
            "report_cycle": "monthly",
            "lead_unit": world.city_a.code,
            "deadline": "2018-12-31",
            "tags": "学徒制，技能",
            "implements": reform.tasks[1].code,
        },
    )
    created = PlanItem.objects.get(title="苏州市学徒制")
    assert (
        created.tags == ["学徒制", "技能"]
        and created.implements == reform.tasks[1]
        and created.year == 2018
    )
    check_access(
        client,
        url=f"/reform/items/{created.code}/edit/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/reform/items/{created.code}/edit/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={
            "title": "苏州市推行学徒制",
            "status": "at_risk",
            "report_cycle": "monthly",
            "tags": "",
        },
    )
    created.refresh_from_db()
    assert created.status == "at_risk" and created.title == "苏州市推行学徒制"
    client.force_login(world.alice)  # the national plan is read-only for the province
    assert client.get(f"/reform/items/{reform.tasks[0].code}/edit/").status_code == 403


def test_task_pages_and_reports(client: Any, reform: Any, world: Any) -> None:
    task = reform.task_a
    check_access(
        client,
        url=f"/reform/tasks/{task.code}/",
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/reform/tasks/{task.code}/",
        method="post",
        ok=302,
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
        data={"period": "2018-04", "percent": 20, "text": "推进中"},
    )
    client.force_login(reform.city_officer)
    r = client.post(
        f"/reform/tasks/{task.code}/",
        {
            "period": "2018-05",
            "percent": 25,
            "text": "推进中",
            "evidence": SimpleUploadedFile("会议纪要.txt", "纪要".encode()),
        },
    )
    assert r.status_code == 302
    assert ProgressReport.objects.get(task=task, period="2018-05").attachments.count() == 1
    report = ProgressReport.objects.get(task=task, period="2018-04")
    check_access(client, url="/reform/tasks/", in_scope=world.alice, out_of_scope=None)
    r = check_access(client, url="/reform/reviews/", in_scope=world.alice, out_of_scope=None)
    assert report.code in r.content.decode()
    check_access(
        client,
        url=f"/reform/reports/{report.code}/review/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"decision": "return", "comment": "补充材料"},
    )
    report.refresh_from_db()
    assert report.status == "returned"
    check_access(
        client,
        url=f"/reform/tasks/{task.code}/evidence/",
        method="post",
        ok=302,
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
        data={},
    )
    client.force_login(reform.city_officer)
    client.post(
        f"/reform/tasks/{task.code}/evidence/", {"file": SimpleUploadedFile("照片.txt", b"x")}
    )
    att = Attachment.objects.filter(task=task, report__isnull=True).first()
    assert att is not None
    check_access(
        client,
        url=f"/reform/evidence/{att.code}/",
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/reform/tasks/{task.code}/milestones/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"title": "出台细则", "due": "2018-05-01"},
    )
    assert task.milestones.count() == 1
    r = check_access(
        client,
        url=f"/reform/units/{world.city_a.code}/responsibility/?year=2018",
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
    )
    assert "南京市推行学徒制" in r.content.decode()
    r = check_access(
        client, url="/reform/notifications/", in_scope=reform.city_officer, out_of_scope=None
    )
    n = reform.city_officer.reform_notifications.first()
    check_access(
        client,
        url=f"/reform/notifications/{n.code}/read/",
        method="post",
        ok=302,
        in_scope=reform.city_officer,
        out_of_scope=world.bob,
    )


def test_supervision_and_rollout_pages(
    client: Any, reform: Any, world: Any, milestone_types: Any
) -> None:
    officer = reform.national_officer
    check_access(client, url="/reform/inspections/new/", in_scope=officer, out_of_scope=None)
    check_access(
        client,
        url="/reform/inspections/new/",
        method="post",
        ok=302,
        in_scope=officer,
        out_of_scope=None,
        data={
            "organization": world.national.code,
            "title": "产改督查",
            "start": "2018-09-10",
            "end": "2018-09-12",
            "visited": [world.province_a.code],
        },
    )
    inspection = supervision.inspection_create(
        actor=officer,
        organization=world.national,
        title="第二次督查",
        start=D(2018, 10, 1),
        end=D(2018, 10, 2),
        visited=[world.province_a],
    )
    check_access(client, url="/reform/inspections/", in_scope=world.alice, out_of_scope=None)
    check_access(
        client,
        url=f"/reform/inspections/{inspection.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/reform/inspections/{inspection.code}/",
        method="post",
        ok=302,
        in_scope=officer,
        out_of_scope=world.bob,
        data={"organization": world.province_a.code, "severity": "problem", "text": "台账不完整"},
    )
    finding = inspection.findings.get()
    check_access(
        client,
        url=f"/reform/findings/{finding.code}/rectifications/",
        method="post",
        ok=302,
        in_scope=officer,
        out_of_scope=world.bob,
        data={"title": "完善台账", "deadline": "2018-11-30"},
    )
    rect = Rectification.objects.get()
    check_access(
        client,
        url=f"/reform/rectifications/{rect.code}/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"action": "submit", "response": "已完善"},
    )
    check_access(
        client,
        url=f"/reform/rectifications/{rect.code}/",
        method="post",
        ok=302,
        in_scope=officer,
        out_of_scope=world.bob,
        data={"action": "close", "comment": "销号"},
    )
    rect.refresh_from_db()
    assert rect.status == "closed"
    check_access(client, url="/reform/notices/new/", in_scope=officer, out_of_scope=None)
    check_access(
        client,
        url="/reform/notices/new/",
        method="post",
        ok=302,
        in_scope=officer,
        out_of_scope=None,
        data={
            "organization": world.national.code,
            "target": world.province_a.code,
            "title": "督办",
            "body": "请报送",
            "reply_deadline": "2018-10-20",
        },
    )
    notice = supervision.notice_issue(
        actor=officer,
        organization=world.national,
        target=world.province_a,
        title="督办二",
        body="请报送",
        reply_deadline=D(2018, 10, 30),
    )
    check_access(client, url="/reform/notices/", in_scope=world.alice, out_of_scope=None)
    check_access(
        client, url=f"/reform/notices/{notice.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(
        client,
        url=f"/reform/notices/{notice.code}/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"action": "reply", "reply": "已报送"},
    )
    notice.refresh_from_db()
    assert notice.status == "replied"
    services  # noqa: B018
    check_access(client, url="/reform/rollout/", in_scope=officer, out_of_scope=None)
    r = check_access(
        client,
        url=f"/reform/rollout/?org={world.national.code}&on=2018-12-31",
        in_scope=officer,
        out_of_scope=world.enterprise_officer_a,
    )
    assert "rollout-chart" in r.content.decode()
    check_access(
        client,
        url=f"/reform/rollout/?org={world.province_a.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url="/reform/rollout/",
        method="post",
        ok=302,
        in_scope=world.alice,
        out_of_scope=None,
        data={
            "organization": world.province_a.code,
            "milestone_type": "leading-group",
            "reached_on": "2018-03-01",
            "document": "苏工发〔2018〕5号",
        },
    )
    assert RolloutMilestone.objects.get().organization == world.province_a
    client.force_login(world.alice)  # a document file goes with the milestone
    r = client.post(
        "/reform/rollout/",
        {
            "organization": world.province_a.code,
            "milestone_type": "plan-issued",
            "reached_on": "2018-04-01",
            "file": SimpleUploadedFile("方案.txt", b"x"),
        },
    )
    assert r.status_code == 302
    m = RolloutMilestone.objects.get(milestone_type__code="plan-issued")
    att = m.attachments.get()
    r = check_access(
        client, url=f"/reform/evidence/{att.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    assert download_name(r) == "方案.txt"  # the uploaded name, sent as RFC 5987


def test_review_redirect_stays_on_site(client: Any, reform: Any, world: Any) -> None:
    r = services.progress_report_submit(
        actor=reform.city_officer, task=reform.task_a, period="2018-04", text="x", percent=10
    )
    client.force_login(world.alice)
    resp = client.post(
        f"/reform/reports/{r.code}/review/", {"decision": "accept", "next": "https://evil.example/"}
    )
    assert resp.status_code == 302 and resp["Location"] == "/reform/reviews/"


def test_plan_pages_do_not_grow_queries_with_tasks(
    client: Any, reform: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    measure = PlanItem.objects.get(plan=reform.plan_a, implements=reform.measures[1])
    for n in range(30):
        services.plan_item_create(
            actor=world.root,
            plan=reform.plan_a,
            kind="task",
            title=f"任务{n}",
            parent=measure,
            lead_unit=world.city_a,
            cooperating_units=[world.enterprise_a],
            deadline=D(2018, 12, 1),
        )
    client.force_login(world.alice)
    client.get("/reform/")  # warm caches (sessions, content types)
    with django_assert_max_num_queries(30):
        assert client.get(f"/reform/plans/{reform.plan_a.code}/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/reform/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/api/v1/reform/plans/{reform.plan_a.code}").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/reform/units/{world.city_a.code}/responsibility/").status_code == 200


def test_evidence_files_are_encrypted_at_rest(
    client: Any, reform: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    """Evidence (minutes, sign-in sheets, photos) may show people: on disk it is ciphertext,
    0600; the download gives the file back as uploaded."""
    import os
    import stat

    settings.MEDIA_ROOT = tmp_path
    secret = "签到表：张三 110105199001050012".encode()
    client.force_login(reform.city_officer)
    r = client.post(
        f"/reform/tasks/{reform.task_a.code}/evidence/",
        {"file": SimpleUploadedFile("签到表.txt", secret)},
    )
    assert r.status_code == 302
    att = Attachment.objects.get(task=reform.task_a, report__isnull=True)
    on_disk = open(att.file.path, "rb").read()
    assert secret not in on_disk and "张三".encode() not in on_disk
    assert stat.S_IMODE(os.stat(att.file.path).st_mode) == 0o600
    response = client.get(f"/reform/evidence/{att.code}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == secret
