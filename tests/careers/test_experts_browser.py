"""The main flow of expert-level selection on a 390-px phone: the worker applies on “my expert
level”, HR closes applications and adds a reviewer, the reviewer scores, HR ranks and publishes
the notice, the worker objects, HR answers, a second HR officer appoints, and the worker sees the
term on their page. No page is wider than the phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.core.notices.models import PublicNotice

from .experts_helpers import apply
from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _fits(tab: Any) -> None:
    tab.wait_for_load_state()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def _step(tab: Any, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).click()
    _fits(tab)


def test_expert_selection_on_a_phone(
    phone_page: Any, live_server: Any, world: Any, exp: Any, careers: Any
) -> None:
    base = live_server.url
    tab = phone_page
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    call = exp.call
    apply(exp, exp.workers[0])  # HR filed one; the worker applies for themself below

    # the worker applies on the phone
    login(tab, base, "worker_a")
    tab.goto(f"{base}/careers/experts/me/")
    _fits(tab)
    card = tab.locator(f".open-call[data-code='{call.code}']")
    assert card.locator(".text-danger").count() == 0  # every condition met, in green
    card.locator("textarea[name=statement]").fill("主持焊接机器人工艺攻关，带徒八名。")
    with tab.expect_navigation():
        card.locator("button[type=submit]").click()
    _fits(tab)
    assert "已申报" in tab.locator(f".open-call[data-code='{call.code}']").inner_text()
    assert call.applications.filter(worker=careers.welder).exists()

    # HR closes applications and adds the reviewer
    login(tab, base, "hr_org")
    tab.goto(f"{base}/careers/experts/calls/{call.code}/")
    _fits(tab)
    assert tab.locator("#applications tr.application").count() == 2
    _step(tab, "#step-review")
    tab.locator("#steps input[name=username]").fill("judge1")
    _step(tab, "#add-reviewer")

    # the reviewer scores both on the phone
    login(tab, base, "judge1")
    tab.goto(f"{base}/careers/experts/calls/{call.code}/")
    _fits(tab)
    forms = tab.locator("#panel form")
    assert forms.count() == 2
    for i in range(2):
        form = tab.locator("#panel form").nth(i)
        for field in form.locator("input[inputmode=decimal]").all():
            field.fill("90" if i == 0 else "80")
        with tab.expect_navigation():
            form.locator("button").click()
        _fits(tab)

    # HR ranks (2 places: both selected) and publishes the notice
    login(tab, base, "hr_org")
    tab.goto(f"{base}/careers/experts/calls/{call.code}/")
    _step(tab, "#step-finalise")
    assert tab.locator("#applications tr.application[data-status=selected]").count() == 2
    _step(tab, "#step-notice")
    assert "公示中" in tab.locator("#stage").inner_text()

    # the worker sees the masked names and objects
    login(tab, base, "worker_a")
    tab.goto(f"{base}/careers/experts/me/")
    _fits(tab)
    notice = tab.locator(".notice")
    assert "*" in notice.inner_text()
    notice.locator("textarea[name=text]").fill("请核实申报业绩。")
    with tab.expect_navigation():
        notice.locator("button").click()
    _fits(tab)

    # the notice ends; the unanswered objection halts the appointment
    call.refresh_from_db()
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=call.notice_id).update(
        starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=3)
    )
    login(tab, base, "hr_appoint")
    tab.goto(f"{base}/careers/experts/calls/{call.code}/")
    _step(tab, "#appoint")
    assert "异议" in tab.locator(".alert").first.inner_text()
    call.refresh_from_db()
    assert call.state == "notice"

    # HR answers (not upheld); the second HR officer appoints
    login(tab, base, "hr_org")
    tab.goto(f"{base}/careers/experts/calls/{call.code}/")
    answer = tab.locator(".objection form")
    answer.locator("textarea[name=reply]").fill("经核实，申报业绩属实。")
    with tab.expect_navigation():
        answer.locator("button").click()
    _fits(tab)
    login(tab, base, "hr_appoint")
    tab.goto(f"{base}/careers/experts/calls/{call.code}/")
    _step(tab, "#appoint")
    call.refresh_from_db()
    assert call.state == "appointed"

    # the worker sees their term
    login(tab, base, "worker_a")
    tab.goto(f"{base}/careers/experts/me/")
    _fits(tab)
    mine = tab.locator("#my-appointments .appointment[data-state=active]")
    assert "首席技师" in mine.inner_text() and "在聘" in mine.inner_text()
    assert errors == []
