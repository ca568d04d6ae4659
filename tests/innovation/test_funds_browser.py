"""The reward-fund pages in the browser, on a phone (390 px) and on a desktop, with no sideways
scroll: an officer proposes the year's budget, another approves it, a revenue-sharing year is paid
from the fund on the scheme's page, and the fund's yearly ledger (budget, used, remaining) and the
balance show the payment."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.innovation import fund_budgets
from gongjiang.innovation.fund_budgets import payment_year

from .test_browser import login, no_horizontal_scroll
from .test_fund_budgets import carol, certified_year, fund  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", ["phone_page", "page"])
def test_budget_payment_and_ledger(
    request: Any,
    viewport: str,
    live_server: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
    carol: Any,  # noqa: F811
) -> None:
    page = request.getfixturevalue(viewport)
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    row = certified_year(world, team, fund, "300.00")
    year = payment_year()
    detail = f"{base}/innovation/funds/{fund.code}/"

    login(page, base, "alice")
    page.goto(f"{base}/innovation/funds/")
    no_horizontal_scroll(page)
    page.click(f"a[href='/innovation/funds/{fund.code}/']")
    page.wait_for_selector("#budgets")
    no_horizontal_scroll(page)
    page.fill("#id_year", str(year))
    page.fill("#id_amount", "2000.00")
    page.click("#propose")
    page.wait_for_selector(f"#budget-{year}")
    no_horizontal_scroll(page)
    assert page.locator(f"#budget-{year} button[value='approve']").count() == 0  # not the proposer

    login(page, base, "carol")
    page.goto(detail)
    no_horizontal_scroll(page)
    page.click(f"#budget-{year} button[value='approve']")
    page.wait_for_load_state()
    assert fund_budgets.FundBudget.objects.get(fund=fund).approved_by_id == carol.pk

    login(page, base, world.enterprise_officer_a.username)
    page.goto(f"{base}/innovation/revenue/{row.scheme.code}/")
    no_horizontal_scroll(page)
    page.click("#pay-2025")
    page.wait_for_load_state()

    login(page, base, "alice")
    page.goto(detail)
    no_horizontal_scroll(page)
    ledger = page.inner_text(f"#budget-{year}")
    assert "2000.00" in ledger and "300.00" in ledger and "1700.00" in ledger
    assert page.inner_text("#balance").strip() == "99700.00"
    page.goto(f"{base}/innovation/funds/")
    no_horizontal_scroll(page)
    assert "1700.00" in page.inner_text("#funds")
    assert not errors
