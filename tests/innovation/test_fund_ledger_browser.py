"""The ledger of a reward fund in the browser, on a phone (390 px) and on a desktop, with no
sideways scroll: a paid and then corrected revenue-sharing year shows as its entries — money in,
the three shares paid, their reversals and the corrected shares — each with the balance it left,
the newest first; the page's Excel link downloads the same ledger."""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser import login, no_horizontal_scroll
from .test_fund_ledger import paid_and_corrected
from .test_revenue_corrections import fund  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_fund_ledger_page(
    request: Any,
    viewport: str,
    live_server: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
    tmp_path: Any,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page = request.getfixturevalue(viewport)
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    paid_and_corrected(world, team, fund)

    login(page, base, "alice")
    page.goto(f"{base}/innovation/funds/")
    no_horizontal_scroll(page)
    page.click(f"a[href='/innovation/funds/{fund.code}/']")
    page.wait_for_selector("#ledger")
    no_horizontal_scroll(page)
    rows = page.locator("#ledger tbody tr")
    assert rows.count() == 10  # the credit, three shares, three reversals, three corrected
    newest = rows.first.inner_text()
    assert "99400.00" in newest  # its balance is the fund's
    assert page.inner_text("#balance").strip() == "99400.00"
    assert page.locator("#ledger tbody tr.ledger-correction").count() == 6
    assert page.locator("#ledger tbody tr.ledger-revenue").count() == 3
    assert "100000.00" in rows.last.inner_text()
    assert "李斌" in page.inner_text("#ledger")
    with page.expect_download() as download:
        page.click("#ledger-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not errors
