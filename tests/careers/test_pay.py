"""Skill-linked pay: equal bands across equivalent levels, the entitlement report and its gap,
individual pay encrypted and only for hr, medians for groups of at least 10 on every path (API,
page, export), Excel in and out, scoped access (404) on every endpoint and page."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from gongjiang.careers import pay
from gongjiang.careers.models import WorkerPay
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes

from ..access_helpers import check_access
from ..workforce.helpers import make_worker
from .conftest import set_history

pytestmark = pytest.mark.django_db
API = "/api/v1/careers/pay"


def _workers(world: Any, level: str, n: int, start: int) -> list[Any]:
    out = []
    for i in range(n):
        w = make_worker(world.enterprise_a, start + i, occupation="6-18-01-01")
        set_history(w, [(__import__("datetime").date(2015, 1, 1), level)])
        out.append(w)
    return out


def test_equal_bands_across_equivalent_levels(careers: Any, world: Any) -> None:
    saved = pay.pay_band_save(
        actor=careers.hr_a,
        organization=world.enterprise_a,
        channel="skill",
        level="TECHNICIAN",
        band_min="8000.00",
        band_max="12000.50",
    )
    assert {(b.channel, b.level) for b in saved} == {
        ("skill", "TECHNICIAN"),
        ("title", "intermediate"),
        ("management", "正科级"),
    }
    assert {(b.band_min, b.band_max) for b in saved} == {(Decimal("8000.00"), Decimal("12000.50"))}
    for bad in ("1.001", "-1", "1e3", "NaN", 10**20, 1.5):
        with pytest.raises(ApplicationError):
            pay.pay_band_save(
                actor=careers.hr_a,
                organization=world.enterprise_a,
                channel="skill",
                level="SENIOR",
                band_min=bad,
                band_max="9000",
            )


def test_report_gap_and_allowances(careers: Any, world: Any) -> None:
    pay.pay_band_save(
        actor=careers.hr_a,
        organization=world.enterprise_a,
        channel="skill",
        level="TECHNICIAN",
        band_min="8000",
        band_max="12000",
    )
    pay.pay_band_save(
        actor=careers.hr_a,
        organization=world.enterprise_a,
        channel="skill",
        level="SENIOR",
        band_min="6000",
        band_max="8000",
    )
    pay.allowance_save(
        actor=careers.hr_a, organization=world.enterprise_a, level="TECHNICIAN", amount="500"
    )
    pay.worker_pay_save(
        actor=careers.hr_a,
        worker=careers.welder,
        enterprise=world.enterprise_a,
        recorded_channel="skill",
        recorded_level="SENIOR",
    )
    rows = {e.worker.pk: e for e in pay.entitlement_report(careers.hr_a, world.enterprise_a)}
    welder = rows[careers.welder.pk]  # a 技师 paid in the 高级工 band
    assert welder.entitled.band_min == Decimal("8000.00")
    assert welder.allowance == Decimal("500.00")
    assert welder.gap == Decimal("2000.00")
    assert careers.worker_b.pk not in rows  # another enterprise


def test_individual_pay_is_encrypted_and_for_hr_only(client: Any, careers: Any, world: Any) -> None:
    pay.worker_pay_save(
        actor=careers.hr_a,
        worker=careers.welder,
        enterprise=world.enterprise_a,
        recorded_channel="skill",
        recorded_level="TECHNICIAN",
        pay="9876.54",
    )
    stored = WorkerPay.objects.get(worker=careers.welder).pay_encrypted
    assert "9876" not in stored and stored
    assert pay.worker_pay_read(careers.hr_a, careers.welder, world.enterprise_a) == Decimal(
        "9876.54"
    )
    for other in (world.enterprise_officer_a, world.alice_admin):  # not hr: refused
        with pytest.raises(PermissionDenied):
            pay.worker_pay_read(other, careers.welder, world.enterprise_a)
    url = f"{API}/workers/{careers.welder.code}/pay"
    response = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b)
    assert response.json()["pay"] == "9876.54"
    client.force_login(world.enterprise_officer_a)
    assert client.get(url).status_code == 403
    with pytest.raises(PermissionDenied):  # an officer may not write pay either
        pay.worker_pay_save(
            actor=world.alice_admin,
            worker=careers.welder,
            enterprise=world.enterprise_a,
            recorded_channel="skill",
            recorded_level="TECHNICIAN",
            pay="1",
        )


def test_medians_never_show_a_group_under_10(client: Any, careers: Any, world: Any) -> None:
    ten = _workers(world, "SENIOR", 10, 100)
    nine = _workers(world, "TECHNICIAN", 9, 200)
    for i, w in enumerate(ten):
        pay.worker_pay_save(
            actor=careers.hr_a,
            worker=w,
            enterprise=world.enterprise_a,
            recorded_channel="skill",
            recorded_level="SENIOR",
            pay=str(5000 + 100 * i),
        )
    for w in nine:
        pay.worker_pay_save(
            actor=careers.hr_a,
            worker=w,
            enterprise=world.enterprise_a,
            recorded_channel="skill",
            recorded_level="TECHNICIAN",
            pay="7777.77",
        )
    expected = [{"skill_level": "SENIOR", "workers": 10, "median": Decimal("5450.00")}]
    assert pay.pay_medians(careers.hr_a, world.enterprise_a) == expected
    code = world.enterprise_a.code
    # API
    response = check_access(
        client,
        url=f"{API}/enterprises/{code}/medians",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    assert [m["skill_level"] for m in response.json()] == ["SENIOR"]
    assert "7777" not in response.content.decode()
    # page
    response = check_access(
        client, url=f"/careers/pay/{code}/", in_scope=careers.hr_a, out_of_scope=careers.hr_b
    )
    html = response.content.decode()
    assert "5450.00" in html and "7777" not in html
    # export
    response = check_access(
        client,
        url=f"/careers/pay/{code}/medians.xlsx",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert 10 in values and 9 not in values and "技师" not in values
    # the tenth technician makes the group visible
    extra = _workers(world, "TECHNICIAN", 1, 300)[0]
    pay.worker_pay_save(
        actor=careers.hr_a,
        worker=extra,
        enterprise=world.enterprise_a,
        recorded_channel="skill",
        recorded_level="TECHNICIAN",
        pay="7777.77",
    )
    assert [m["workers"] for m in pay.pay_medians(careers.hr_a, world.enterprise_a)] == [10, 10]
    # an officer without the analytics role: the page hides the medians, the API refuses
    client.force_login(world.enterprise_officer_a)
    assert "7777" not in client.get(f"/careers/pay/{code}/").content.decode()
    assert client.get(f"{API}/enterprises/{code}/medians").status_code == 403


def test_bands_excel_in_and_out(client: Any, careers: Any, world: Any) -> None:
    code = world.enterprise_a.code
    good = xlsx_bytes(
        [
            (
                "档位",
                ["通道", "等级", "下限", "上限"],
                [["技能", "技师", "8000", "12000"], ["管理", "科员级", "3000", "4000"]],
            )
        ]
    )
    client.force_login(careers.hr_a)
    upload = io.BytesIO(good)
    upload.name = "bands.xlsx"
    client.post(f"/careers/pay/{code}/import/", {"file": upload})
    assert {(b.channel, b.level) for b in pay.bands(world.enterprise_a)} >= {
        ("skill", "TECHNICIAN"),
        ("title", "intermediate"),
        ("management", "科员级"),
        ("skill", "INTERMEDIATE"),
    }
    # every bad row named, nothing written
    bad = xlsx_bytes(
        [
            (
                "档位",
                ["通道", "等级", "下限", "上限"],
                [
                    ["技能", "高级工", "6000", "5000"],
                    ["技能", "不存在", "1", "2"],
                    ["技能", "技师", "9000", "12000"],
                ],
            )
        ]
    )
    with pytest.raises(ApplicationError) as caught:
        pay.pay_bands_import(
            actor=careers.hr_a,
            organization=world.enterprise_a,
            source=io.BytesIO(bad),
            name="bad.xlsx",
        )
    fields = [d["field"] for d in caught.value.details]
    assert fields[0].startswith("row 2") and fields[1].startswith("row 3")
    assert len(fields) == 2
    assert pay.bands(world.enterprise_a)[0].band_min != Decimal("9000")
    response = check_access(
        client,
        url=f"/careers/pay/{code}/bands.xlsx",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    cells = [
        c
        for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in r
    ]
    assert "技师" in cells and 8000 in cells


def test_endpoints_scoped(client: Any, careers: Any, world: Any) -> None:
    code = world.enterprise_a.code
    check_access(
        client,
        url=f"{API}/enterprises/{code}/bands",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    check_access(
        client,
        url=f"{API}/enterprises/{code}/bands",
        method="post",
        data={"channel": "skill", "level": "SENIOR", "band_min": "1", "band_max": "2"},
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        ok=201,
    )
    check_access(
        client,
        url=f"{API}/enterprises/{code}/allowances",
        method="post",
        data={"level": "CHIEF_ALLOWANCE", "amount": "2000"},
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        ok=201,
    )
    response = check_access(
        client,
        url=f"{API}/enterprises/{code}/report",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    assert careers.welder.code in response.content.decode()
    check_access(
        client,
        url=f"/careers/pay/{code}/report.xlsx",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    check_access(
        client,
        url=f"{API}/workers/{careers.welder.code}/pay",
        method="post",
        data={
            "enterprise": code,
            "recorded_channel": "skill",
            "recorded_level": "SENIOR",
            "pay": "6000.00",
        },
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    client.force_login(careers.hr_a)
    response = client.post(
        f"{API}/enterprises/{code}/bands",
        data=json.dumps(
            {"channel": "skill", "level": "SENIOR", "band_min": str(10**20), "band_max": "2"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
