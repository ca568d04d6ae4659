"""Cadres publish and change campaigns on desktop pages and the API (organiser = a union in their
scope, audience = its subtree) and read participation per subtree; out of scope answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gongjiang.members import campaigns
from gongjiang.members.models import Campaign

from ..access_helpers import check_access
from ..counters_helpers import fold
from ..factories import UserFactory, member


def _when(days: int) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_publish_a_campaign_on_the_desktop(client: Any, ms: Any, world: Any) -> None:
    url = reverse("members:campaign_manage")
    check_access(client, url=url, in_scope=world.alice, out_of_scope=None)
    client.force_login(world.worker_a)
    assert client.get(url).status_code == 403
    client.force_login(world.alice)
    page = client.get(url).content.decode()
    assert ms.questions[0].code in page and ms.campaign.title in page
    data = {
        "organization": world.enterprise_a.code,
        "title": "安全生产知识答题",
        "description": "全厂职工参加",
        "starts_at": _when(0),
        "ends_at": _when(7),
        "questions": [q.code for q in ms.questions[:2]],
    }
    # no question: refused, nothing written
    response = client.post(url, {**data, "questions": []})
    assert response.status_code == 200
    assert "竞赛题目数量须为 1 至 50 道" in response.content.decode()
    assert not Campaign.objects.filter(title=data["title"]).exists()
    # ends before it starts: the field is named
    response = client.post(url, {**data, "ends_at": _when(-1)})
    assert response.status_code == 200 and not Campaign.objects.filter(title=data["title"]).exists()
    assert "ends_at" in response.context["form"].errors
    # an organiser outside the cadre's scope: 404, nothing written
    client.force_login(world.bob)
    assert client.post(url, data).status_code == 404
    client.force_login(world.alice)
    response = client.post(url, data)
    assert response.status_code == 302
    created = Campaign.objects.get(title=data["title"])
    assert created.organization == world.enterprise_a and created.questions.count() == 2
    # the audience is the organiser's subtree: worker A sees it, worker B does not
    assert created in campaigns.campaigns_for(actor=world.worker_a)
    assert created not in campaigns.campaigns_for(actor=ms.worker_b)


def test_participation_per_subtree_for_cadres(client: Any, ms: Any, world: Any) -> None:
    single, tf, multiple = ms.questions
    campaigns.contest_submit(
        actor=world.worker_a, campaign=ms.campaign, answers={single.code: "B", tf.code: True}
    )
    other = UserFactory(username="team_worker")
    member(other, world.team_a, "worker")
    campaigns.contest_submit(actor=other, campaign=ms.campaign, answers={single.code: "A"})
    url = reverse("members:campaign_results", args=[ms.campaign.code])
    # before the worker's fold the page says that 2 answers are still to be counted
    client.force_login(world.alice)
    queued = client.get(url)
    assert queued.context["total"]["participants"] == 0
    assert 'id="counters-freshness"' in queued.content.decode()
    assert queued.context["freshness"].pending == 2
    fold()
    response = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    page = response.content.decode()
    assert 'id="counters-freshness"' not in page
    assert world.enterprise_a.name in page and 'id="campaign-settings"' in page
    # drill down into the enterprise: its team is listed under it
    response = client.get(url + f"?org={world.enterprise_a.code}")
    assert world.team_a.name in response.content.decode()
    assert client.get(url + f"?org={world.enterprise_b.code}").status_code == 404
    # the enterprise's officer reads their own subtree and may not change the city's campaign
    client.force_login(world.enterprise_officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["scope"] == world.enterprise_a
    assert response.context["total"]["participants"] == 2
    assert 'id="campaign-settings"' not in response.content.decode()
    assert client.get(url + f"?org={world.city_a.code}").status_code == 404
    assert client.post(url, {"title": "x"}).status_code == 403
    # the organiser's cadre changes the title; a bad period is refused and nothing changes
    client.force_login(world.alice)
    form = {"title": "新标题", "description": "", "starts_at": _when(-1), "ends_at": _when(5)}
    assert client.post(url, {**form, "ends_at": _when(-2)}).status_code == 200
    ms.campaign.refresh_from_db()
    assert ms.campaign.title != "新标题"
    assert client.post(url, form).status_code == 302
    ms.campaign.refresh_from_db()
    assert ms.campaign.title == "新标题"


def test_campaign_api(client: Any, ms: Any, world: Any) -> None:
    base = "/api/v1/members"
    response = check_access(
        client, url=f"{base}/campaigns", in_scope=world.worker_a, out_of_scope=None
    )
    assert [c["code"] for c in response.json()] == [ms.campaign.code]
    payload = {
        "organization": world.city_a.code,
        "title": "全市职工答题",
        "starts_at": (timezone.now()).isoformat(),
        "ends_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        "questions": [ms.questions[0].code],
    }
    response = check_access(
        client,
        url=f"{base}/campaigns",
        method="post",
        data=payload,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    code = response.json()["code"]
    assert response.json()["organization"] == world.city_a.code
    client.force_login(world.alice)
    too_long = client.post(
        f"{base}/campaigns",
        {**payload, "title": "x" * 201},
        content_type="application/json",
    )
    assert too_long.status_code == 422
    wrong_q = client.post(
        f"{base}/campaigns", {**payload, "questions": ["nope"]}, content_type="application/json"
    )
    assert wrong_q.status_code == 400 and wrong_q.json()["code"] == "questions"
    response = check_access(
        client,
        url=f"{base}/campaigns/{code}/settings",
        method="put",
        data={"title": "改名"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert response.json()["title"] == "改名"
    client.force_login(world.worker_a)  # offered to them, not theirs to change
    assert (
        client.put(
            f"{base}/campaigns/{code}/settings", {"title": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    campaigns.contest_submit(
        actor=world.worker_a, campaign=ms.campaign, answers={ms.questions[0].code: "B"}
    )
    client.force_login(world.alice)
    queued = client.get(f"{base}/campaigns/{ms.campaign.code}/participation").json()
    assert queued["participants"] == 0 and queued["freshness"]["pending"] == 1
    fold()
    response = check_access(
        client,
        url=f"{base}/campaigns/{ms.campaign.code}/participation",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    body = response.json()
    assert body["participants"] == 1 and body["units"][0]["code"] == world.enterprise_a.code
    assert body["freshness"]["pending"] == 0
    client.force_login(world.alice)
    other = client.get(
        f"{base}/campaigns/{ms.campaign.code}/participation?organization={world.city_b.code}"
    )
    assert other.status_code == 404
    response = check_access(
        client,
        url=f"{base}/campaigns/{ms.campaign.code}/tallies/verify",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    body = response.json()
    assert (
        body["participants"],
        body["unit_rows"],
        body["area_rows"],
        body["pending"],
        body["mismatches"],
    ) == (1, 1, 2, 0, 0)
