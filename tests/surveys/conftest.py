from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from gongjiang.surveys import services
from tests.factories import OrganizationFactory, UserFactory, member

from .helpers import QUESTIONS, make_workers


@pytest.fixture
def sw(world: Any) -> Any:
    """The world plus 24 workers with logins in enterprise A, 3 in a small enterprise of city A,
    3 in enterprise B (province B: not invited), a second officer of province A (alice edits,
    carol publishes), an inspector of province A, and a published survey sent to province A."""
    carol = UserFactory(username="carol")
    member(carol, world.province_a, "officer")
    inspector = UserFactory(username="insp")
    member(inspector, world.province_a, "inspector")
    workers = make_workers(world.enterprise_a, 24)
    small = OrganizationFactory(
        parent=world.city_a, name="南京小微企业工会", kind="enterprise", region="320105"
    )
    few = make_workers(small, 3, start=100)
    make_workers(world.enterprise_b, 3, start=200)
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
        world=world,
        carol=carol,
        inspector=inspector,
        workers=workers,
        small=small,
        few=few,
        survey=survey,
        tokens=sent["tokens"],
    )
