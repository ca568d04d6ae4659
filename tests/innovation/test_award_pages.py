"""Award pages: scoped access on each, the panel's score sheet with conflicts, the award list."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gongjiang.core.review.services import panel_member_add
from gongjiang.innovation import awards, services
from gongjiang.innovation.models import AwardRound, Nomination
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(world: Any, team: Any) -> AwardRound:
    round_ = awards.award_round_create(
        actor=world.alice,
        organization=world.province_a,
        year=2026,
        title="2026年度创新奖",
        bands=(1, 2, 3, 4),
    )
    awards.award_quota_set(actor=world.alice, round=round_, organization=world.city_a, quota=2)
    return round_


def test_round_pages_and_nomination(client: Any, world: Any, team: Any, award: AwardRound) -> None:
    check_access(client, url="/innovation/awards/", in_scope=world.alice, out_of_scope=None)
    page = check_access(
        client,
        url=f"/innovation/awards/{award.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    result = services.result_review(
        actor=team.hr, result=make_result(team, submit=True), adopted=True
    )
    city = UserFactory(username="city_officer")
    member(city, world.city_a, "officer")
    client.force_login(city)
    page = client.get(f"/innovation/awards/{award.code}/").content.decode()
    assert "act-nominate" in page and result.title in page
    response = client.post(
        f"/innovation/awards/{award.code}/act/",
        {"act": "nominate", "unit": world.city_a.code, "result": result.code},
    )
    assert response.status_code == 302 and Nomination.objects.filter(result=result).exists()
    # the city officer cannot run the round
    client.post(f"/innovation/awards/{award.code}/act/", {"act": "open_review"})
    award.refresh_from_db()
    assert award.state == "nominating"
    client.force_login(world.bob)
    assert (
        client.post(f"/innovation/awards/{award.code}/act/", {"act": "open_review"}).status_code
        == 404
    )
    check_access(
        client,
        url=f"/innovation/awards/{award.code}/act/",
        method="post",
        data={"act": "open_review"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    award.refresh_from_db()
    assert award.state == "reviewing"


def test_create_round_page(client: Any, world: Any) -> None:
    check_access(client, url="/innovation/awards/new/", in_scope=world.alice, out_of_scope=None)
    response = client.post(
        "/innovation/awards/new/",
        {
            "organization": world.province_a.pk,
            "year": 2026,
            "title": "省级创新奖",
            "bands": "1,3,6,10",
            "notice_days": 5,
            "amount_0": "20000",
        },
    )
    assert response.status_code == 302
    created = AwardRound.objects.get(title="省级创新奖")
    assert created.grade_amounts == {"一等奖": "20000.00"}
    assert created.review.kind == "innovation.award"
    client.force_login(world.worker_a)
    assert client.get("/innovation/awards/new/").status_code == 403


def test_panel_sheet_scores_and_conflicts(
    client: Any, world: Any, team: Any, award: AwardRound
) -> None:
    result = services.result_review(
        actor=team.hr, result=make_result(team, submit=True), adopted=True
    )
    awards.nomination_add(actor=world.alice, round=award, result=result, organization=world.city_a)
    awards.award_review_open(actor=world.alice, round=award)
    expert = UserFactory(username="expert")
    insider = UserFactory(username="insider")
    member(insider, world.enterprise_a, "hr")
    for u in (expert, insider):
        panel_member_add(actor=world.alice, round=award.review, user=u)
    url = f"/innovation/awards/{award.code}/panel/"
    sheet = check_access(client, url=url, in_scope=expert, out_of_scope=world.bob)
    item = award.review.items.get()
    criteria = list(award.review.criteria.all())
    data = {f"s-{item.code}-{c.pk}": "88.5" for c in criteria}
    assert client.post(url, data).status_code == 302
    assert item.scores.count() == len(criteria)
    client.force_login(insider)
    assert (
        "Conflict of interest" in client.get(url).content.decode()
        or "利益冲突" in client.get(url).content.decode()
    )
    client.post(url, data)
    assert item.scores.count() == len(criteria)  # the insider's scores were refused
    assert sheet.status_code == 200
    # finalise, then the award list
    awards.award_round_finalise(actor=world.alice, round=award)
    response = check_access(
        client,
        url=f"/innovation/awards/{award.code}/list.xlsx",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "2026年度创新奖获奖名单"
    assert rows[1][:5] == ("序号", "成果名称", "完成单位", "主要完成人", "奖励等级")
    assert rows[2][0] == "一等奖"
    assert rows[3][1] == result.title and rows[3][3] == "李斌、王芳、赵强"
