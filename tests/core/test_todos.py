"""The home page (工作台): every role lands on its own work, from the to-dos each app registers in
core.todos; a worker's home is their own things; a ministry's liaison sees the reform ledger only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from gongjiang.core import access, todos
from gongjiang.core.context_processors import navigation
from gongjiang.core.models import Job
from gongjiang.core.todos import Todo, todos_for

from ..factories import OrganizationFactory, UserFactory, member


def _menu(user: Any) -> dict[str, list[str]]:
    """Top menu label → child URLs."""
    request = RequestFactory().get("/")
    request.user = user
    return {
        str(i.label): [c.url for c in i.children] or [i.url]
        for i in navigation(request)["nav_items"]
    }


def _menu_urls(user: Any) -> set[str]:
    return {u for urls in _menu(user).values() for u in urls}


def test_every_app_registers_its_todos() -> None:
    assert {"core", "reform", "learning", "certification", "competitions", "workforce"} <= set(
        todos.providers()
    )


def test_todos_waiting_first_then_priority(monkeypatch: Any) -> None:
    monkeypatch.setattr(todos, "_PROVIDERS", {})
    todos.register("a")(
        lambda user: [
            Todo("zero", 0, "/z/", priority=1),
            Todo("later", 3, "/l/", priority=40),
            Todo("first", 2, "/f/", priority=10),
            Todo("shortcut", None, "/s/", priority=0),
        ]
    )

    class U:
        is_authenticated = True

    assert [t.label for t in todos_for(U())] == ["first", "later", "shortcut", "zero"]
    assert todos_for(None) == []


def test_officer_home_lists_todos_with_counts_and_links(client: Any, world: Any) -> None:
    client.force_login(world.alice)
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="my-todos"' in html and 'id="kpi-organizations"' in html
    assert reverse("learning:marking_queue") in html  # officers mark and reconcile
    assert reverse("workforce:import_upload") in html  # no roster check waits: the upload page


def test_worker_home_is_their_own_work(client: Any, world: Any) -> None:
    client.force_login(world.worker_a)
    html = client.get(reverse("core:home")).content.decode()
    assert 'id="kpi-organizations"' not in html  # not "organisations under my jurisdiction"
    assert reverse("learning:exam_list") in html and reverse("learning:practice_home") in html
    assert reverse("certification:certificate_list") in html  # my certificates
    assert reverse("core:organization_tree") not in html
    assert reverse("core:organization_tree") not in _menu_urls(world.worker_a)


def test_failed_job_is_a_todo_of_its_starter_only(client: Any, world: Any) -> None:
    from django.utils import timezone

    job = Job.objects.create(
        kind="test.kind",
        created_by=world.alice,
        organization=world.province_a,
        status=Job.Status.FAILED,
        finished_at=timezone.now(),
    )
    url = reverse("core:job_detail", args=[job.code])
    assert any(t.url == url and t.count == 1 for t in todos_for(world.alice))
    assert not any(t.url == url for t in todos_for(world.bob))
    client.force_login(world.alice)
    assert client.get(url).status_code == 200


def test_roster_check_waits_until_imported(world: Any) -> None:
    from gongjiang.workforce.roster.jobs import KIND
    from gongjiang.workforce.todos import roster_checks_waiting

    check = Job.objects.create(
        kind=KIND,
        created_by=world.alice,
        organization=world.enterprise_a,
        status=Job.Status.SUCCEEDED,
        params={"dry_run": True},
    )
    assert list(roster_checks_waiting(world.alice)) == [check]
    assert not roster_checks_waiting(world.bob).exists()
    todo = next(t for t in todos_for(world.alice) if t.icon == "file-earmark-arrow-up")
    assert todo.count == 1 and todo.url == reverse("workforce:import_detail", args=[check.code])
    Job.objects.create(
        kind=KIND,
        created_by=world.alice,
        organization=world.enterprise_a,
        params={"dry_run": False, "previous": check.code},
    )
    assert not roster_checks_waiting(world.alice).exists()


@pytest.fixture
def liaison(world: Any) -> Any:
    ministry = OrganizationFactory(
        parent=world.national, name="人力资源社会保障部", kind="department", region="110000"
    )
    user = UserFactory(username="hrss_liaison")
    member(user, ministry, "officer")
    return user


def test_ministry_liaison_sees_the_reform_ledger_not_union_menus(client: Any, liaison: Any) -> None:
    assert access.can(liaison, "reform.view") and access.can(liaison, "reform.report")
    for perm in (
        "workforce.view_worker",
        "workforce.change_worker",
        "learning.practise",
        "learning.view_question",
        "certification.view_evaluationplan",
        "competitions.view_competition",
        "reform.review",
        "core.view_membership",
    ):
        assert not access.can(liaison, perm), perm
    urls = _menu_urls(liaison)
    assert reverse("reform:plan_list") in urls and reverse("reform:task_list") in urls
    assert not any(u.startswith(("/workforce/", "/learning/", "/competitions/")) for u in urls)
    assert not any(u.startswith("/certification/") for u in urls)
    client.force_login(liaison)
    assert client.get(reverse("workforce:worker_list")).status_code in (403, 404)
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("reform:task_list") in html
    assert not re.search(r'href="/(workforce|learning|competitions|certification)/', html)


def test_home_queries_do_not_grow_with_the_data(
    client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    """Each to-do is a COUNT: more rows in scope cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.alice)
    client.get(reverse("core:home"))  # warm the session
    with CaptureQueriesContext(connection) as before:
        assert client.get(reverse("core:home")).status_code == 200
    from gongjiang.workforce.roster.jobs import KIND

    for _ in range(5):
        Job.objects.create(
            kind=KIND,
            created_by=world.alice,
            organization=world.enterprise_a,
            status=Job.Status.SUCCEEDED,
            params={"dry_run": True},
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(reverse("core:home")).status_code == 200
    # a constant per app: one or two reads for each app's to-dos (16 apps, with the apprenticeship's
    # and the revenue corrections' to-dos, the expert-level selection's, the honours round returned
    # and the fund budgets since 2026-12-07, and the fund budgets waiting for another officer since
    # 2026-12-08), never per row
    assert len(before.captured_queries) <= 52
