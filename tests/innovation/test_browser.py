"""In the browser: a worker enters a result with a team on a phone (390 px, no horizontal scroll)
and submits it; HR adopts it; a panel member scores it in an award round; the public showcase shows
it to anyone, with names and employer only."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.core.review.services import panel_member_add
from gongjiang.innovation import awards
from gongjiang.innovation.models import Result
from tests.factories import UserFactory

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


def no_horizontal_scroll(page: Any) -> None:
    page.wait_for_load_state()  # a click may have just started loading the next page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_phone_entry_review_panel_and_showcase(
    phone_page: Any, live_server: Any, world: Any, team: Any
) -> None:
    page, base = phone_page, live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the worker enters a result with two colleagues on a phone and submits it
    login(page, base, "worker_a")
    page.goto(f"{base}/innovation/")
    no_horizontal_scroll(page)
    page.click("#new-result")
    page.wait_for_selector("#id_title")
    no_horizontal_scroll(page)
    page.select_option("#id_kind", "improvement")
    page.fill("#id_title", "刀具寿命提升")
    page.fill("#id_problem", "刀具磨损快")
    page.fill("#id_solution", "优化切削参数")
    page.check("#id_publish_consent")
    page.fill("#id_contribution_1", "60")
    page.select_option("#id_member_2", team.workers[1].code)
    page.fill("#id_contribution_2", "25")
    page.select_option("#id_member_3", team.workers[2].code)
    page.fill("#id_contribution_3", "10")
    page.click("#submit-result")
    assert "95" in page.inner_text(".alert-danger")  # not 100 %: said so, nothing saved
    page.fill("#id_contribution_3", "15")
    page.click("#submit-result")
    page.wait_for_selector("#result-status")
    no_horizontal_scroll(page)
    result = Result.objects.get(title="刀具寿命提升")
    assert result.status == "submitted" and result.members.count() == 3

    # HR of the enterprise adopts it
    login(page, base, "hr_a")
    page.goto(f"{base}/innovation/results/{result.code}/")
    page.select_option("#id_decision", "adopt")
    page.click("#act-review")
    page.wait_for_selector("#result-status")
    result.refresh_from_db()
    assert result.status == "adopted"

    # an award round; an expert of the panel scores it on the phone
    round_ = awards.award_round_create(
        actor=world.alice, organization=world.province_a, year=2026, title="2026年度创新奖"
    )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=1)
    awards.nomination_add(actor=world.alice, round=round_, result=result, organization=world.city_a)
    awards.award_review_open(actor=world.alice, round=round_)
    UserFactory(username="expert_e")
    from django.contrib.auth import get_user_model

    expert = get_user_model().objects.get(username="expert_e")
    panel_member_add(actor=world.alice, round=round_.review, user=expert)
    login(page, base, "expert_e")
    page.goto(f"{base}/innovation/awards/{round_.code}/")
    page.click("#panel-sheet")
    page.wait_for_selector("#save-scores")
    no_horizontal_scroll(page)
    for field in page.query_selector_all("input[type=number]"):
        field.fill("86")
    page.click("#save-scores")
    page.wait_for_selector(".alert-success")
    item = round_.review.items.get()
    assert item.scores.count() == round_.review.criteria.count()

    # the public showcase shows it to anyone: names and employer, nothing more
    page.context.clear_cookies()
    page.goto(f"{base}/innovation/showcase/")
    no_horizontal_scroll(page)
    page.click(f"a[href='/innovation/showcase/{result.code}/']")
    page.wait_for_selector("#team-names")
    assert page.inner_text("#team-names") == "李斌、王芳、赵强"
    assert team.employer.name in page.content()
    assert "60" not in page.inner_text("#team-names")
    no_horizontal_scroll(page)
    assert not errors, errors
