"""The entitlement report takes every channel into account (issue #17 §5): a worker stands in the
band of the highest of their channels per the enterprise's equivalence table — skill level,
professional title, management grade held today — and each row says which channel placed them;
the page, the Excel export and the API agree, scoped as the report always was."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from gongjiang.careers import grades, pay
from gongjiang.careers.models import ProfessionalTitle
from gongjiang.careers.policy import POLICY_EQUIVALENCE

from ..access_helpers import check_access

pytestmark = pytest.mark.django_db
API = "/api/v1/careers/pay"


def _bands(careers: Any, world: Any) -> None:
    for level, low, high in (
        ("SENIOR", "6000", "8000"),
        ("TECHNICIAN", "8000", "12000"),
        ("SENIOR_TECHNICIAN", "12000", "16000"),
        ("PRINCIPAL_TECHNICIAN", "16000", "20000"),
    ):
        pay.pay_band_save(
            actor=careers.hr_a,
            organization=world.enterprise_a,
            channel="skill",
            level=level,
            band_min=low,
            band_max=high,
        )


def _grade(careers: Any, worker: Any, grade: str, since: dt.date) -> Any:
    return grades.management_grade_record(
        actor=careers.hr_a, worker=worker, grade=grade, since=since, document="人字〔2024〕1号"
    )


def _title(worker: Any, level: str, revoked: bool = False) -> None:
    ProfessionalTitle.objects.create(
        worker=worker,
        field="工程",
        name="工程师",
        level=level,
        date=dt.date(2019, 6, 1),
        issuer="省人社厅",
        revoked=revoked,
    )


def _rows(careers: Any, world: Any) -> dict[int, pay.Entitlement]:
    return {e.worker.pk: e for e in pay.entitlement_report(careers.hr_a, world.enterprise_a)}


def test_skill_level_alone_places_as_before(careers: Any, world: Any) -> None:
    _bands(careers, world)
    welder = _rows(careers, world)[careers.welder.pk]  # a 技师, nothing else
    assert welder.entitled.band_min == Decimal("8000.00")
    assert (welder.channel, welder.channel_level) == ("skill", "TECHNICIAN")
    assert welder.title_level == "" and welder.management_grade == ""


def test_a_higher_management_grade_places_the_worker(careers: Any, world: Any) -> None:
    _bands(careers, world)
    _grade(careers, careers.welder, "副处级", dt.date(2024, 1, 1))  # stands with 高级技师
    welder = _rows(careers, world)[careers.welder.pk]
    assert welder.entitled.band_min == Decimal("12000.00")
    assert (welder.channel, welder.channel_level) == ("management", "副处级")
    assert welder.management_grade == "副处级"


def test_a_lower_or_equal_grade_leaves_the_skill_channel_in_place(careers: Any, world: Any) -> None:
    _bands(careers, world)
    _grade(careers, careers.welder, "正科级", dt.date(2024, 1, 1))  # the 技师's own row: a tie
    welder = _rows(careers, world)[careers.welder.pk]
    assert welder.channel == "skill" and welder.entitled.band_min == Decimal("8000.00")
    _grade(careers, careers.welder, "副科级", dt.date(2025, 1, 1))  # below 技师
    welder = _rows(careers, world)[careers.welder.pk]
    assert welder.channel == "skill" and welder.management_grade == "副科级"


def test_an_ended_grade_and_a_revoked_title_do_not_count(careers: Any, world: Any) -> None:
    _bands(careers, world)
    record = _grade(careers, careers.welder, "正处级", dt.date(2023, 1, 1))
    grades.management_grade_end(
        actor=careers.hr_a, record=record, ended_on=dt.date(2024, 1, 1), reason="调任"
    )
    _title(careers.welder, "senior", revoked=True)
    welder = _rows(careers, world)[careers.welder.pk]
    assert welder.channel == "skill" and welder.management_grade == ""
    assert welder.title_level == ""


def test_a_title_places_a_worker_without_a_skill_band(careers: Any, world: Any) -> None:
    _bands(careers, world)
    _title(careers.engineer, "assistant")
    _title(careers.engineer, "deputy_senior")  # the highest title counts
    engineer = _rows(careers, world)[careers.engineer.pk]
    assert (engineer.channel, engineer.channel_level) == ("title", "deputy_senior")
    assert engineer.entitled.band_min == Decimal("12000.00")


def test_the_gap_is_against_the_placing_band(careers: Any, world: Any) -> None:
    _bands(careers, world)
    _grade(careers, careers.welder, "正处级", dt.date(2024, 1, 1))  # with 特级技师
    pay.worker_pay_save(
        actor=careers.hr_a,
        worker=careers.welder,
        enterprise=world.enterprise_a,
        recorded_channel="skill",
        recorded_level="TECHNICIAN",
    )
    welder = _rows(careers, world)[careers.welder.pk]
    assert welder.gap == Decimal("8000.00")  # 16,000 − 8,000


def test_positions_follow_the_table_and_place_levels_between_rows() -> None:
    position, ladder = pay.standing_positions(POLICY_EQUIVALENCE)
    at = lambda c, lv: pay.position_of(c, lv, position, ladder)  # noqa: E731
    assert at("management", "副处级") == at("skill", "SENIOR_TECHNICIAN") == 3
    assert at("skill", "JUNIOR") == -0.5  # below the table's lowest skill level
    assert at("skill", "CHIEF_TECHNICIAN") == 4.5  # above its highest
    assert at("management", "不在表中") is None
    assert at("skill", "") is None


def test_api_and_excel_say_which_channel_placed_them(client: Any, careers: Any, world: Any) -> None:
    _bands(careers, world)
    _grade(careers, careers.welder, "副处级", dt.date(2024, 1, 1))
    code = world.enterprise_a.code
    response = check_access(
        client,
        url=f"{API}/enterprises/{code}/report",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    rows = {r["worker"]: r for r in response.json()["items"]}
    row = rows[careers.welder.code]
    assert row["channel"] == "management" and row["channel_level"] == "副处级"
    assert row["management_grade"] == "副处级" and row["entitled_min"] == "12000.00"
    assert {"skill_level", "entitled_min", "entitled_max", "allowance", "recorded", "gap"} <= set(
        row
    )
    assert careers.worker_b.code not in rows
    response = check_access(
        client,
        url=f"/careers/pay/{code}/report.xlsx",
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    welder = next(r for r in values if r[0] == careers.welder.name)
    assert "副处级" in welder and any("管理" in str(v) and "副处级" in str(v) for v in welder)
    client.force_login(careers.hr_a)
    page = client.get(f"/careers/pay/{code}/").content.decode()
    assert "副处级" in page
