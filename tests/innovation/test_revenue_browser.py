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


def test_phone_revenue_correction_asked_and_approved(
    phone_page: Any, live_server: Any, world: Any, team: Any, tmp_path: Any, settings: Any
) -> None:
    """An officer asks for a correction of a certified year on the phone (figure, shares, reason,
    document); another officer approves it; the year's history shows both computations."""
    from gongjiang.innovation.models import RevenueCorrection

    settings.MEDIA_ROOT = tmp_path / "media"
    page, base = phone_page, live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    result = services.result_review(
        actor=team.hr, result=make_result(team, submit=True), adopted=True
    )
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="licence", first_year=2025
    )
    year = revenue.revenue_year_enter(
        actor=team.hr, scheme=scheme, year=2025, amount=Decimal("1000.00")
    )
    year = revenue.revenue_year_certify(actor=world.alice, year=year)
    document = tmp_path / "审计报告.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    login(page, base, "ent_officer_a")
    page.goto(f"{base}/innovation/revenue/{scheme.code}/")
    no_horizontal_scroll(page)
    with page.expect_navigation():
        page.click("#history-2025")
    no_horizontal_scroll(page)
    page.fill("#id_amount", "1200.00")
    page.fill("#id_reason", "审计调整：许可净收入应为1200元")
    page.set_input_files("#id_file", str(document))
    with page.expect_navigation():
        page.click("#ask-correction")
    no_horizontal_scroll(page)
    assert RevenueCorrection.objects.get().status == "requested"
    assert "审计调整" in page.content() and page.locator("#approve-1").count() == 0
    login(page, base, "alice")
    page.goto(f"{base}/innovation/revenue/years/{year.code}/")
    no_horizontal_scroll(page)
    with page.expect_navigation():
        page.click("#approve-1")
    no_horizontal_scroll(page)
    assert RevenueCorrection.objects.get().status == "approved"
    # 1200.00 × 0.50 = 600.00; the corrected computation counts now, the certified one is kept
    assert page.locator("#version-1 .year-total").inner_text().strip() == "600.00"
    assert page.locator("#version-0 .year-total").inner_text().strip() == "500.00"
    assert not errors
