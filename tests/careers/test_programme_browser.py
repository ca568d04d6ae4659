"""On a 390-px phone: a worker reads their eligibility, applies to the 求学圆梦 programme and, once
selected and enrolled, sees their progress; the officer's desktop page lists the application."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongjiang.careers import programmes as svc

from . import programme_helpers
from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
prog = programme_helpers.prog


def test_a_worker_applies_on_a_phone_and_sees_progress(
    phone_page: Any, page: Any, live_server: Any, world: Any, prog: Any
) -> None:
    tab = phone_page
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    login(tab, live_server.url, "worker_a")
    tab.goto(f"{live_server.url}/careers/programmes/")
    tab.locator("#programmes a", has_text=prog.programme.title).click()
    tab.wait_for_selector("#my-eligibility")
    assert tab.locator("#my-eligibility .text-danger").count() == 0
    tab.locator("#apply-form input[name=course]").fill("机电一体化")
    tab.locator("#apply").click()
    tab.wait_for_selector("#status")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    a = prog.programme.applications.get()
    assert a.worker == prog.me and a.partner == prog.partner

    a = svc.programme_select(actor=world.alice, application=a, selected=True)
    a = svc.programme_enrol(actor=world.alice, application=a, enrolled_on=dt.date(2026, 3, 1))
    svc.programme_progress_add(
        actor=world.alice, application=a, date=dt.date(2026, 7, 1), title="第一学期", hours=96
    )
    tab.goto(f"{live_server.url}/careers/programmes/")
    tab.locator("#my-applications a", has_text=prog.programme.title).click()
    tab.wait_for_selector("#progress td:has-text('第一学期')")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390

    login(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/careers/programmes/{prog.programme.code}/")
    page.wait_for_selector(f"#applications td:has-text('{prog.me.name}')")
    page.goto(f"{live_server.url}/careers/programmes/{prog.programme.code}/report/")
    page.wait_for_selector("#by-region")
    assert errors == []
