"""In the browser, on a phone (390 px, no horizontal scroll): a worker asks a question, a
colleague at another enterprise answers and votes it up, the asker accepts the answer; the expert
mark and the accepted answer show, and the pinyin search finds the question."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.core.models import SkillLevel
from gongjiang.innovation.models import Question
from tests.factories import UserFactory, member

from .test_browser import login, no_horizontal_scroll

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_phone_ask_answer_accept(phone_page: Any, live_server: Any, world: Any, team: Any) -> None:
    page, base = phone_page, live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    qian = UserFactory(username="qian_b")
    member(qian, world.enterprise_b, "worker")
    team.worker_b.user = qian
    team.worker_b.skill_level = SkillLevel.objects.get(code="SENIOR_TECHNICIAN")
    team.worker_b.save(update_fields=["user", "skill_level"])

    # the worker asks on a phone
    login(page, base, "worker_a")
    page.goto(f"{base}/innovation/exchange/")
    no_horizontal_scroll(page)
    page.click("#ask")
    page.wait_for_selector("#id_title")
    no_horizontal_scroll(page)
    page.fill("#id_title", "薄板焊接变形怎么控制")
    page.fill("#id_topic", "焊接变形")
    page.fill("#id_body", "3毫米不锈钢拼焊后波浪变形，有什么办法？")
    page.click("#post-question")
    page.wait_for_selector("#question-title")
    assert page.inner_text("#question-title") == "薄板焊接变形怎么控制"
    no_horizontal_scroll(page)
    code = Question.objects.get().code

    # a colleague at another enterprise finds it by pinyin, answers and votes it up
    login(page, base, "qian_b")
    page.goto(f"{base}/innovation/exchange/")
    page.fill("#exchange-q", "hjbx")
    page.press("#exchange-q", "Enter")
    page.wait_for_url(lambda url: "q=hjbx" in url)
    page.click("text=薄板焊接变形怎么控制")
    page.wait_for_selector("#answer-form")
    page.fill("#id_body", "先预置反变形，再分段退焊，每段不超过200毫米。")
    page.click("#post-answer")
    page.wait_for_selector(".alert-success")
    page.click(".gj-post-actions .gj-up >> nth=0")  # the question's vote
    page.wait_for_selector(".alert-success, .alert-danger, #question-title")
    assert Question.objects.get().score == 1
    no_horizontal_scroll(page)

    # the asker accepts it; the answer shows accepted, its author as an expert
    login(page, base, "worker_a")
    page.goto(f"{base}/innovation/exchange/q/{code}/")
    assert "高级技师" in page.inner_text(".gj-expert")
    page.click(".gj-accept")
    page.wait_for_selector(".gj-accepted")
    assert Question.objects.get().accepted_answer.author == qian
    no_horizontal_scroll(page)
    assert errors == []
