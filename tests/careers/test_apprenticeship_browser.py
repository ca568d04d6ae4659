"""On a 390-px phone: the enterprise mentor opens "my apprentices", marks a workplace task done and
records the month's progress; the apprentice then sees their plan and the month on "my
apprenticeship". On the desktop, HR enrols an apprentice in the cohort with the worker picker."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongjiang.careers import apprenticeship as svc

from . import apprentice_helpers
from .apprentice_helpers import enrol
from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
appr = apprentice_helpers.appr


def test_mentor_and_apprentice_on_a_phone(
    phone_page: Any, page: Any, live_server: Any, world: Any, appr: Any
) -> None:
    base = live_server.url
    errors: list[str] = []
    phone_page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    a = enrol(appr, appr.me)
    svc.apprentice_plan_item_add(
        actor=appr.hr, apprentice=a, kind="task", title="板对接平焊", hours="40"
    )
    # the mentor, on a phone
    tab = phone_page
    login(tab, base, "mentor_a")
    tab.goto(f"{base}/careers/apprenticeship/me/")
    tab.locator("#my-apprentices a", has_text=appr.me.name).click()
    tab.wait_for_selector("#plan-items")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.locator(".done-form input[name=result]").fill("合格")
    tab.locator(".done-form button").click()
    tab.wait_for_selector("#plan-items .item-done")
    tab.locator("#p-month").fill("2025-04")
    tab.locator("#p-work").fill("120")
    tab.locator("#p-inst").fill("16")
    tab.locator("#p-summary").fill("板对接平焊练习")
    tab.locator("#p-comment").fill("进步明显")
    tab.locator("#progress-save").click()
    tab.wait_for_selector("#progress td:has-text('板对接平焊练习')")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    assert a.progress.get().month == dt.date(2025, 4, 1)
    # the apprentice, on a phone
    login(tab, base, "worker_a")
    tab.goto(f"{base}/careers/apprenticeship/me/")
    tab.wait_for_selector("#my-apprenticeship")
    assert tab.locator("#plan .progress-bar").inner_text().strip() == "100%"
    assert "板对接平焊练习" in tab.locator("#my-progress").inner_text()
    assert tab.locator(".done-form").count() == 0  # the apprentice records nothing
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    # HR, on the desktop, enrols a second apprentice with the worker picker
    login(page, base, "hr_appr")
    page.goto(f"{base}/careers/apprenticeship/cohorts/{appr.cohort.code}/")
    page.locator("#enrol summary").click()
    page.locator("#e-worker").fill(appr.other.code)
    page.locator("#e-mentor").fill(appr.mentor.code)
    page.locator("#e-start").fill("2025-03-01")
    page.locator("#e-signed").fill("2025-03-01")
    page.locator("#e-end").fill("2027-02-28")
    page.locator("#e-teacher").fill("王老师")
    with page.expect_navigation():
        page.locator("#enrol-submit").click()
    page.wait_for_selector("#agreement")
    assert appr.cohort.apprentices.count() == 2
    assert errors == []
