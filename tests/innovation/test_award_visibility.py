"""One rule for who sees which nominations of an award round (``awards.nominations_visible``):
the round's page and its API show every role the same set at every stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.services import panel_member_add
from gongjiang.innovation import awards
from tests.factories import UserFactory, member

from .test_awards import _score, adopted

pytestmark = pytest.mark.django_db
API = "/api/v1/innovation/awards"


def _seen(client: Any, user: Any, code: str) -> tuple[Any, Any]:
    """(codes on the page, codes in the API), or (404, 404) when the round is out of sight."""
    client.force_login(user)
    page = client.get(f"/innovation/awards/{code}/")
    api = client.get(f"{API}/{code}")
    if page.status_code == 404 or api.status_code == 404:
        return page.status_code, api.status_code
    assert page.status_code == 200 and api.status_code == 200
    return (
        {n.code for n in page.context["nominations"]},
        {n["code"] for n in api.json()["nominations"]},
    )


def test_page_and_api_show_the_same_nominations_for_each_role(
    client: Any, world: Any, team: Any
) -> None:
    round_ = awards.award_round_create(
        actor=world.alice,
        organization=world.province_a,
        year=2026,
        title="2026年度江苏省职工技术创新奖",
        bands=(1, 2, 3, 4),
    )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=3)
    city_officer = UserFactory(username="city_officer_a")
    member(city_officer, world.city_a, "officer")
    expert = UserFactory(username="expert_z")
    member(expert, world.province_b, "judge")
    results = [adopted(team, t) for t in ("成果甲", "成果乙", "成果丙")]
    noms = [
        awards.nomination_add(actor=city_officer, round=round_, result=r, organization=world.city_a)
        for r in results
    ]
    every = {n.code for n in noms}
    roles = {
        "manager": world.alice,
        "unit officer": city_officer,
        "enterprise officer": world.enterprise_officer_a,
        "panel": expert,
        "out of scope": world.bob,
        "no role": world.nobody,
    }

    def check(stage: str, expected: dict[str, Any]) -> None:
        for name, user in roles.items():
            page, api = _seen(client, user, round_.code)
            assert page == api, (stage, name, page, api)
            if name in expected:
                assert page == expected[name], (stage, name)

    check("nominating", {"manager": every, "unit officer": every, "out of scope": 404})
    panel_member_add(actor=world.alice, round=round_.review, user=expert)
    round_ = awards.award_review_open(actor=world.alice, round=round_)
    check("reviewing", {"manager": every, "unit officer": set(), "out of scope": 404})
    _score(round_, expert, {"成果甲": "20", "成果乙": "25", "成果丙": "20"})
    round_ = awards.award_round_finalise(actor=world.alice, round=round_)
    graded = {n.code for n in round_.nominations.exclude(item__grade="")}
    assert graded  # the bands grade every ranked result here
    check("final", {"manager": every, "unit officer": graded, "out of scope": 404})
    round_ = awards.award_notice_publish(actor=world.alice, round=round_)
    notice = round_.notice
    span = notice.ends_on - notice.starts_on
    start = dt.date.today() - span - dt.timedelta(days=2)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + span)
    round_.refresh_from_db()
    awards.award_round_publish(actor=world.alice, round=round_)
    check("published", {"manager": every, "unit officer": graded, "out of scope": 404})
