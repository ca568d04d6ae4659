"""Phones: every menu page (and the home page) of the demo roles fits a 390-px-wide screen with no
horizontal scroll, and lists become cards."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from gongjiang.core.demo import DEMO_PASSWORD

from .demo_walk import build_demo, menu_urls

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# one login per kind of role, at the levels where the menus differ; each URL once per role
ROLES = (
    "sysadmin",
    "js_admin",
    "js_officer",
    "js_trainer",
    "js_judge",
    "js_inspector",
    "pz_worker",
    "hrss_officer",
)
WIDTH = 390


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-button")
    page.wait_for_url(f"{base}/")


def test_every_menu_page_fits_a_phone(
    phone_page: Any, page: Any, live_server: Any, tmp_path: Any
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        build_demo()
    base = live_server.url
    too_wide: list[str] = []
    visited = 0
    for username in ROLES:
        user = get_user_model().objects.get(username=username)
        _login(phone_page, base, username)
        for url in dict.fromkeys(["/", *menu_urls(user)]):
            phone_page.goto(base + url)
            visited += 1
            width = phone_page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                too_wide.append(f"{username} {url}: {width} px")
    assert visited > 60
    assert not too_wide, "\n".join(too_wide)
    # desktops too: the menus of the busiest roles wrap instead of widening the page
    # (regression: 1,655 px at 1,280 for js_officer)
    for width in (1280, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        for username in ROLES:
            _login(page, base, username)
            page.goto(base + "/")
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                too_wide.append(f"{username} / at {width}: {wide} px")
    assert not too_wide, "\n".join(too_wide)
    # lists become cards: each cell names its column, the header row is hidden
    _login(phone_page, base, "js_officer")
    phone_page.goto(base + "/workforce/workers/")
    cell = phone_page.locator("#worker-table tbody tr td").first
    assert cell.get_attribute("data-label")
    assert not phone_page.locator("#worker-table thead").is_visible()
