from __future__ import annotations

from typing import Any

import pytest

from tests.factories import OrganizationFactory, UserFactory, member

from .factories import make_competition, make_worker


@pytest.fixture
def comp(world: Any) -> dict[str, Any]:
    """A provincial competition organised by province A (alice), two stages, one trade (焊工),
    two more enterprises under city A, and three neutral judges from province B."""
    data = make_competition(world.alice, world.province_a, stages=2, level="province")
    ent2 = OrganizationFactory(
        parent=world.city_a, name="南京第二装备公司工会", kind="enterprise", region="320111"
    )
    ent3 = OrganizationFactory(
        parent=world.city_a, name="南京第三装备公司工会", kind="enterprise", region="320111"
    )
    judges = []
    for i in range(3):
        judge = UserFactory(username=f"judge{i}")
        member(judge, world.enterprise_b, "judge")
        judges.append(judge)
    data.update(enterprises=[world.enterprise_a, ent2, ent3], judges=judges)
    return data


@pytest.fixture
def workers(world: Any, comp: dict[str, Any]) -> list[Any]:
    return [
        make_worker(world.alice, org, f"选手{org.name[:4]}{i}")
        for org in comp["enterprises"]
        for i in range(3)
    ]
