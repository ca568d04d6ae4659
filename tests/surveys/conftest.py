from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from gongjiang.surveys import services
from tests.factories import UserFactory, member

from .helpers import QUESTIONS, make_workers


@pytest.fixture
def sw(world: Any) -> Any:
    """The world plus 24 workers with logins in enterprise A, 3 in enterprise B, a second officer
    of province A (alice edits, carol publishes) and a published, sent survey."""
    carol = UserFactory(username="carol")
    member(carol, world.province_a, "officer")
    workers = make_workers(world.enterprise_a, 24)
    make_workers(world.enterprise_b, 3, start=100)
    survey = services.survey_create(
        actor=world.alice,
        organization=world.province_a,
        title="2026年职工思想状况调查",
        questions=QUESTIONS,
    )
    services.survey_publish(actor=carol, survey=survey)
    sent = services.survey_distribute(actor=world.alice, survey=survey, audience=world.province_a)
    survey.refresh_from_db()
    return SimpleNamespace(
        world=world, carol=carol, workers=workers, survey=survey, tokens=sent["tokens"]
    )
