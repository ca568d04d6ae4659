"""Counters that scale (core/counters.py): answers queue deltas, folds add them to the rollups.

Exactly once, whatever the order: any interleaving of survey answers, contest answers and folds of
any batch size keeps *rollups + pending deltas = a recount* at every step and ends with the rollups
equal to the recount (Hypothesis); parallel folders on PostgreSQL (real threads and connections)
never count a delta twice nor lose one; an answer committed while a fold runs stays queued for the
next; the periodic job and the command fold."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from gongjiang.core import counters
from gongjiang.core.actors import SYSTEM
from gongjiang.core.counters import (
    CounterDelta,
    CounterFold,
    counter_delta_add,
    counter_target,
    counters_fold,
    counters_fold_all,
    counters_freshness,
)
from gongjiang.members import campaign_tallies, campaigns
from gongjiang.members.models import CampaignAreaTally, CampaignOrgTally, ContestEntry
from gongjiang.surveys import rollups
from gongjiang.surveys import services as survey_services

from ..factories import OrganizationFactory, UserFactory, member
from ..learning.factories import make_question
from ..surveys.helpers import QUESTIONS, answers, make_workers

CONTEST = campaign_tallies.TARGET
SURVEY = rollups.TARGET


def contest(world: Any) -> Any:
    q = make_question(SYSTEM, world.national, "single", answer="B")
    now = timezone.now()
    return campaigns.campaign_create(
        actor=SYSTEM,
        organization=world.national,
        title="全国职工知识竞赛",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=3),
        question_codes=[q.code],
    )


def participants(world: Any, n: int) -> list[Any]:
    units = [world.enterprise_a, world.team_a, world.enterprise_b, world.city_b]
    out = []
    for i in range(n):
        u = UserFactory(username=f"c{i}")
        member(u, units[i % len(units)], "worker")
        out.append(u)
    return out


def survey(world: Any, n: int) -> tuple[Any, list[Any]]:
    carol = UserFactory(username="carol")
    member(carol, world.province_a, "officer")
    small = OrganizationFactory(
        parent=world.city_a, name="南京小微企业工会", kind="enterprise", region="320105"
    )
    workers = make_workers(world.enterprise_a, n) + make_workers(small, 3, start=500)
    s = survey_services.survey_create(
        actor=world.alice, organization=world.province_a, title="调查", questions=QUESTIONS
    )
    survey_services.survey_publish(actor=carol, survey=s)
    survey_services.survey_distribute(actor=world.alice, survey=s, audience=world.province_a)
    return s, workers


def contest_kept_plus_queued(c: Any) -> dict[str, tuple[int, Decimal]]:
    """Units' tallies plus the entries still queued, by path."""
    units, _areas = campaign_tallies._queued(c)
    kept = {
        p: (n, s)
        for p, n, s in CampaignOrgTally.objects.filter(campaign=c).values_list(
            "path", "participants", "total_score"
        )
    }
    return campaign_tallies._plus(kept, units)


# ----------------------------------------------------------------------------- the pieces
@pytest.mark.django_db
def test_a_fold_sums_per_row_writes_once_and_deletes_what_it_folded(world: Any) -> None:
    c = contest(world)
    for score in ("1.50", "2.00", "0.25"):
        campaign_tallies.tally_queue(c, world.team_a, Decimal(score))
    campaign_tallies.tally_queue(c, world.enterprise_b, Decimal("1.00"))
    fresh = counters_freshness(target=CONTEST, scope=c.pk)
    assert fresh.pending == 4 and not CounterFold.objects.exists()
    assert counters_fold(batch=3) == 3  # a batch at a time: one is left
    assert CounterDelta.objects.count() == 1
    assert counters_fold_all() == 1 and counters_fold_all() == 0
    team = CampaignOrgTally.objects.get(campaign=c, organization=world.team_a)
    assert (team.participants, team.total_score, team.path) == (
        3,
        Decimal("3.75"),
        world.team_a.path,
    )
    # the province's and city's area rows above each unit, created by the fold with their depth
    areas = {
        a.organization_id: (a.participants, a.total_score, a.depth)
        for a in CampaignAreaTally.objects.filter(campaign=c)
    }
    assert areas == {
        world.province_a.pk: (3, Decimal("3.75"), 1),
        world.city_a.pk: (3, Decimal("3.75"), 2),
        world.province_b.pk: (1, Decimal("1.00"), 1),
        world.city_b.pk: (1, Decimal("1.00"), 2),
    }
    fresh = counters_freshness(target=CONTEST, scope=c.pk)
    assert fresh.pending == 0
    assert fresh.as_of == CounterFold.objects.get(target=CONTEST, scope=c.pk).folded_at


@pytest.mark.django_db
def test_deltas_are_append_only_and_targets_must_exist(world: Any) -> None:
    c = contest(world)
    campaign_tallies.tally_queue(c, world.team_a, Decimal("1"))
    with pytest.raises(ValidationError):
        CounterDelta.objects.update(scope=0)
    with pytest.raises(ImproperlyConfigured):
        counter_delta_add(target="nope.nothing", scope=1, payload={})
    with pytest.raises(ImproperlyConfigured):
        counters_fold(target="nope.nothing")
    with pytest.raises(CommandError, match="surveys.rollup"):
        call_command("counters-fold", "--target", "nope.nothing", stdout=StringIO())
    # a scope's fold leaves the others' deltas
    campaign_tallies.tally_queue(c, world.team_a, Decimal("1"))
    counter_delta_add(target=CONTEST, scope=c.pk + 1000, payload={"o": 1, "p": "x", "s": "1"})
    assert counters_fold_all(target=CONTEST, scope=c.pk) == 2
    assert list(CounterDelta.objects.values_list("scope", flat=True)) == [c.pk + 1000]


@pytest.mark.django_db
def test_the_periodic_job_and_the_command_fold(world: Any) -> None:
    from gongjiang.core.tasks import counters_fold as job

    c = contest(world)
    campaign_tallies.tally_queue(c, world.team_a, Decimal("2"))
    result = job.enqueue()  # the tests' backend runs it at once, as a worker would
    assert result.return_value == 1 and not CounterDelta.objects.exists()
    campaign_tallies.tally_queue(c, world.team_a, Decimal("2"))
    out = StringIO()
    call_command("counters-fold", "--batch", "1", stdout=out)
    assert out.getvalue().startswith("folded 1 in ") and "0 left pending" in out.getvalue()
    assert CampaignOrgTally.objects.get(campaign=c).participants == 2


# ------------------------------------------------------------------------ any interleaving
Step = tuple[str, int]
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("survey"), st.integers(0, 14)),
        st.tuples(st.just("contest"), st.integers(0, 11)),
        st.tuples(st.sampled_from(["fold", "fold_survey", "fold_contest"]), st.integers(1, 4)),
    ),
    max_size=30,
)


@pytest.fixture
def both(world: Any) -> Any:
    s, workers = survey(world, 12)
    return s, workers, contest(world), participants(world, 12)


@hsettings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=STEPS)
@pytest.mark.django_db
def test_any_interleaving_of_answers_and_folds_ends_equal_to_a_recount(
    both: Any, steps: list[Step]
) -> None:
    s, workers, c, people = both
    rng = random.Random(len(steps))
    with transaction.atomic():
        answered: set[tuple[str, int]] = set()
        for kind, i in steps:
            if kind == "survey" and (kind, i) not in answered:
                survey_services.response_submit(
                    actor=workers[i].user, survey=s, answers=answers(rng.randrange(60))
                )
            elif kind == "contest" and (kind, i) not in answered:
                campaigns.contest_submit(
                    actor=people[i], campaign=c, answers={c.questions.get().code: rng.choice("AB")}
                )
            elif kind == "fold":
                counters_fold(batch=i)
            elif kind == "fold_survey":
                counters_fold(batch=i, target=SURVEY, scope=s.pk)
            elif kind == "fold_contest":
                counters_fold(batch=i, target=CONTEST, scope=c.pk)
            answered.add((kind, i))
            # at every step: what the rollups hold plus what is queued is everything answered
            assert rollups.stored(s) + rollups.unfolded(s) == rollups.recount(s)
            recount = {
                p: (n, t)
                for p, n, t in ContestEntry.objects.filter(campaign=c)
                .values_list("organization__path")
                .annotate(n=Count("id"), t=Sum("score"))
            }
            assert contest_kept_plus_queued(c) == recount
        # the checks fold first; then the rollups alone equal the recount
        survey_check = rollups.verify(s)
        assert survey_check["equal"] and survey_check["pending"] == 0
        contest_check = campaign_tallies.campaign_tallies_verify(campaign=c)
        assert contest_check["mismatches"] == [] and contest_check["pending"] == 0
        assert rollups.stored(s) == rollups.recount(s)
        assert not CounterDelta.objects.exists()
        transaction.set_rollback(True)


# ------------------------------------------------------------------- parallel, on PostgreSQL
ALL_APPS = list(settings.INSTALLED_APPS)
POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs parallel transactions (PostgreSQL); SQLite serialises every write",
)
PARALLEL = pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)


@pytest.fixture
def refdata(transactional_db: Any) -> None:
    from gongjiang.core.models import SkillLevel
    from gongjiang.core.refdata import load_reference_data

    if not SkillLevel.objects.exists():
        load_reference_data()


def _in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    """Run ``fn`` in a thread of its own (its own database connection); its result or exception
    lands in the list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(fn())
        except Exception as exc:  # reported by the test
            out.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@POSTGRES
@PARALLEL
def test_parallel_folds_never_double_count_nor_lose_a_delta(refdata: Any, world: Any) -> None:
    c = contest(world)
    units = [world.enterprise_a, world.team_a, world.enterprise_b, world.city_b]
    rng = random.Random(5)
    expected: Counter[str] = Counter()
    scores: dict[str, Decimal] = {}

    def queue(n: int) -> int:
        for _ in range(n):
            unit = rng.choice(units)
            score = Decimal(rng.randrange(0, 500)) / 100
            with transaction.atomic():  # one answer's transaction
                campaign_tallies.tally_queue(c, unit, score)
            expected[unit.path] += 1
            scores[unit.path] = scores.get(unit.path, Decimal(0)) + score
        return n

    queue(1200)
    folders = 4
    barrier = threading.Barrier(folders + 1)

    def folder() -> int:
        barrier.wait(timeout=30)
        return counters_fold_all(batch=25)

    def answerer() -> int:
        barrier.wait(timeout=30)
        return queue(300)  # answers keep coming while the folders run

    runs = [_in_thread(folder) for _ in range(folders)] + [_in_thread(answerer)]
    for thread, _out in runs:
        thread.join(timeout=120)
    results = [out[0] for _t, out in runs]
    assert not [r for r in results if isinstance(r, Exception)], results
    folded_in_parallel = sum(results[:folders])
    assert sum(1 for r in results[:folders] if r) >= 2  # the folders shared the work
    folded_after = counters_fold_all()
    assert folded_in_parallel + folded_after == 1500  # each delta folded exactly once
    assert not CounterDelta.objects.exists()
    kept = {
        t.path: (t.participants, t.total_score) for t in CampaignOrgTally.objects.filter(campaign=c)
    }
    assert kept == {p: (expected[p], scores[p]) for p in expected}
    province_a = CampaignAreaTally.objects.get(campaign=c, organization=world.province_a)
    assert (
        province_a.participants == expected[world.enterprise_a.path] + expected[world.team_a.path]
    )
    assert province_a.total_score == scores[world.enterprise_a.path] + scores[world.team_a.path]


@POSTGRES
@PARALLEL
def test_an_answer_committed_during_a_fold_waits_for_the_next(
    refdata: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fold holds its batch while an answer commits: the fold counts its batch only, the answer
    stays queued (not lost, not counted twice) and the next fold counts it."""
    c = contest(world)
    inside, release = threading.Event(), threading.Event()
    tables = (campaign_tallies.AREAS, campaign_tallies.UNITS)

    def slow_expand(batch: list[tuple[int, Any]]) -> Any:
        inside.set()  # the batch is taken and locked; the fold's transaction is open
        assert release.wait(timeout=30)
        return campaign_tallies._expand(batch)

    monkeypatch.setitem(counters._TARGETS, "test.slow", counters._TARGETS[CONTEST])
    counter_target("test.slow", tables=tables, expand=slow_expand)
    payload = {"o": world.team_a.pk, "p": world.team_a.path, "s": "1.00"}
    counter_delta_add(target="test.slow", scope=c.pk, payload=payload)
    thread, out = _in_thread(lambda: counters_fold(target="test.slow"))
    assert inside.wait(timeout=30)
    # meanwhile an answer commits (its own transaction: this test's connection autocommits)
    campaign_tallies.tally_queue(c, world.team_a, Decimal("2.00"))
    # another folder skips the locked delta and takes the new answer at once
    assert counters_fold(target=CONTEST) == 1
    release.set()
    thread.join(timeout=60)
    assert out == [1]
    assert not CounterDelta.objects.exists()
    team = CampaignOrgTally.objects.get(campaign=c, organization=world.team_a)
    assert (team.participants, team.total_score) == (2, Decimal("3.00"))
    # and the other way round: a delta committed while a fold holds its batch is left for later
    counter_delta_add(target="test.slow", scope=c.pk, payload=payload)
    inside.clear()
    release.clear()
    thread, out = _in_thread(lambda: counters_fold(target="test.slow"))
    assert inside.wait(timeout=30)
    counter_delta_add(target="test.slow", scope=c.pk, payload=payload)  # committed now
    release.set()
    thread.join(timeout=60)
    assert out == [1]
    assert CounterDelta.objects.count() == 1  # the late one, kept
    assert counters_fold_all(target="test.slow") == 1
    team.refresh_from_db()
    assert (team.participants, team.total_score) == (4, Decimal("5.00"))
