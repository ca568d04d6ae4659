"""The Content-Security-Policy holds in a real browser: the main pages raise no CSP violation
(no inline script or handler is left, every asset is local), and the behaviours that moved from
inline handlers to static files still work."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from gongjiang.core.demo import load_core_demo
from gongjiang.core.models import Region
from tests.factories import UserFactory
from tests.test_integer_bounds import _page_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def enforcing_page(browser: Any, live_server: Any, transactional_db: Any) -> Any:
    """A page that enforces the policy (the shared fixtures bypass it for Playwright's polling)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def test_pages_raise_no_csp_violation(enforcing_page: Any, live_server: Any) -> None:
    page = enforcing_page
    if not Region.objects.exists():
        call_command("load-refdata", verbosity=0)
    ctx = load_core_demo()
    UserFactory(username="csp_root", is_superuser=True, is_staff=True)
    base = live_server.url
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(COLLECT)
    page.goto(f"{base}/login/")
    response = page.request.get(f"{base}/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    page.fill("#id_username", "csp_root")
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_url(f"{base}/")
    urls = [u for u in _page_urls() if not u.endswith((".xlsx", ".pdf", ".csv"))]
    urls += [f"/organizations/{ctx.province.code}/", "/api/v1/docs"]
    violations = []
    for url in urls:
        probe = page.request.get(f"{base}{url}")
        if "attachment" in probe.headers.get("content-disposition", ""):
            continue  # a download (the roster template …), not a page
        if probe.status == 405:
            continue  # an action that only answers a POST (mark notifications read …), not a page
        page.goto(f"{base}{url}", wait_until="load")
        found = page.evaluate("window.__csp || []")
        violations += [f"{url}: {v}" for v in found]
    assert not violations, "\n".join(violations)
    assert not console, "\n".join(console)

    # the behaviours that used to be inline handlers work from behaviours.js
    page.goto(f"{base}/organizations/")
    root = page.locator("li.node").first
    root.locator("> button.toggle").click()
    root.locator("li.node").first.wait_for()
    assert "bi-caret-down-fill" in (root.locator("> button.toggle i").get_attribute("class") or "")
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(f"{base}/organizations/{ctx.province.code}/")
    confirm_forms = page.locator("form[data-confirm] button")
    if confirm_forms.count():
        confirm_forms.first.click()
        page.wait_for_timeout(300)
        assert asked, "data-confirm asks before submitting"
    page.select_option("#language-select", "en")  # data-autosubmit
    page.wait_for_load_state("load")
    page.wait_for_selector("html[lang=en]")
    assert not page.evaluate("window.__csp || []")
