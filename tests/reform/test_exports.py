"""Ledger export layout (opened with openpyxl), bulletin PDF job, evaluation ranking."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from gongjiang.core.models import Job
from gongjiang.reform import services
from gongjiang.reform.evaluation import default_scheme, evaluate, scheme_save
from gongjiang.reform.models import PlanItem
from gongjiang.reform.supervision import services as supervision

from ..access_helpers import check_access
from ..download_helpers import download_name
from ..pdf_helpers import assert_cjk_font_embedded

D = dt.date
pytestmark = pytest.mark.django_db


def _accept(
    actor: Any, reviewer: Any, task: PlanItem, period: str, percent: int, **kw: Any
) -> None:
    r = services.progress_report_submit(
        actor=actor, task=task, period=period, text=kw.pop("text", "进展"), percent=percent, **kw
    )
    services.progress_report_review(actor=reviewer, report=r, accept=True)


def test_ledger_export_layout(client: Any, reform: Any, world: Any) -> None:
    t1, t2, t3, t4 = reform.tasks
    root = world.root
    _accept(
        root,
        reform.national_officer,
        t2,
        "2018-Q2",
        60,
        text="在10个省份试点",
        problems="经费不足",
        next_steps="扩大试点",
    )
    PlanItem.objects.filter(pk=t4.pk).update(year=2019)  # not in the 2018 ledger
    r = check_access(
        client,
        url=f"/reform/plans/{reform.national_plan.code}/ledger.xlsx?year=2018&on=2018-07-01",
        in_scope=world.alice,
        out_of_scope=world.nobody,
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download_name(r) == f"工作台账-{reform.national_plan.title}-2018.xlsx"
    ws = openpyxl.load_workbook(
        io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)
    ).active
    assert ws["A1"].value == "新时期产业工人队伍建设改革方案2018年度工作台账"
    assert [c.value for c in ws[2]] == [
        "序号",
        "改革任务",
        "牵头单位",
        "配合单位",
        "完成时限",
        "进展情况",
        "存在问题",
        "下步打算",
        "备注",
    ]
    col_a = [ws.cell(row=i, column=1).value for i in range(3, 10)]
    assert col_a == [
        "一、思想政治引领",
        "（一）加强思想政治引领",
        "1",
        "二、构建产业工人技能形成体系",
        "（一）完善职业教育和培训体系",
        "2",
        "3",
    ]
    assert "A3:I3" in {str(m) for m in ws.merged_cells.ranges}  # group header rows span the table
    row = [c.value for c in ws[8]]
    assert row[:5] == ["2", "推行企业新型学徒制", "人力资源社会保障部", "教育部", "2018年6月"]
    assert (
        row[5] == "在10个省份试点（2018-Q2，完成60%）"
        and row[6] == "经费不足"
        and row[7] == "扩大试点"
    )
    assert row[8] == "逾期"  # derived on the ledger date
    assert (
        ws.cell(row=10, column=2).value != "推行职业技能等级认定"
    )  # the 2019 task and its empty measure are left out
    assert "健全技能评价体系" not in [
        ws.cell(row=i, column=1).value for i in range(3, ws.max_row + 1)
    ]
    # the API answers the same file
    r = check_access(
        client,
        url=f"/api/v1/reform/plans/{reform.national_plan.code}/ledger.xlsx?year=2018",
        in_scope=world.alice,
        out_of_scope=world.nobody,
    )
    assert openpyxl.load_workbook(io.BytesIO(r.content)).active["B2"].value == "改革任务"
    assert download_name(r) == f"工作台账-{reform.national_plan.title}-2018.xlsx"


def test_bulletin_pdf_job(
    client: Any,
    reform: Any,
    world: Any,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    root = world.root
    _accept(reform.city_officer, world.alice, reform.task_a, "2018-05", 100, text="全面完成")
    inspection = supervision.inspection_create(
        actor=root,
        organization=world.national,
        title="督查",
        start=D(2018, 5, 10),
        end=D(2018, 5, 12),
        visited=[world.province_a],
    )
    supervision.finding_add(
        actor=root,
        inspection=inspection,
        organization=world.province_a,
        text="台账不全",
        task=reform.task_a,
    )
    today = dt.date.today()
    url = f"/reform/plans/{reform.plan_a.code}/bulletin/"
    check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        check_access(
            client,
            url=url,
            method="post",
            ok=302,
            in_scope=world.alice,
            out_of_scope=world.bob,
            data={"since": "2018-01-01", "until": today.isoformat()},
        )
    job = Job.objects.get(kind="reform.bulletin")
    assert job.status == "succeeded", job.result
    assert job.result["reports"] == 1 and job.result["findings"] == 1
    check_access(
        client,
        url=f"/reform/bulletins/{job.code}.pdf",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    client.force_login(world.alice)
    pdf = b"".join(client.get(f"/reform/bulletins/{job.code}.pdf").streaming_content)
    assert_cjk_font_embedded(pdf)
    name = download_name(client.get(f"/reform/bulletins/{job.code}.pdf"))
    assert name.startswith(f"工作通报-{reform.plan_a.title}-") and name.endswith(".pdf")
    with django_capture_on_commit_callbacks(execute=True):
        r = check_access(
            client,
            url=f"/api/v1/reform/plans/{reform.plan_a.code}/bulletins",
            method="post",
            ok=202,
            in_scope=world.alice,
            out_of_scope=world.bob,
            data={"since": "2018-01-01", "until": "2018-12-31"},
        )
    assert Job.objects.get(code=r.json()["code"]).status == "succeeded"


def test_evaluation_ranks_units_with_breakdown(client: Any, reform: Any, world: Any) -> None:
    root = world.root
    t1, t2, t3, t4 = reform.tasks
    _accept(
        root, reform.national_officer, t2, "2018-Q2", 100
    )  # ministry: t2 done on time? completed today → late
    r = services.progress_report_submit(actor=root, task=t4, period="2018-Q2", text="x", percent=50)
    services.progress_report_review(
        actor=reform.national_officer, report=r, accept=False, comment="重报"
    )
    r = services.progress_report_submit(actor=root, task=t4, period="2018-Q2", text="y", percent=50)
    services.progress_report_review(actor=reform.national_officer, report=r, accept=True)
    _accept(root, reform.national_officer, t3, "2018-Q2", 80)  # ministry2
    scheme = default_scheme(world.national)
    scores = evaluate(plan=reform.national_plan, year=2018, scheme=scheme, on=D(2018, 8, 1))
    by_name = {s.unit.name: s for s in scores}
    hr, edu, acftu = by_name["人力资源社会保障部"], by_name["教育部"], by_name["中华全国总工会"]
    assert hr.tasks == 2 and hr.completion == 75  # (100 + 50) / 2
    assert hr.quality == 50  # one of two reports accepted without a return
    assert edu.completion == 80 and edu.quality == 100 and edu.timeliness == 100
    assert acftu.completion == 0 and acftu.quality == 0
    assert [s.rank for s in scores] == [1, 2, 3] and scores[0].score >= scores[1].score >= scores[
        2
    ].score
    # inspection findings weigh in; a closed rectification lifts the penalty
    insp = supervision.inspection_create(
        actor=root,
        organization=world.national,
        title="督查",
        start=D(2018, 9, 1),
        end=D(2018, 9, 2),
        visited=[reform.ministry2],
    )
    f = supervision.finding_add(
        actor=root, inspection=insp, organization=reform.ministry2, text="进度滞后"
    )
    only_findings = scheme_save(
        actor=root,
        organization=world.national,
        name="只看督查",
        w_completion=0,
        w_timeliness=0,
        w_quality=0,
        w_findings=100,
        finding_penalty=30,
    )
    edu = {
        s.unit.name: s for s in evaluate(plan=reform.national_plan, year=2018, scheme=only_findings)
    }["教育部"]
    assert edu.findings == 70 and edu.score == 70 and edu.open_problems == 1
    rect = supervision.rectification_add(
        actor=root, finding=f, title="加快进度", deadline=D(2018, 12, 1)
    )
    supervision.rectification_submit(actor=root, rectification=rect, response="已加快")
    supervision.rectification_close(actor=reform.national_officer, rectification=rect)
    edu = {
        s.unit.name: s for s in evaluate(plan=reform.national_plan, year=2018, scheme=only_findings)
    }["教育部"]
    assert edu.findings == 100
    r = check_access(
        client,
        url=f"/reform/plans/{reform.national_plan.code}/evaluation/?year=2018",
        in_scope=world.alice,
        out_of_scope=world.nobody,
    )
    assert "教育部" in r.content.decode()
    check_access(
        client,
        url=f"/reform/plans/{reform.national_plan.code}/evaluation/?year=2018",
        method="post",
        ok=302,
        in_scope=reform.national_officer,
        out_of_scope=world.nobody,
        data={
            "name": "年度考核",
            "w_completion": 50,
            "w_timeliness": 20,
            "w_quality": 10,
            "w_findings": 20,
            "finding_penalty": 10,
        },
    )
    r = check_access(
        client,
        url=f"/api/v1/reform/plans/{reform.national_plan.code}/evaluation?year=2018"
        f"&scheme={only_findings.code}",
        in_scope=reform.national_officer,
        out_of_scope=world.nobody,
    )
    assert r.json()[0]["score"] == 100


@pytest.mark.parametrize("year", ["0", "-1", "10000", str(10**20), "abc"])
def test_extreme_years_answer_without_a_server_error(
    client: Any, reform: Any, world: Any, year: str
) -> None:
    """?year=0|-1|10000 on the evaluation used to answer 500 (issue: integer bounds)."""
    client.raise_request_exception = False
    client.force_login(reform.national_officer)
    plan = reform.national_plan.code
    response = client.get(f"/api/v1/reform/plans/{plan}/evaluation", {"year": year})
    assert response.status_code == 422, response.content
    assert response.json()["details"][0]["field"].endswith("year")
    for url in (
        f"/api/v1/reform/plans/{plan}/ledger.xlsx",
        f"/api/v1/reform/responsibility/{world.city_a.code}",
    ):
        assert client.get(url, {"year": year}).status_code == 422
    for url in (
        f"/reform/plans/{plan}/evaluation/",
        f"/reform/units/{world.city_a.code}/responsibility/",
        f"/reform/plans/{plan}/ledger.xlsx",
    ):
        assert client.get(url, {"year": year}).status_code in (200, 404), url
