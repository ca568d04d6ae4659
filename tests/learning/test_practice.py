import datetime as dt
import random

import pytest
from django.http import Http404
from django.utils import timezone

from gongjiang.learning.bank.services import paper_create
from gongjiang.learning.models import PracticeAnswer, WrongBookEntry
from gongjiang.learning.practice.services import (
    leaderboard,
    leaderboard_organizations,
    practice_answer,
    practice_mock_start,
    practice_next,
    practice_pool,
    practice_streak,
)
from tests.factories import UserFactory, member

from .factories import make_bank, make_question


@pytest.fixture
def bank(world):
    return make_bank(world.alice, world.province_a)


def test_pool_is_objective_and_scoped(world, bank) -> None:
    other = make_question(world.bob, world.province_b)
    pool = set(practice_pool(world.worker_a).values_list("qtype", flat=True))
    assert pool == {"single", "multiple", "true_false", "fill"}
    assert not practice_pool(world.worker_a).filter(pk=other.pk).exists()


def test_sequential_walks_the_bank(world, bank) -> None:
    seen = []
    for _ in range(3):
        q = practice_next(actor=world.worker_a, mode="sequential")
        seen.append(q.pk)
        practice_answer(actor=world.worker_a, question=q, response=None, mode="sequential")
    assert seen == sorted(seen) and len(set(seen)) == 3
    kp = practice_next(actor=world.worker_a, mode="knowledge", knowledge_point="识图")
    assert kp.knowledge_point == "识图"
    assert practice_next(actor=world.worker_a, mode="random", rng=random.Random(1)) is not None


def test_wrong_book_until_right_twice(world, bank) -> None:
    q = bank[0]  # single, answer B
    fb = practice_answer(actor=world.worker_a, question=q, response="A")
    assert fb["correct"] is False and fb["answer"] == "B"
    assert practice_next(actor=world.worker_a, mode="wrong").pk == q.pk
    practice_answer(actor=world.worker_a, question=q, response="B")
    assert WrongBookEntry.objects.get(user=world.worker_a, question=q).resolved is False
    practice_answer(actor=world.worker_a, question=q, response="A")  # missed again: streak resets
    practice_answer(actor=world.worker_a, question=q, response="B")
    assert practice_next(actor=world.worker_a, mode="wrong") is not None
    fb = practice_answer(actor=world.worker_a, question=q, response="B")
    assert fb["resolved"] is True
    assert practice_next(actor=world.worker_a, mode="wrong") is None


def test_streak(world, bank) -> None:
    today = timezone.localdate()
    practice_answer(actor=world.worker_a, question=bank[0], response="B")
    for days in (1, 2, 4):
        PracticeAnswer.objects.create(
            user=world.worker_a,
            organization=world.enterprise_a,
            version=bank[0].current,
            question=bank[0],
            correct=True,
            day=today - dt.timedelta(days=days),
        )
    assert practice_streak(world.worker_a, today) == 3
    assert (
        practice_streak(world.worker_a, today + dt.timedelta(days=1)) == 3
    )  # yesterday still counts
    assert practice_streak(world.worker_a, today + dt.timedelta(days=2)) == 0


def test_leaderboards_are_scoped(world, bank) -> None:
    mate = UserFactory(username="mate")
    member(mate, world.enterprise_a, "worker")
    practice_answer(actor=world.worker_a, question=bank[0], response="B")
    practice_answer(actor=mate, question=bank[0], response="B")
    practice_answer(actor=mate, question=bank[2], response=True)
    rows = leaderboard(actor=world.worker_a, organization=world.enterprise_a)
    assert [r["user_id"] for r in rows] == [mate.pk, world.worker_a.pk] and rows[0]["right"] == 2
    orgs = set(leaderboard_organizations(world.worker_a))
    assert world.enterprise_a in orgs and world.province_a in orgs and world.province_b not in orgs
    with pytest.raises(Http404):
        leaderboard(actor=world.worker_a, organization=world.province_b)
    assert leaderboard(actor=world.alice, organization=world.city_a)[0]["right"] == 2


def test_mock_exam(world, bank) -> None:
    paper = paper_create(
        actor=world.alice,
        organization=world.province_a,
        title="模拟",
        mode="blueprint",
        blueprint=[{"qtype": "single", "count": 4}],
        is_practice=True,
        practice_minutes=15,
    )
    attempt = practice_mock_start(actor=world.worker_a, paper=paper)
    assert attempt.items.count() == 4 and attempt.session.is_mock
    assert 14 * 60 <= attempt.seconds_left() <= 15 * 60
    with pytest.raises(Http404):
        practice_mock_start(actor=world.bob, paper=paper)
