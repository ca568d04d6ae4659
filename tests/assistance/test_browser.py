"""In the browser, on a phone: a worker applies; the enterprise union checks; the notice shows the
worker only a masked name; after the notice the city approves; support is decided and paid. No
page scrolls sideways at 390 px."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.assistance import support
from gongjiang.assistance.models import HardshipFile, SupportRecord
from gongjiang.core.ledger.services import fund_create, fund_credit

from .conftest import end_notice

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_url(lambda url: "/login/" not in url)


def done(page: Any) -> None:
    """The page answered with a message: it must be a success."""
    alert = page.wait_for_selector("[role=alert]")
    assert "alert-success" in (alert.get_attribute("class") or ""), alert.inner_text()


def fits(page: Any) -> None:
    page.wait_for_load_state()  # a click may have just started loading the next page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"{page.url} is {width}px wide"


def test_apply_check_notice_approve_pay_on_a_phone(
    phone_page: Any, live_server: Any, assist: Any
) -> None:
    a = assist
    page = phone_page
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the worker applies on the phone
    login(page, base, "worker_a")
    page.goto(f"{base}/assistance/me/")
    fits(page)
    page.click("#apply-link")
    page.fill("#id_m-0-relation", "本人")
    page.fill("#id_m-0-monthly_income", "1500.00")
    page.fill("#id_m-0-health", "高血压")
    page.fill("#id_m-1-relation", "子女")
    page.fill("#id_m-1-monthly_income", "0")
    page.check("#id_consent")
    fits(page)
    page.click("#apply")
    page.wait_for_selector("#file-status")
    assert "待工会审核" in page.inner_text("#file-status")
    file = HardshipFile.objects.get()
    assert file.category == "deep"  # 750.00 a head < 1150.00
    # the enterprise union's assistance officer checks: the notice is published
    login(page, base, "ent_helper")
    page.goto(f"{base}/assistance/files/")
    fits(page)
    page.goto(f"{base}/assistance/files/{file.code}/")
    page.select_option("#id_purpose", "review")
    page.click("#open-data")
    assert "高血压" in page.inner_text("body")
    page.click("#check")
    done(page)
    assert "公示中" in page.inner_text("#file-status")
    # the worker sees the notice: only the masked name
    login(page, base, "worker_a")
    page.goto(f"{base}/assistance/me/")
    names = page.inner_text("#notices")
    assert "王*明" in names and "王小明" not in names and "1500" not in names
    fits(page)
    # the notice ends; the city approves
    file.refresh_from_db()
    end_notice(file)
    login(page, base, "city_helper")
    page.goto(f"{base}/assistance/files/{file.code}/")
    page.click("#approve")
    done(page)
    assert "已建档" in page.inner_text("#file-status")
    # support is decided by the enterprise and paid by the city, from the city's fund
    lines = support.lines_ensure_defaults(actor=a.city_helper, organization=a.world.city_a)
    fund = fund_create(actor=a.city_helper, organization=a.world.city_a, name="困难职工帮扶资金")
    fund_credit(actor=a.city_helper, fund=fund, amount="10000.00")
    login(page, base, "ent_helper")
    page.goto(f"{base}/assistance/files/{file.code}/")
    page.select_option("#id_line", lines[0].code)
    page.fill("#id_amount", "800")
    page.click("#decide")
    done(page)
    login(page, base, "city_helper")
    page.goto(f"{base}/assistance/files/{file.code}/")
    page.click("button.pay")
    done(page)
    assert "已发放" in page.inner_text(".support-status")
    fits(page)
    record = SupportRecord.objects.get()
    assert record.status == "paid" and record.payment is not None
    fund.refresh_from_db()
    assert str(fund.balance) == "9200.00"
    for url in ("/assistance/", "/assistance/reports/", "/assistance/funds/", "/assistance/lines/"):
        page.goto(f"{base}{url}")
        fits(page)
    assert not errors
