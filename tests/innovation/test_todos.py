from __future__ import annotations

from typing import Any

import pytest

from gongjiang.core.review.services import panel_member_add
from gongjiang.core.todos import todos_for
from gongjiang.innovation import awards

from .conftest import make_result

pytestmark = pytest.mark.django_db


REVIEW = "/innovation/review/"
AWARDS = "/innovation/awards/"


def _counts(user: Any) -> dict[str, Any]:
    return {t.url: t.count for t in todos_for(user)}


def test_todos_count_in_scope_only(world: Any, team: Any) -> None:
    make_result(team, submit=True)
    assert _counts(team.hr)[REVIEW] == 1
    assert _counts(world.alice)[REVIEW] == 1
    assert _counts(world.bob)[REVIEW] == 0
    assert REVIEW not in _counts(world.worker_a)


def test_panel_todo(world: Any, team: Any) -> None:
    from gongjiang.innovation.services import result_review

    result = result_review(actor=team.hr, result=make_result(team, submit=True), adopted=True)
    round_ = awards.award_round_create(
        actor=world.alice, organization=world.province_a, year=2026, title="评选"
    )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=1)
    awards.nomination_add(actor=world.alice, round=round_, result=result, organization=world.city_a)
    panel_member_add(actor=world.alice, round=round_.review, user=world.nobody)
    assert AWARDS not in _counts(world.nobody)
    awards.award_review_open(actor=world.alice, round=round_)
    assert _counts(world.nobody)[AWARDS] == 1
