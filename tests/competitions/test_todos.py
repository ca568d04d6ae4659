"""Competitions' home-page to-dos (core.todos): a judge's assignments with marks to enter."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjiang.core.todos import todos_for

from .factories import assign_judges


def test_judge_assignments_are_a_todo_of_the_judge_only(world: Any, comp: dict[str, Any]) -> None:
    judge, other = comp["judges"][0], comp["judges"][1]
    assign_judges(world.alice, comp["stages"][0], comp["criteria"][:2], [judge])
    url = reverse("competitions:judge_home")
    assert [t.count for t in todos_for(judge) if t.url == url] == [2]
    assert not [t for t in todos_for(other) if t.url == url]  # no assignment, no to-do
    assert not [t for t in todos_for(world.alice) if t.url == url]


def test_worker_sees_their_entries(world: Any) -> None:
    assert [
        t.count for t in todos_for(world.worker_a) if t.url == reverse("competitions:list")
    ] == [0]


def test_public_results_linked_only_once_published(
    client: Any, world: Any, comp: dict[str, Any]
) -> None:
    from gongjiang.competitions.models import Stage

    competition = comp["competition"]
    public = reverse("competitions:public_results", args=[competition.code])
    client.force_login(world.alice)
    detail = reverse("competitions:detail", args=[competition.code])
    assert public not in client.get(detail).content.decode()
    assert client.get(public).status_code == 404  # nothing published yet
    from django.utils import timezone

    Stage.objects.filter(pk=comp["stages"][0].pk).update(published_at=timezone.now())
    assert public in client.get(detail).content.decode()
    assert client.get(public).status_code == 200
