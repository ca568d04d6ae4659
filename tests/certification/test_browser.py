"""Browser flow (system Chromium): an examiner scores the practical checklist on a phone, the
officer decides and issues, and the QR URL embedded in the certificate PDF opens the public
verification page, which says "valid"."""

from __future__ import annotations

import re

import pytest

from gongjiang.certification.models import Candidate, Certificate
from tests.factories import UserFactory, member

from .factories import make_plan, make_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "Correct-horse-9"


def login(page, live_server, username):  # noqa: ANN001, ANN201
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_score_issue_and_verify(phone_page, page, browser, live_server, world, settings):  # noqa: ANN001, ANN201
    # the deployment's public address is where QR codes point (here: the test server)
    settings.PUBLIC_BASE_URL = live_server.url
    plan = make_plan(
        world.enterprise_a,
        has_theory=False,
        items=[("焊前准备", 20), ("焊接操作", 50), ("焊缝质量", 30)],
    )
    worker = make_worker(world.enterprise_a, "张小三", user=world.worker_a, level="INTERMEDIATE")
    cand = Candidate.objects.create(plan=plan, worker=worker)
    judge = UserFactory(username="judge_browser")
    member(judge, world.enterprise_a, "judge")

    # 1. the examiner scores on a phone
    login(phone_page, live_server, judge.username)
    phone_page.goto(f"{live_server.url}/certification/plans/{plan.code}/examine/")
    with phone_page.expect_navigation():
        phone_page.locator("#examine-list a", has_text="张小三").click()
    inputs = phone_page.locator(".gj-points")
    inputs.first.wait_for()
    assert inputs.count() == 3
    box = inputs.first.bounding_box()
    assert box["height"] >= 40 and box["width"] >= 150  # finger-sized on a 390 px screen
    for value, field in zip(("18", "40", "25.5"), inputs.all(), strict=True):
        field.fill(value)
    assert phone_page.locator("#points-total").inner_text() == "83.5"
    phone_page.click("#checklist-save")
    phone_page.wait_for_url(re.compile(r"/examine/$"))
    assert (
        "scored" in phone_page.locator("#examine-list").inner_text()
        or "已评分" in phone_page.locator("#examine-list").inner_text()
    )
    cand.refresh_from_db()
    assert str(cand.practical_score) == "83.50"

    # 2. the officer decides and issues (a background job with progress)
    login(page, live_server, world.alice.username)
    page.goto(f"{live_server.url}/certification/plans/{plan.code}/")
    page.click("#decide-button")
    page.locator("#plan-status[data-status='decided']").wait_for()
    page.click("#issue-button")
    page.locator("[data-status='succeeded']").wait_for()
    cert = Certificate.objects.get(candidate=cand)
    page.goto(f"{live_server.url}/certification/plans/{plan.code}/")
    page.locator("#candidate-table a", has_text=cert.number).click()
    assert page.locator("#cert-number").inner_text() == cert.number

    # 3. the PDF embeds the verification URL; opened by anyone (no login) it says "valid"
    pdf = page.request.get(live_server.url + page.locator("#pdf-link").get_attribute("href"))
    data = pdf.body()
    assert data.startswith(b"%PDF") and cert.number.encode() in data
    qr_url = (
        re.search(rb"(http://[^\s()]+/certification/verify/[A-Za-z0-9_\-]+/)", data)
        .group(1)
        .decode()
    )
    public = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        visitor = public.new_page()
        visitor.goto(qr_url)
        status = visitor.locator("#verify-status")
        assert status.get_attribute("data-status") == "valid"
        assert "有效" in status.inner_text()
        assert visitor.locator("#verify-holder").inner_text() == "张*三"
        assert "张小三" not in visitor.content()
    finally:
        public.close()
