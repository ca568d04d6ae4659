"""In the browser, on a desktop and on a 390-px phone: HR drafts a new version of the career
table (a bad year is named by its rule), another HR approves it."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.careers.models import CareerTable

from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _fits(tab: Any, screen: str) -> None:
    tab.wait_for_load_state()
    if screen == "phone":
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_hr_drafts_and_another_approves(
    screen: str, page: Any, phone_page: Any, live_server: Any, world: Any, careers: Any
) -> None:
    tab = phone_page if screen == "phone" else page
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    login(tab, base, "hr_a")
    tab.goto(f"{base}/careers/enterprises/{world.enterprise_a.code}/table/")
    with tab.expect_navigation():
        tab.click("#draft-link")
    _fits(tab, screen)
    years = tab.locator("#rule-table input[id$='-y']").first
    years.fill("三年")
    with tab.expect_navigation():
        tab.click("#save-draft")
    _fits(tab, screen)
    message = tab.locator("#form-errors li").first.inner_text()
    assert "贯通规则第" in message and "年限" in message
    assert not CareerTable.objects.exists()

    tab.locator("#rule-table input[id$='-y']").first.fill("6")
    tab.locator("#eq-table input[id$='-grade']").nth(2).fill("主任科员")
    with tab.expect_navigation():
        tab.click("#save-draft")
    _fits(tab, screen)
    assert tab.locator("#drafter-note").is_visible()
    assert tab.locator("#approve-form").count() == 0
    assert tab.locator("tr.changed").count() == 2
    draft = CareerTable.objects.get()
    assert draft.status == "draft"

    login(tab, base, "hr_a2")
    tab.goto(f"{base}/careers/table-versions/{draft.code}/")
    _fits(tab, screen)
    tab.fill("#approve-note", "同意")
    with tab.expect_navigation():
        tab.click("#approve")
    _fits(tab, screen)
    assert tab.locator("#status").get_attribute("data-status") == "in_force"
    draft.refresh_from_db()
    assert draft.status == "in_force" and draft.decision_note == "同意"
    assert errors == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_hr_adds_and_removes_a_bridge_rule(
    screen: str, page: Any, phone_page: Any, live_server: Any, world: Any, careers: Any
) -> None:
    tab = phone_page if screen == "phone" else page
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    login(tab, base, "hr_a")
    tab.goto(f"{base}/careers/enterprises/{world.enterprise_a.code}/table/draft/")
    _fits(tab, screen)
    rows = tab.locator("#rule-table tbody tr").count()
    # a bad new rule is named and kept in its fields
    tab.select_option("#new-target", "intermediate")
    tab.select_option("#new-kind", "occupation")
    tab.fill("#new-prefixes", "机械")
    with tab.expect_navigation():
        tab.click("#add-rule")
    _fits(tab, screen)
    assert "职业" in tab.locator("#form-errors li").first.inner_text()
    assert tab.locator("#new-prefixes.is-invalid").count() == 1
    tab.fill("#new-prefixes", "6-18")
    tab.fill("#new-path", "技能特长")  # "standard" already has an occupation condition
    with tab.expect_navigation():
        tab.click("#add-rule")
    _fits(tab, screen)
    assert tab.locator("#rule-table tbody tr").count() == rows + 1
    tab.locator("#rule-table input[id$='-remove']").first.check()
    with tab.expect_navigation():
        tab.click("#save-draft")
    _fits(tab, screen)
    assert tab.locator("tr.removed").count() == 1
    draft = CareerTable.objects.get()
    assert draft.rules.count() == rows
    assert draft.rules.filter(kind="occupation", prefixes="6-18").exists()
    assert errors == []
