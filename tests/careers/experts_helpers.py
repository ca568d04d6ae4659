"""Fixtures of the expert-level selection tests: enterprise A's 首席技师 level (技师 or above, 3
full years, 2 places, 3-year term), HR runs the call, a second HR officer appoints, an outside
expert reviews, and eligible workers (one of them in the welding team)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.careers import experts
from gongjiang.careers.services import expert_level_save
from gongjiang.core.actors import SYSTEM
from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker


@dataclass
class Experts:
    organiser: Any  # hr of enterprise A
    appointer: Any  # a second hr of enterprise A
    reviewer: Any  # an outside expert (no role)
    level: Any
    call: Any
    workers: list[Any] = field(default_factory=list)
    team_worker: Any = None


def new_call(level: Any, organiser: Any, **extra: Any) -> Any:
    return experts.expert_call_create(
        actor=organiser,
        level=level,
        year=extra.pop("year", 2026),
        closes_on=extra.pop("closes_on", timezone.localdate() + dt.timedelta(days=20)),
        **extra,
    )


@pytest.fixture
def exp(world: Any) -> Experts:
    from .conftest import set_history

    organiser = UserFactory(username="hr_org")
    appointer = UserFactory(username="hr_appoint")
    reviewer = UserFactory(username="judge1")
    member(organiser, world.enterprise_a, "hr")
    member(appointer, world.enterprise_a, "hr")
    level = expert_level_save(
        actor=SYSTEM,
        organization=world.enterprise_a,
        rank=1,
        name="首席技师",
        min_skill_level="TECHNICIAN",
        min_years=3,
        quota=2,
        term_years=3,
        criteria="技艺精湛，解决重大技术难题，带徒成效显著",
    )
    call = new_call(level, organiser)
    workers = []
    for n in range(5):
        w = make_worker(world.enterprise_a, 70 + n, occupation="6-18-01-01")
        set_history(w, [(dt.date(2012, 1, 1), "SENIOR"), (dt.date(2018, 6, 1), "TECHNICIAN")])
        workers.append(w)
    team_worker = make_worker(world.enterprise_a, 80, occupation="6-18-01-01", team=world.team_a)
    set_history(team_worker, [(dt.date(2015, 1, 1), "SENIOR_TECHNICIAN")])
    return Experts(organiser, appointer, reviewer, level, call, workers, team_worker)


def apply(e: Experts, worker: Any, actor: Any = None) -> Any:
    return experts.expert_apply(
        actor=actor or e.organiser,
        call=e.call,
        worker=worker,
        statement="主持焊接机器人工艺攻关，带徒12名。",
    )


def review(e: Experts, scores: dict[Any, int]) -> Any:
    """Close applications, the reviewer scores each application (``scores``: worker → score on
    every criterion), finalise."""
    experts.expert_review_open(actor=e.organiser, call=e.call)
    e.call.refresh_from_db()
    panel_member_add(actor=e.organiser, round=e.call.review, user=e.reviewer)
    for a in e.call.applications.filter(review_item__isnull=False).select_related("review_item"):
        for c in ReviewCriterion.objects.filter(round=e.call.review):
            review_score_save(
                actor=e.reviewer, item=a.review_item, criterion=c, score=scores[a.worker]
            )
    experts.expert_review_finalise(actor=e.organiser, call=e.call)
    e.call.refresh_from_db()
    return e.call


def to_notice(e: Experts, scores: dict[Any, int]) -> Any:
    for w in scores:
        apply(e, w)
    review(e, scores)
    experts.expert_notice_publish(actor=e.organiser, call=e.call)
    e.call.refresh_from_db()
    return e.call


def end_notice(call: Any) -> dt.date:
    """Move the notice into the past; returns a day after its end."""
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=call.notice_id).update(
        starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=3)
    )
    call.refresh_from_db()
    return today
