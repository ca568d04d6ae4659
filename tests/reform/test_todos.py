"""Reform's home-page to-dos (core.todos): reports awaiting my review, overdue tasks, notices."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjiang.core.todos import todos_for
from gongjiang.reform import services

from ..factories import UserFactory, member


def _todo(user: Any, url: str) -> Any:
    return next((t for t in todos_for(user) if t.url == url), None)


def test_report_awaiting_review_is_a_todo_of_the_reviewer_only(world: Any, reform: Any) -> None:
    services.progress_report_submit(
        actor=reform.city_officer, task=reform.task_a, period="2018-03", text="已启动", percent=30
    )
    review = reverse("reform:review_list")
    assert _todo(world.alice, review).count == 1  # province A coordinates plan_a
    assert _todo(world.bob, review).count == 0  # Zhejiang: nothing of Jiangsu, not even a count
    assert _todo(reform.city_officer, review).count == 0  # the submitter does not review


def test_overdue_tasks_counted_in_scope(world: Any, reform: Any) -> None:
    overdue = reverse("reform:task_list") + "?status=overdue"
    todo = _todo(world.alice, overdue)
    assert todo is not None and todo.count >= 1  # the 2018 deadlines have passed
    assert _todo(world.worker_a, overdue) is None  # no reform role, no reform to-do


def test_inspector_is_not_sent_to_the_review_page(client: Any, world: Any, reform: Any) -> None:
    inspector = UserFactory(username="js_inspector_t")
    member(inspector, world.province_a, "inspector")
    client.force_login(inspector)
    html = client.get(reverse("reform:plan_list")).content.decode()
    assert reverse("reform:review_list") not in html
    assert client.get(reverse("reform:review_list")).status_code == 403
    assert _todo(inspector, reverse("reform:review_list")) is None
    client.force_login(world.alice)
    assert reverse("reform:review_list") in client.get(reverse("reform:plan_list")).content.decode()


def test_open_notices_filter(client: Any, world: Any, reform: Any) -> None:
    client.force_login(world.alice)
    assert client.get(reverse("reform:notice_list") + "?status=open").status_code == 200
    assert client.get(reverse("reform:notice_list") + "?status=bogus").status_code == 200
