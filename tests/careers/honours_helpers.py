"""Fixtures of the honours tests: a city union organises a round, enterprise A nominates, the
province (the level above) approves, an expert sits on the panel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from gongjiang.careers import honours
from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.models import ReviewCriterion

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker

FRONT = "6-18-01-01"
TECH = "2-02-07-01"
LEAD = "1-06-01-01"
OTHER = "3-01-01-01"


@dataclass
class Honours:
    organiser: Any  # officer of the city union
    nominator: Any  # officer of enterprise A (world.enterprise_officer_a)
    approver: Any  # officer of province A (world.alice)
    expert: Any
    round: Any
    workers: dict[str, list[Any]] = field(default_factory=dict)


def new_round(world: Any, organiser: Any, *, places: int = 10, rules: Any = None) -> Any:
    return honours.honour_round_create(
        actor=organiser,
        organization=world.city_a,
        title="2026年南京市五一劳动奖章评选",
        honour_title="南京市五一劳动奖章",
        honour_level="city",
        year=2026,
        places=places,
        notice_days=5,
        rules=rules,
        quotas=[(world.enterprise_a, places)],
    )


@pytest.fixture
def hon(world: Any) -> Honours:
    organiser = UserFactory(username="city_officer")
    member(organiser, world.city_a, "officer")
    expert = UserFactory(username="expert")
    round_ = new_round(world, organiser)
    workers: dict[str, list[Any]] = {}
    n = 40
    for category, occupation in (("frontline", FRONT), ("technician", TECH), ("leader", LEAD)):
        workers[category] = []
        for _i in range(4):
            n += 1
            workers[category].append(make_worker(world.enterprise_a, n, occupation=occupation))
    workers["other"] = [make_worker(world.enterprise_a, 60, occupation=OTHER)]
    return Honours(organiser, world.enterprise_officer_a, world.alice, expert, round_, workers)


def nominate(h: Honours, world: Any, worker: Any) -> Any:
    return honours.honour_nominate(
        actor=h.nominator,
        round=h.round,
        organization=world.enterprise_a,
        worker=worker,
        deeds="十年如一日扎根一线，攻克焊接难题。",
    )


def run_to_notice(h: Honours, world: Any, workers: list[Any]) -> Any:
    """Nominate, review (the expert scores everyone equally), finalise, publish the notice."""
    for w in workers:
        nominate(h, world, w)
    honours.honour_review_open(actor=h.organiser, round=h.round)
    h.round.refresh_from_db()
    from gongjiang.core.review.services import panel_member_add, review_score_save

    panel_member_add(actor=h.organiser, round=h.round.review, user=h.expert)
    for n in h.round.nominations.select_related("review_item"):
        for c in ReviewCriterion.objects.filter(round=h.round.review):
            review_score_save(actor=h.expert, item=n.review_item, criterion=c, score=80)
    honours.honour_review_finalise(actor=h.organiser, round=h.round)
    honours.honour_notice_publish(actor=h.organiser, round=h.round)
    h.round.refresh_from_db()
    return h.round


def end_notice(round_: Any) -> dt.date:
    """Move the notice into the past (it started and ended); returns a day after its end."""
    notice = round_.notice
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 1, 9)
    )
    round_.refresh_from_db()
    return dt.date(2026, 1, 12)
