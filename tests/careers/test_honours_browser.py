"""In the browser: a cadre nominates on the round's page and the composition bar turns red when a
rule breaks — and green again when the list is mended — on a desktop and on a 390-px phone."""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _nominate(page: Any, unit: str, worker: Any, deeds: str) -> None:
    form = page.locator(f"#unit-{unit} form.nominate-form")
    form.locator("input[name=worker]").fill(worker.code)
    form.locator("textarea[name=deeds]").fill(deeds)
    form.locator("button[type=submit]").click()


def _rule(page: Any, unit: str, bound: str) -> Any:
    return page.locator(f"#unit-{unit} .composition-rule[data-bound={bound}]")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_cadre_nominates_and_the_bar_turns_red(
    screen: str, page: Any, phone_page: Any, live_server: Any, world: Any, hon: Any
) -> None:
    tab = phone_page if screen == "phone" else page
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    unit = world.enterprise_a.code
    login(tab, live_server.url, "ent_officer_a")
    tab.goto(f"{live_server.url}/careers/honours/{hon.round.code}/")

    _nominate(tab, unit, hon.workers["frontline"][0], "扎根一线二十年")
    tab.wait_for_selector(f"#unit-{unit} td:has-text('{hon.workers['frontline'][0].name}')")
    assert "rule-met" in _rule(tab, unit, "min").get_attribute("class")
    assert "rule-met" in _rule(tab, unit, "max").get_attribute("class")

    # a leader makes half the list: leaders at most 15 % breaks, the bar turns red
    _nominate(tab, unit, hon.workers["leader"][0], "带领企业转型升级")
    tab.wait_for_selector(f"#unit-{unit} .composition-rule[data-bound=max].rule-broken")
    leader_bar = _rule(tab, unit, "max")
    assert "1/2" in leader_bar.inner_text()
    assert "bg-danger" in leader_bar.locator(".progress-bar").get_attribute("class")
    assert leader_bar.locator(".progress-bar").is_visible()
    if screen == "phone":
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390

    # withdrawing the leader mends the list: green again
    row = tab.locator(f"#unit-{unit} tr", has_text=hon.workers["leader"][0].name)
    row.locator("button", has_text="撤回推荐").click()
    tab.wait_for_selector(f"#unit-{unit} .composition-rule[data-bound=max].rule-met")
    assert "0/1" in _rule(tab, unit, "max").inner_text()
    assert errors == []
