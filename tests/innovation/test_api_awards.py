"""The awards API: rounds, nominations, the panel member's own sheet and scores (conflicts
refused, all or nothing), ranking with ties, the published list; scoped (404 out of sight)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.models import ReviewScore
from gongjiang.core.review.services import panel_member_add
from gongjiang.innovation import awards, services
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
API = "/api/v1/innovation/awards"


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def round_(world: Any, team: Any) -> Any:
    r = awards.award_round_create(
        actor=world.alice,
        organization=world.province_a,
        year=2026,
        title="2026年度江苏省职工技术创新奖",
        bands=(1, 2, 3, 4),
    )
    awards.award_quota_set(actor=world.alice, round=r, organization=world.city_a, quota=3)
    return r


def adopted(team: Any, title: str) -> Any:
    result = make_result(team, title=title, submit=True)
    return services.result_review(actor=team.hr, result=result, adopted=True)


def test_list_detail_and_nominate_scoped(client: Any, world: Any, team: Any, round_: Any) -> None:
    result = adopted(team, "成果甲")
    client.force_login(world.alice)
    rows = client.get(API).json()
    assert [r["code"] for r in rows] == [round_.code]
    client.force_login(world.bob)
    assert client.get(API).json() == []
    check_access(client, url=f"{API}/{round_.code}", in_scope=world.alice, out_of_scope=world.bob)
    # nominating: in scope 201; bob cannot see the round (404); a unit without quota 404
    check_access(
        client,
        url=f"{API}/{round_.code}/nominations",
        method="post",
        data={"result": result.code, "unit": world.city_a.code},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    body = client.get(f"{API}/{round_.code}").json()
    assert [n["title"] for n in body["nominations"]] == ["成果甲"] and body["manages"]
    r = post(client, f"{API}/{round_.code}/nominations", {"result": result.code, "unit": "nope"})
    assert r.status_code == 404
    r = post(client, f"{API}/{round_.code}/nominations", {"result": result.code, "x": 1})
    assert r.status_code == 422  # unknown field


def test_sheet_scores_ranking_published(client: Any, world: Any, team: Any, round_: Any) -> None:
    results = [adopted(team, t) for t in ("成果甲", "成果乙", "成果丙")]
    for r in results:
        awards.nomination_add(actor=world.alice, round=round_, result=r, organization=world.city_a)
    expert = UserFactory(username="expert_x")
    member(expert, world.province_b, "judge")  # another branch: no conflict with city A
    conflicted = UserFactory(username="expert_a")
    member(conflicted, world.city_a, "officer")  # the nominating unit's own officer
    for e in (expert, conflicted):
        panel_member_add(actor=world.alice, round=round_.review, user=e)
    awards.award_review_open(actor=world.alice, round=round_)
    # only panel members have a sheet; anyone else 404
    client.force_login(world.enterprise_officer_a)
    assert client.get(f"{API}/{round_.code}/sheet").status_code == 404
    client.force_login(conflicted)
    sheet = client.get(f"{API}/{round_.code}/sheet").json()
    assert all(i["conflict"] for i in sheet["items"])
    crit = sheet["criteria"][0]["id"]
    r = post(
        client,
        f"{API}/{round_.code}/scores",
        {"scores": [{"item": sheet["items"][0]["item"], "criterion": crit, "score": "10"}]},
    )
    assert r.status_code in (403, 409) and not ReviewScore.objects.exists()
    client.force_login(expert)
    sheet = client.get(f"{API}/{round_.code}/sheet").json()
    assert sheet["open"] and not any(i["conflict"] for i in sheet["items"])
    labels = {i["label"]: i["item"] for i in sheet["items"]}
    points = {"成果甲": "20", "成果乙": "25", "成果丙": "20"}  # a tie for second
    too_high = [{"item": labels["成果甲"], "criterion": crit, "score": "9999"}]
    r = post(client, f"{API}/{round_.code}/scores", {"scores": too_high})
    assert (
        r.status_code == 400
        and r.json()["details"][0]["field"] == "score"
        and not ReviewScore.objects.exists()
    )
    # bounded input: a criterion id of 10**20 is a 422, not a 500
    r = post(
        client,
        f"{API}/{round_.code}/scores",
        {"scores": [{"item": labels["成果甲"], "criterion": 10**20, "score": "1"}]},
    )
    assert r.status_code == 422
    scores = [
        {
            "item": labels[t],
            "criterion": c["id"],
            "score": str(min(float(c["max_score"]), float(points[t]))),
        }
        for t in points
        for c in sheet["criteria"]
    ]
    r = post(client, f"{API}/{round_.code}/scores", {"scores": scores})
    assert r.status_code == 200, r.content
    saved = r.json()["items"]
    assert all(v is not None for i in saved for v in i["scores"].values())
    # the ranking: not before the round is ranked; a panel member never finalises
    client.force_login(world.alice)
    assert client.get(f"{API}/{round_.code}/ranking").status_code == 404
    client.force_login(expert)
    assert client.post(f"{API}/{round_.code}/finalise").status_code in (403, 409)
    client.force_login(world.bob)
    assert client.post(f"{API}/{round_.code}/finalise").status_code == 404
    client.force_login(world.alice)
    r = client.post(f"{API}/{round_.code}/finalise")
    assert r.status_code == 200 and r.json()["state"] == "final"
    ranking = client.get(f"{API}/{round_.code}/ranking").json()
    assert [n["rank"] for n in ranking] == [1, 2, 2]  # ties share the rank
    assert ranking[0]["title"] == "成果乙"
    assert {n["title"] for n in ranking[1:]} == {"成果甲", "成果丙"}
    assert ranking[0]["grade"] == "一等奖" and ranking[1]["grade"] == ranking[2]["grade"]
    # others see the ranking and the list only once published
    client.force_login(conflicted)
    assert client.get(f"{API}/{round_.code}/ranking").status_code == 404
    assert client.get(f"{API}/{round_.code}/published").status_code == 404
    round_.refresh_from_db()
    round_ = awards.award_notice_publish(actor=world.alice, round=round_)
    notice = round_.notice
    span = notice.ends_on - notice.starts_on
    start = dt.date.today() - span - dt.timedelta(days=2)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + span)
    round_.refresh_from_db()
    awards.award_round_publish(actor=world.alice, round=round_)
    client.force_login(conflicted)
    published = client.get(f"{API}/{round_.code}/published").json()
    assert [w["title"] for w in published["winners"]][0] == "成果乙"
    assert published["winners"][0]["names"] == ["李斌", "王芳", "赵强"]
    assert len(client.get(f"{API}/{round_.code}/ranking").json()) == 3
    client.force_login(world.bob)
    assert client.get(f"{API}/{round_.code}/published").status_code == 404


def test_panel_member_added_through_the_scoped_picker(
    client: Any, world: Any, team: Any, round_: Any
) -> None:
    client.force_login(world.alice)
    page = client.get(f"/innovation/awards/{round_.code}/").content.decode()
    assert 'data-picker="/pick/users/"' in page and 'id="pick-panel-user"' in page
    # the picker offers users inside alice's scope, and the form takes only those
    picked = client.get("/pick/users/", {"q": "ent_officer"}).json()["results"]
    assert [p["value"] for p in picked] == ["ent_officer_a"]
    assert client.get("/pick/users/", {"q": "bob"}).json()["results"] == []
    url = f"/innovation/awards/{round_.code}/act/"
    client.post(url, {"act": "panel", "username": "bob"})  # outside her scope: refused
    client.post(url, {"act": "panel", "username": "ent_officer_a"})
    assert [p.user.username for p in round_.review.panel.all()] == ["ent_officer_a"]
