"""In the browser, on a desktop and on a 390-px phone: the organiser changes a round's composition
rules and places on the page (a bad share is named by its rule and field), and records a worker's
disqualifying record."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.careers.models import CompositionRule, DisqualifyingRecord, HonourQuota

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
def test_organiser_edits_rules_places_and_records(
    screen: str, page: Any, phone_page: Any, live_server: Any, world: Any, hon: Any
) -> None:
    tab = phone_page if screen == "phone" else page
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    login(tab, live_server.url, "city_officer")
    tab.goto(f"{live_server.url}/careers/honours/{hon.round.code}/")
    with tab.expect_navigation():
        tab.click("#settings-link")
    _fits(tab, screen)

    # the second rule (leaders at most 15 %) gets a share that is no number: named, nothing saved
    tab.fill("#p-1", "百分之二十")
    with tab.expect_navigation():
        tab.click("#save-rules")
    _fits(tab, screen)
    message = tab.locator("#form-errors li[data-field='rules[1].percent']").inner_text()
    assert "第2条" in message and "比例" in message
    assert "is-invalid" in tab.locator("#p-1").get_attribute("class")
    assert CompositionRule.objects.get(round=hon.round, bound="max").percent == 15

    tab.fill("#p-1", "20")
    with tab.expect_navigation():
        tab.click("#save-rules")
    assert tab.locator(".alert-success").count() == 1
    assert CompositionRule.objects.get(round=hon.round, bound="max").percent == 20

    tab.fill(f"#q-{world.enterprise_a.code}", "4")
    with tab.expect_navigation():
        tab.click("#save-quotas")
    _fits(tab, screen)
    assert HonourQuota.objects.get(round=hon.round, organization=world.enterprise_a).places == 4

    worker = hon.workers["technician"][0]
    tab.goto(f"{live_server.url}/careers/honours/")
    tab.fill("#rec-worker", worker.code)
    with tab.expect_navigation():
        tab.click("#records-find button[type=submit]")
    _fits(tab, screen)
    tab.select_option("#r-kind", "safety")
    tab.fill("#r-date", "2025-05-01")
    tab.fill("#r-note", "安全生产责任事故")
    with tab.expect_navigation():
        tab.click("#save-record")
    _fits(tab, screen)
    assert tab.locator("#records tbody tr").count() == 1
    assert DisqualifyingRecord.objects.get(worker=worker).kind == "safety"
    assert errors == []


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_level_above_returns_and_the_organiser_sees_why(
    screen: str, page: Any, phone_page: Any, live_server: Any, world: Any, hon: Any
) -> None:
    from .honours_helpers import run_to_notice

    tab = phone_page if screen == "phone" else page
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: dialog.accept())
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:1])
    reason = "推荐材料缺少所在单位党组织意见，请补齐后重新报送。"
    login(tab, live_server.url, "alice")  # an officer of the province, the level above
    tab.goto(f"{live_server.url}/careers/honours/{round_.code}/")
    _fits(tab, screen)
    tab.fill("#return-reason", reason)
    with tab.expect_navigation():
        tab.click("#return")
    _fits(tab, screen)
    round_.refresh_from_db()
    assert round_.state == "nominating"
    login(tab, live_server.url, "city_officer")
    tab.goto(f"{live_server.url}/careers/honours/{round_.code}/")
    _fits(tab, screen)
    assert reason in tab.locator("#returned").inner_text()
    assert tab.locator("#step-review").is_visible()  # the organiser can resubmit
    assert errors == []
