"""In the browser: a unit reports progress, the coordinator returns it, the overview changes; then the
unit resubmits, the coordinator accepts on the task page and the plan's progress moves. Visits every
reform page on the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongjiang.reform.reminders import reform_remind
from gongjiang.reform.supervision import services as supervision

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


def test_report_return_accept_and_overview(
    page: Any, live_server: Any, reform: Any, world: Any, milestone_types: Any
) -> None:
    base = live_server.url
    task = reform.task_a
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the city reports progress on its task
    login(page, base, "nanjing_officer")
    page.goto(f"{base}/reform/tasks/{task.code}/")
    page.fill("#id_period", "2018-05")
    page.fill("#id_percent", "40")
    page.fill("#id_text", "已在5家企业试点")
    page.click("#submit-report")
    page.wait_for_selector("#reports [data-report] .badge")
    assert "已在5家企业试点" in page.inner_text("#reports")
    page.goto(f"{base}/reform/units/{world.city_a.code}/responsibility/?year=2018")
    assert "南京市推行学徒制" in page.inner_text("#responsibility")

    # the province (coordinator) sees it waiting, returns it with a comment; the overview changes
    login(page, base, "alice")
    page.goto(f"{base}/reform/")
    assert page.inner_text("#pending-count") == "1"
    assert page.inner_text("#returned-count") == "0"
    page.goto(f"{base}/reform/reviews/")
    page.fill("#reviews textarea[name=comment]", "请补充试点企业名单")
    page.click("#reviews button[value=return]")
    page.wait_for_url(f"{base}/reform/reviews/")
    page.goto(f"{base}/reform/")
    assert page.inner_text("#pending-count") == "0"
    assert page.inner_text("#returned-count") == "1"
    row = page.locator(f"#plans tr[data-plan='{reform.plan_a.code}']")
    assert "0%" in row.locator(".plan-percent").inner_text()

    # the city sees the comment (and a reminder), resubmits
    login(page, base, "nanjing_officer")
    page.goto(f"{base}/reform/notifications/")
    assert "退回" in page.content() or "returned" in page.content()
    page.goto(f"{base}/reform/tasks/{task.code}/")
    assert "请补充试点企业名单" in page.inner_text("#reports")
    page.fill("#id_period", "2018-05")
    page.fill("#id_percent", "45")
    page.fill("#id_text", "已在5家企业试点，名单附后")
    page.click("#submit-report")
    page.wait_for_selector("#reports")

    # the coordinator accepts on the task page: the plan's progress moves to 45%
    login(page, base, "alice")
    page.goto(f"{base}/reform/tasks/{task.code}/")
    page.click(".review-form button[value=accept]")
    page.wait_for_selector("#task-percent")
    assert "45%" in page.inner_text("#task-percent")
    page.goto(f"{base}/reform/")
    assert (
        "45%"
        in page.locator(f"#plans tr[data-plan='{reform.plan_a.code}'] .plan-percent").inner_text()
    )
    page.goto(f"{base}/reform/plans/{reform.plan_a.code}/?on=2018-07-01")
    assert "南京市推行学徒制" in page.inner_text("#plan-tree")
    page.goto(f"{base}/reform/plans/{reform.national_plan.code}/")
    assert "思想政治引领" in page.inner_text("#plan-tree")
    page.goto(f"{base}/reform/tasks/?status=overdue&on=2018-07-01")

    # supervision and rollout pages
    officer = reform.national_officer
    inspection = supervision.inspection_create(
        actor=officer,
        organization=world.national,
        title="产改专项督查",
        start=dt.date(2018, 9, 1),
        end=dt.date(2018, 9, 3),
        visited=[world.province_a],
    )
    finding = supervision.finding_add(
        actor=officer,
        inspection=inspection,
        organization=world.province_a,
        text="学徒制覆盖面不足",
        task=task,
    )
    supervision.rectification_add(
        actor=officer, finding=finding, title="扩大试点", deadline=dt.date(2018, 12, 31)
    )
    supervision.notice_issue(
        actor=officer,
        organization=world.national,
        target=world.province_a,
        title="督办学徒制",
        body="请按期报送",
        reply_deadline=dt.date(2018, 10, 1),
    )
    reform_remind(on=dt.date(2018, 7, 5))
    page.goto(f"{base}/reform/inspections/{inspection.code}/")
    page.fill("input[name=response]", "已扩大到12家企业")
    page.click("button.rect-submit")
    page.wait_for_selector("text=已扩大到12家企业")
    page.goto(f"{base}/reform/inspections/")
    page.goto(f"{base}/reform/notices/")
    assert "南京市推行学徒制" in page.content()  # escalated to the province
    page.click("text=督办学徒制")
    page.fill("#id_reply", "已报送")
    page.click("button[value=reply]")
    page.wait_for_selector("text=已报送")
    page.goto(f"{base}/reform/rollout/?org={world.national.code}")
    page.wait_for_selector("#rollout-chart canvas")
    assert errors == []
