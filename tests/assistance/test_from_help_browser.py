"""On a 390 px phone: the cadre who answers help requests opens a hardship application from a
worker's hardship request (the worker and their registry data filled in), then the worker sees on
their phone that an application was opened and its status — no internal notes."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.assistance.models import HardshipFile
from gongjiang.members import helpdesk

from ..factories import UserFactory, member
from .test_browser import fits, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_cadre_opens_the_application_and_the_worker_sees_it(
    phone_page: Any, live_server: Any, assist: Any
) -> None:
    a = assist
    cadre = UserFactory(username="ent_handler")
    member(cadre, a.world.enterprise_a, "officer")
    member(cadre, a.world.enterprise_a, "assistance")
    req = helpdesk.help_file(
        actor=a.world.worker_a,
        category="hardship",
        subject="爱人住院，生活困难",
        text="爱人住院三个月，家里只有我一份工资。",
    )
    page = phone_page
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, "ent_handler")
    page.goto(f"{base}/members/help/{req.code}/")
    fits(page)
    with page.expect_navigation():
        page.click("#open-hardship-file")
    fits(page)
    # the worker's own row is there: relation and birth date from the registry
    assert page.input_value("#id_m-0-relation") == "本人"
    assert page.input_value("#id_m-0-birth_date") == a.worker.birth_date.isoformat()
    assert req.code in page.input_value("#id_note")
    page.fill("#id_m-0-monthly_income", "1800")
    page.fill("#id_m-1-relation", "配偶")
    page.fill("#id_m-1-monthly_income", "0")
    page.fill("#id_m-1-health", "住院")
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("#open-file")
    page.wait_for_selector("#hardship-file-status")
    assert "待工会审核" in page.inner_text("#hardship-file-status")
    fits(page)
    file = HardshipFile.objects.get(help_request=req)
    assert file.category == "deep" and file.applied_by.username == "ent_handler"
    assert page.locator("#open-hardship-file").count() == 0
    # an internal note the worker must not see
    page.fill("#id_text", "内部备注：下周家访")
    page.check("#id_internal")
    with page.expect_navigation():
        page.click("#send-reply")
    # the worker, on their phone
    login(page, base, "worker_a")
    page.goto(f"{base}/members/help/{req.code}/")
    page.wait_for_selector("#hardship-file")
    assert "待工会审核" in page.inner_text("#hardship-file-status")
    body = page.inner_text("body")
    assert "内部备注" not in body and "1800" not in body
    fits(page)
    with page.expect_navigation():
        page.click("#hardship-file-link")
    assert f"/assistance/me/{file.code}/" in page.url
    fits(page)
    assert not errors, errors
