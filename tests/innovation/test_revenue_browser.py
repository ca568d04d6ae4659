"""In the browser on a phone (390 px, no horizontal scroll): an officer certifies a revenue-sharing
year and sees its computation line by line; the worker opens their shares; the studio pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gongjiang.innovation import revenue, services, studios
from gongjiang.innovation.models import RevenueYear

from .conftest import make_result
from .test_browser import login, no_horizontal_scroll
from .test_studios import honour

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_phone_revenue_and_studios(
    phone_page: Any, live_server: Any, world: Any, team: Any
) -> None:
    page, base = phone_page, live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    result = services.result_review(
        actor=team.hr, result=make_result(team, submit=True), adopted=True
    )
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="own_use", first_year=2025, own_use_years=5
    )
    revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2025, amount=Decimal("100000.10"))
    honour(team.workers[0])
    studio = studios.studio_propose(
        actor=world.enterprise_officer_a,
        organization=world.enterprise_a,
        name="李斌劳模创新工作室",
        level="provincial",
        leader=team.workers[0],
    )
    login(page, base, "alice")
    page.goto(f"{base}/innovation/revenue/{scheme.code}/")
    no_horizontal_scroll(page)
    page.click("#certify-2025")
    page.wait_for_selector(".year-total")
    no_horizontal_scroll(page)
    # 100000.10 × 0.05 = 5000.005 → 5000.01; the parts add up to it
    assert page.inner_text(".year-total").strip() == "5000.01"
    assert RevenueYear.objects.get().status == "certified"
    page.goto(f"{base}/innovation/studios/")
    no_horizontal_scroll(page)
    page.goto(f"{base}/innovation/studios/{studio.code}/")
    no_horizontal_scroll(page)
    page.click("#approve-studio")
    page.wait_for_selector("#studio-status")
    assert "已命名" in page.inner_text("#studio-status")
    login(page, base, "worker_a")
    page.goto(f"{base}/innovation/revenue/mine/")
    no_horizontal_scroll(page)
    assert "2500.01" in page.content()  # 50 % of 5000.01: 2500.005 → the left-over fen
    assert page.locator("#my-statement").count() == 1
    assert not errors
