"""The spine in a real browser (system Chromium): log in as the demo province officer, switch to
English, browse the organisation tree with htmx, log out; lockout after 5 bad passwords."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from gongjiang.core.demo import DEMO_PASSWORD, load_core_demo
from gongjiang.core.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo() -> Any:
    if not Region.objects.exists():  # an earlier transactional test flushed the migration's data
        call_command("load-refdata", verbosity=0)
    return load_core_demo()


def _login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-button")


def test_officer_logs_in_switches_language_browses_tree_and_logs_out(
    page: Any, live_server: Any
) -> None:
    ctx = _demo()
    base = live_server.url
    _login(page, base, "js_officer", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # switch to English
    page.select_option("#language-select", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("#logout-button").count() == 1
    assert "Log out" in page.content()
    # the tree: the province is the root of the officer's scope; expand it and its first city
    page.goto(f"{base}/organizations/")
    province = page.locator(f'li.node[data-code="{ctx.province.code}"]')
    assert province.count() == 1
    assert page.locator(f'li.node[data-code="{ctx.other_province.code}"]').count() == 0
    province.locator("> button.toggle").click()
    nanjing = page.locator(f'li.node[data-code="{ctx.cities[0].code}"]')
    nanjing.wait_for()
    assert nanjing.is_visible() and "南京市总工会" in nanjing.inner_text()
    nanjing.locator("> button.toggle").click()
    enterprise = page.locator(f'li.node[data-code="{ctx.enterprises[0].code}"]')
    enterprise.wait_for()
    assert enterprise.is_visible()
    # open an organisation's page from the tree
    enterprise.locator("> a").click()
    page.wait_for_url(f"{base}/organizations/{ctx.enterprises[0].code}/")
    assert ctx.enterprises[0].name in page.content()
    # log out
    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_url(f"{base}/login/")
    page.goto(f"{base}/organizations/")
    assert "/login/" in page.url


def test_lockout_after_five_bad_passwords(page: Any, live_server: Any) -> None:
    _demo()
    base = live_server.url
    for _ in range(4):
        _login(page, base, "js_worker", "wrong-password-1")
        page.locator("#login-error").wait_for()  # the click navigates: wait for the answer page
        assert page.locator("#login-error").is_visible()
    _login(page, base, "js_worker", "wrong-password-1")  # the fifth failure locks the account
    page.locator("#lockout-message").wait_for()
    # even the right password is refused now
    _login(page, base, "js_worker", DEMO_PASSWORD)
    page.locator("#lockout-message").wait_for()
    page.goto(f"{base}/")
    assert "/login/" in page.url
    # another account is not affected
    _login(page, base, "js_trainer", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
