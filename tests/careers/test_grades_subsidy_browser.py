"""In the browser, on a 390-px phone and on a desktop: HR records a worker's management grade on
the worker's career page and ends it; an officer creates a programme whose subsidy is paid per
academic year and pays an enrolled worker's due years one at a time. No horizontal scroll on the
phone, no page errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongjiang.careers import programmes as svc
from gongjiang.careers.models import ManagementGrade, Programme

from .programme_helpers import eligible_worker
from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
VIEWPORTS = ["phone_page", "page"]


def _no_scroll(tab: Any, phone: bool) -> None:
    if phone:
        assert tab.evaluate("document.documentElement.scrollWidth") <= 392


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_hr_records_and_ends_a_management_grade(
    request: Any, viewport: str, live_server: Any, world: Any, careers: Any
) -> None:
    tab = request.getfixturevalue(viewport)
    phone = viewport == "phone_page"
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    worker = careers.engineer
    login(tab, base, "hr_a")
    tab.goto(f"{base}/careers/workers/{worker.code}/")
    tab.wait_for_selector("#management-grades")
    _no_scroll(tab, phone)

    tab.locator("#record-grade summary").click()
    form = tab.locator("#record-grade form")
    form.locator("select[name=grade]").select_option("副科级")
    form.locator("input[name=since]").fill("2023-07-01")
    form.locator("input[name=document]").fill("人字〔2023〕9号")
    _no_scroll(tab, phone)
    form.locator("button[type=submit]").click()
    tab.wait_for_selector("#management-grades td:has-text('人字〔2023〕9号')")
    assert tab.inner_text("[data-testid=management-grade]") == "副科级"
    _no_scroll(tab, phone)
    held = ManagementGrade.objects.get(worker=worker)
    assert (held.grade, held.since, held.ended_on) == ("副科级", dt.date(2023, 7, 1), None)

    # a document number past its bound is refused with the field named, not cut
    tab.locator("#record-grade summary").click()
    form = tab.locator("#record-grade form")
    form.locator("select[name=grade]").select_option("正科级")
    form.locator("input[name=since]").fill("2024-07-01")
    form.locator("input[name=document]").evaluate("el => el.removeAttribute('maxlength')")
    form.locator("input[name=document]").fill("号" * 61)
    form.locator("button[type=submit]").click()
    tab.wait_for_selector(".alert-danger, .alert-error, [role=alert]")
    assert ManagementGrade.objects.filter(worker=worker).count() == 1

    tab.locator("#management-grades .end-grade summary").click()
    end = tab.locator("#management-grades .end-grade form")
    end.locator("input[name=ended_on]").fill("2025-01-01")
    end.locator("input[name=reason]").fill("调离岗位")
    _no_scroll(tab, phone)
    end.locator("button[type=submit]").click()
    tab.wait_for_selector("#management-grades td:has-text('调离岗位')")
    _no_scroll(tab, phone)
    held.refresh_from_db()
    assert held.ended_on == dt.date(2025, 1, 1) and held.end_reason == "调离岗位"
    assert errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_officer_creates_a_per_year_programme_and_pays_the_years(
    request: Any, viewport: str, live_server: Any, world: Any
) -> None:
    tab = request.getfixturevalue(viewport)
    phone = viewport == "phone_page"
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    login(tab, base, "alice")
    tab.goto(f"{base}/careers/programmes/")
    tab.locator("#new-programme summary").click()
    form = tab.locator("#new-programme form")
    form.locator("input[name=organization]").fill(world.province_a.code)
    form.locator("input[name=title]").fill("学历提升按学年补贴")
    form.locator("select[name=kind]").select_option("degree")
    form.locator("select[name=degree]").select_option("大专")
    form.locator("input[name=year]").fill("2024")
    form.locator("input[name=budget]").fill("30000.00")
    form.locator("select[name=subsidy_basis]").select_option("per_year")
    form.locator("input[name=subsidy_per_year]").fill("1500.00")
    form.locator("input[name=subsidy_years]").fill("3")
    _no_scroll(tab, phone)
    form.locator("button[type=submit]").click()
    tab.wait_for_url(lambda url: "/careers/programmes/" in url and url.rstrip("/") != base)
    programme = Programme.objects.get(title="学历提升按学年补贴")
    assert (programme.subsidy_basis, str(programme.subsidy_per_year), programme.subsidy_years) == (
        "per_year",
        "1500.00",
        3,
    )
    _no_scroll(tab, phone)

    # the worker is placed and enrolled two academic years ago (the services, as other pages do)
    svc.programme_places_set(
        actor=world.alice, programme=programme, organization=world.city_a, places=5
    )
    worker = eligible_worker(world.enterprise_a, 31)
    a = svc.programme_apply(actor=world.enterprise_officer_a, programme=programme, worker=worker)
    a = svc.programme_select(actor=world.alice, application=a, selected=True)
    enrolled = dt.date.today() - dt.timedelta(days=400)  # year 2 has begun, year 3 not
    a = svc.programme_enrol(actor=world.alice, application=a, enrolled_on=enrolled)

    tab.goto(f"{base}/careers/programmes/applications/{a.code}/")
    tab.wait_for_selector("#subsidy-years")
    _no_scroll(tab, phone)
    first = tab.locator("#subsidy-years tr[data-year='1']")
    first.locator("input[name=reference]").fill("凭证2024-001")
    first.locator("button.pay-year").click()
    tab.wait_for_selector("#subsidy-years tr[data-year='1'] .badge:has-text('已发放')")
    second = tab.locator("#subsidy-years tr[data-year='2']")
    second.locator("input[name=reference]").fill("凭证2025-001")
    second.locator("button.pay-year").click()
    tab.wait_for_selector("#subsidy-years tr[data-year='2'] .badge:has-text('已发放')")
    # the third year has not begun: nothing to pay yet
    assert tab.locator("#subsidy-years tr[data-year='3'] button.pay-year").count() == 0
    _no_scroll(tab, phone)
    assert [str(x.amount) for x in a.subsidy_lines.order_by("academic_year")] == [
        "1500.00",
        "1500.00",
    ]
    assert errors == []
