"""The knowledge contest: graded from the learning bank, once per person, rankings and participation
from the rollups equal a recount from the entries."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from gongjiang.core.errors import ApplicationError
from gongjiang.members import campaigns
from gongjiang.members.models import Campaign, CampaignOrgTally, ContestEntry

from ..counters_helpers import fold
from ..factories import OrganizationFactory, UserFactory, member


def right_answers(ms: Any) -> dict[str, Any]:
    single, tf, multiple = ms.questions
    return {single.code: "B", tf.code: True, multiple.code: ["A", "C"]}


def test_contest_is_graded_once_per_person(ms: Any, world: Any) -> None:
    questions = campaigns.contest_questions(ms.campaign)
    assert len(questions) == 3 and all("answer" not in q for q in questions)
    entry = campaigns.contest_submit(
        actor=world.worker_a, campaign=ms.campaign, answers=right_answers(ms)
    )
    assert entry.score == Decimal("3.00") and entry.organization == world.enterprise_a
    with pytest.raises(ApplicationError) as exc:
        campaigns.contest_submit(actor=world.worker_a, campaign=ms.campaign, answers={})
    assert exc.value.code == "already_answered"
    # a wrong single choice and half of the multiple choice (partial credit)
    single, tf, multiple = ms.questions
    officer = campaigns.contest_submit(
        actor=world.enterprise_officer_a,
        campaign=ms.campaign,
        answers={single.code: "A", tf.code: True, multiple.code: ["A"]},
    )
    assert officer.score == Decimal("1.50")
    with pytest.raises(ApplicationError) as exc:
        campaigns.contest_submit(actor=world.alice, campaign=ms.campaign, answers={"nope": "A"})
    assert exc.value.code == "unknown_questions"


def test_contest_outside_its_time_and_audience(ms: Any, world: Any) -> None:
    with pytest.raises(Http404):
        campaigns.campaign_get(actor=ms.worker_b, code=ms.campaign.code)
    Campaign.objects.filter(pk=ms.campaign.pk).update(
        ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    ms.campaign.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        campaigns.contest_submit(actor=world.worker_a, campaign=ms.campaign, answers={})
    assert exc.value.code == "not_open"


def test_only_objective_questions_of_a_bank_the_organiser_may_use(ms: Any, world: Any) -> None:
    from ..learning.factories import make_question

    short = make_question(world.alice, world.province_a, "short")
    other = make_question(world.bob, world.province_b, "single")
    now = timezone.now()
    for codes in ([short.code], [other.code], []):
        with pytest.raises(ApplicationError):
            campaigns.campaign_create(
                actor=world.alice,
                organization=world.city_a,
                title="x",
                starts_at=now,
                ends_at=now + dt.timedelta(days=1),
                question_codes=codes,
            )


def test_rankings_and_participation_equal_a_recount(ms: Any, world: Any) -> None:
    rng = random.Random(18)
    units = [world.enterprise_a, world.team_a]
    for i in range(4):
        units.append(
            OrganizationFactory(
                parent=world.city_a, name=f"南京企业{i}工会", kind="enterprise", region="320102"
            )
        )
    units.append(OrganizationFactory(parent=units[-1], name="班组", kind="team", region="320102"))
    single, tf, multiple = ms.questions
    for i in range(60):
        u = UserFactory(username=f"p{i}")
        member(u, rng.choice(units), "worker")
        answers = {
            single.code: rng.choice("ABCD"),
            tf.code: rng.choice([True, False]),
            multiple.code: rng.sample("ABCD", rng.randint(1, 3)),
        }
        campaigns.contest_submit(actor=u, campaign=ms.campaign, answers=answers)
    # the entries are queued: no tally has them until the worker's fold
    assert (
        campaigns.participation(campaign=ms.campaign, organization=world.city_a)["participants"]
        == 0
    )
    fold()
    for org in [world.city_a, world.enterprise_a, units[-2], world.province_a]:
        assert campaigns.participation(campaign=ms.campaign, organization=org) == campaigns.recount(
            campaign=ms.campaign, organization=org
        )
    ranking = campaigns.rankings(campaign=ms.campaign, organization=world.city_a)
    assert sum(r["participants"] for r in ranking) == 60
    for r in ranking:
        from gongjiang.core.models import Organization

        unit = Organization.objects.get(path=r["path"])
        assert {"participants": r["participants"], "mean": r["mean"]} == campaigns.recount(
            campaign=ms.campaign, organization=unit
        )
    counts = [r["participants"] for r in ranking]
    assert counts == sorted(counts, reverse=True)
    for a, b in zip(ranking, ranking[1:], strict=False):  # ties share a rank (1, 2, 2, 4)
        assert (
            b["rank"] == a["rank"]
            if b["participants"] == a["participants"]
            else b["rank"] > a["rank"]
        )
    # one tally row per unit that took part, never one per participant
    assert CampaignOrgTally.objects.filter(campaign=ms.campaign).count() <= len(units)
    assert ContestEntry.objects.filter(campaign=ms.campaign).count() == 60
