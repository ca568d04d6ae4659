"""Learning's home-page to-dos (core.todos): exams to take, answers to mark, practice."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjiang.core.todos import todos_for
from gongjiang.learning.exams import services as exams

from .factories import make_bank, make_session


def _count(user: Any, url: str) -> int | None:
    return next((t.count for t in todos_for(user) if t.url == url), None)


def test_open_exam_is_a_todo_of_its_candidates_until_handed_in(world: Any) -> None:
    questions = make_bank(world.alice, world.province_a)[:3]
    session = make_session(
        world.alice, world.province_a, questions, candidate_organizations=[world.enterprise_a]
    )
    url = reverse("learning:exam_list")
    assert _count(world.worker_a, url) == 1  # a worker inside the candidate organisation
    assert _count(world.bob, url) == 0  # Zhejiang: not a candidate
    attempt = exams.exam_attempt_start(actor=world.worker_a, session=session)
    assert _count(world.worker_a, url) == 1  # started, not yet handed in
    exams.exam_attempt_submit(actor=world.worker_a, attempt=attempt)
    assert _count(world.worker_a, url) == 0


def test_markers_see_answers_to_mark_workers_do_not(world: Any) -> None:
    assert _count(world.alice, reverse("learning:marking_queue")) == 0
    assert _count(world.worker_a, reverse("learning:marking_queue")) is None
    assert _count(world.worker_a, reverse("learning:practice_home")) is None
    assert any(t.url == reverse("learning:practice_home") for t in todos_for(world.worker_a))
