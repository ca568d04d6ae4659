"""In the browser: a worker checks their next step on a phone and applies; an HR officer finds a
worker, files a bridge application, and another HR officer approves it (the filer cannot)."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.careers.models import BridgeApplication, ProfessionalTitle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_worker_on_phone_and_hr_runs_a_bridge_application(
    phone_page: Any, page: Any, live_server: Any, world: Any, careers: Any
) -> None:
    base = live_server.url
    errors: list[str] = []
    phone_page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # a worker checks their next step on a phone: a technician since 2020 qualifies for 中级
    login(phone_page, base, "worker_a")
    phone_page.goto(f"{base}/careers/me/")
    assert phone_page.inner_text("[data-testid=skill-level]") == "技师"
    step = phone_page.locator(".next-step[data-target=intermediate]")
    assert "条件已满足" in step.inner_text()
    assert "满3年" in step.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    step.locator("button[type=submit]").click()
    phone_page.wait_for_url("**/careers/applications/**")
    assert phone_page.inner_text("#status") == "待审核"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    # an HR officer finds another worker and files an application the table does not support yet
    login(page, base, "hr_a")
    page.goto(f"{base}/careers/")
    page.fill("#worker-search input[name=q]", careers.engineer.name)
    page.click("#worker-search button")
    page.click(f"#found a[href='/careers/workers/{careers.engineer.code}/']")
    page.locator("#apply-other-target summary").click()
    page.select_option("#apply-target", "TECHNICIAN")
    page.click("#apply-other")
    page.wait_for_url("**/careers/applications/**")
    assert "职称达到中级及以上" in page.inner_text("main")  # what is missing, in words
    assert page.locator("#waiting").is_visible()  # the filer does not decide

    # the worker's own application: the other HR officer approves it; the title lands
    mine = BridgeApplication.objects.get(worker=careers.welder)
    login(page, base, "hr_a2")
    page.goto(f"{base}/")
    page.goto(f"{base}/careers/?decide=1")
    assert careers.welder.name in page.inner_text("main")
    page.goto(f"{base}/careers/applications/{mine.code}/")
    page.fill("#decision-note", "同意推荐")
    page.click("#approve")
    page.wait_for_selector("#status:has-text('已批准')")
    assert ProfessionalTitle.objects.get(worker=careers.welder).level == "intermediate"
    page.goto(f"{base}/careers/workers/{careers.welder.code}/")
    assert "中级" in page.inner_text("main")
    assert errors == []
