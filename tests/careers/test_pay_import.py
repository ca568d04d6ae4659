"""Payroll bands of many workers from a file (background job): workers found by 工号 or 身份证号
in the enterprise subtree only, names checked, every bad row named, nothing written unless every
row is right; monthly pay only for HR and encrypted; scoped page, API and job."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from gongjiang.careers import pay
from gongjiang.careers.models import WorkerPay
from gongjiang.careers.pay_import import worker_pay_import
from gongjiang.core import crypto
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes
from gongjiang.core.models import AuditEvent

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker, unique_id

pytestmark = pytest.mark.django_db
HEADER = ["工号", "身份证号", "姓名", "通道", "等级", "月工资"]


def sheet(rows: list[list[Any]], header: list[str] = HEADER) -> io.BytesIO:
    data = io.BytesIO(xlsx_bytes([("薪酬", header, rows)]))
    data.name = "payroll.xlsx"
    return data


@pytest.fixture
def staff(world: Any) -> dict[str, Any]:
    w1 = make_worker(world.enterprise_a, 11, name="李明", employee_number="A001")
    w2 = make_worker(world.enterprise_a, 12, name="王芳", employee_number="A002")
    w3 = make_worker(world.enterprise_a, 13, name="赵强")
    elsewhere = make_worker(world.enterprise_b, 14, name="钱进", employee_number="A003")
    hr = UserFactory(username="hr_pay")
    member(hr, world.enterprise_a, "hr")
    admin = UserFactory(username="admin_pay")
    member(admin, world.enterprise_a, "admin")
    hr_b = UserFactory(username="hr_pay_b")
    member(hr_b, world.enterprise_b, "hr")
    return {"w": [w1, w2, w3], "elsewhere": elsewhere, "hr": hr, "admin": admin, "hr_b": hr_b}


def run(actor: Any, world: Any, rows: list[list[Any]], **kw: Any) -> dict[str, Any]:
    data = sheet(rows, **kw)
    return worker_pay_import(
        actor=actor, enterprise=world.enterprise_a, source=data, name=data.name
    )


def test_a_good_file_saves_every_row_and_pay_encrypted(world: Any, staff: dict[str, Any]) -> None:
    w1, w2, w3 = staff["w"]
    result = run(
        staff["hr"],
        world,
        [
            ["A001", "", "李明", "技能", "技师", "8500.50"],
            ["A002", "", "王芳", "专业技术", "中级", ""],
            ["", unique_id(13), "赵强", "管理", "科员级", "4200"],
        ],
    )
    assert result["errors"] == [] and result["created"] == 3 and result["rows"] == 3
    rows = {p.worker_id: p for p in WorkerPay.objects.all()}
    assert (rows[w1.pk].recorded_channel, rows[w1.pk].recorded_level) == ("skill", "TECHNICIAN")
    assert rows[w2.pk].recorded_level == "intermediate" and rows[w2.pk].pay_encrypted == ""
    assert "8500" not in rows[w1.pk].pay_encrypted
    assert crypto.decrypt(rows[w1.pk].pay_encrypted) == "8500.50"
    assert pay.worker_pay_read(staff["hr"], w1, world.enterprise_a) == pay.money("8500.50", "pay")
    event = AuditEvent.objects.get(action="careers.worker_pay_import")
    assert event.details["rows"] == 3 and event.details["with_pay"] == 2
    # importing again replaces: no duplicates
    run(staff["hr"], world, [["A001", "", "李明", "技能", "高级技师", ""]])
    assert WorkerPay.objects.count() == 3
    assert WorkerPay.objects.get(worker=w1).recorded_level == "SENIOR_TECHNICIAN"


def test_every_bad_row_is_named_and_nothing_is_written(world: Any, staff: dict[str, Any]) -> None:
    result = run(
        staff["hr"],
        world,
        [
            ["A001", "", "李明", "技能", "技师", "8000"],
            ["A003", "", "钱进", "技能", "技师", ""],  # a worker of another enterprise
            ["A999", "", "无名", "技能", "技师", ""],  # no such worker
            ["A002", "", "王小芳", "技能", "技师", ""],  # wrong name
            ["", "110101199001011234", "赵强", "技能", "技师", ""],  # not a valid ID
            ["", unique_id(13), "赵强", "技能", "宗师", ""],  # unknown level
            ["", unique_id(13), "赵强", "后勤", "技师", ""],  # unknown channel
            ["A001", "", "李明", "技能", "技师", "1e5"],  # same worker again, and a bad amount
        ],
    )
    assert result["created"] == 0 and WorkerPay.objects.count() == 0
    errors = [(e["row"], e["column"]) for e in result["errors"]]
    assert (3, "工号") in errors and (4, "工号") in errors
    assert (5, "姓名") in errors and (6, "身份证号") in errors
    assert (7, "等级") in errors and (8, "通道") in errors
    assert (9, "工号") in errors and (9, "月工资") in errors
    assert all(r != 2 for r, _c in errors)
    # the other enterprise's worker gets the same words as one who does not exist
    by_row = {e["row"]: e["message"] for e in result["errors"]}
    assert by_row[3] == by_row[4]
    assert result["rejected"] == 7 and result["valid"] == 1


def test_pay_column_needs_the_hr_role(world: Any, staff: dict[str, Any]) -> None:
    # an enterprise admin may record bands, not monthly pay: the whole file is refused
    with pytest.raises(ApplicationError) as caught:
        run(staff["admin"], world, [["A001", "", "李明", "技能", "技师", "8000"]])
    assert caught.value.code == "pay_not_allowed" and "月工资" in caught.value.message
    assert WorkerPay.objects.count() == 0
    result = run(staff["admin"], world, [["A001", "", "李明", "技能", "技师", ""]])
    assert result["created"] == 1


def test_hostile_cells_and_missing_columns(world: Any, staff: dict[str, Any]) -> None:
    result = run(staff["hr"], world, [['=HYPERLINK("x")', "", "李明", "技能", "技师", ""]])
    assert result["created"] == 0 and result["errors"][0]["column"] == "工号"
    with pytest.raises(ApplicationError) as caught:
        run(staff["hr"], world, [["李明", "技能", "技师"]], header=["姓名", "通道", "等级"])
    assert caught.value.code == "missing_column"


def test_page_and_api_start_a_job_in_scope_only(
    client: Client, world: Any, staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    code = world.enterprise_a.code
    rows = [["A001", "", "李明", "技能", "技师", "9000"]]
    # the page: out of scope 404, in scope a job (immediate in tests) whose page shows the result
    client.force_login(staff["hr_b"])
    r = client.post(f"/careers/pay/{code}/workers-import/", {"file": sheet(rows)})
    assert r.status_code == 404
    client.force_login(staff["hr"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/careers/pay/{code}/workers-import/", {"file": sheet(rows)})
    assert r.status_code == 302 and "/jobs/" in r["Location"]
    assert WorkerPay.objects.count() == 1
    # the API: anonymous 401, out of scope 404, in scope 202 with the report
    client.logout()
    url = f"/api/v1/careers/pay/enterprises/{code}/workers-import"
    assert client.post(url, {"file": sheet(rows)}).status_code == 401
    client.force_login(staff["hr_b"])
    assert client.post(url, {"file": sheet(rows)}).status_code == 404
    client.force_login(staff["hr"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"file": sheet(rows), "dry_run": "true"})
    assert r.status_code == 202, r.content
    body = client.get(f"/api/v1/careers/pay/workers-imports/{r.json()['code']}").json()
    assert body["dry_run"] is True and body["result"]["valid"] == 1
    assert body["status"] == "succeeded"
    # the job's report: its starter only (another HR officer of the same enterprise: 404)
    detail = f"/api/v1/careers/pay/workers-imports/{body['code']}"
    assert client.get(detail).status_code == 200
    other = UserFactory(username="hr_pay_2")
    member(other, world.enterprise_a, "hr")
    client.force_login(other)
    assert client.get(detail).status_code == 404
    # a file that is no spreadsheet: refused on the field
    client.force_login(staff["hr"])
    bad = io.BytesIO(b"MZ\x90\x00")
    bad.name = "payroll.exe"
    r = client.post(url, {"file": bad})
    assert r.status_code == 422
