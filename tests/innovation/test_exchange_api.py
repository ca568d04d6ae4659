"""The exchange API: the same services as the pages, bounded input, refusals and scope."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongjiang.innovation.models import Question
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db
API = "/api/v1/innovation/exchange"


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_ask_answer_vote_accept_report_hide(client: Any, world: Any, team: Any) -> None:
    bob_worker = UserFactory(username="worker_b")
    member(bob_worker, world.enterprise_b, "worker")
    client.force_login(world.worker_a)
    r = post(client, f"{API}/questions", {"title": "数控对刀", "body": "误差大", "topic": "数控"})
    assert r.status_code == 201, r.content
    q = r.json()
    assert q["author"] == {
        "name": "李斌",
        "employer": team.employer.name,
        "expert": "",
        "reputation": 0,
    }
    # bounds: 422 naming the field; unknown fields refused
    r = post(client, f"{API}/questions", {"title": "x" * 121, "body": "b"})
    assert r.status_code == 422
    r = post(client, f"{API}/questions", {"title": "t", "body": "b", "extra": 1})
    assert r.status_code == 422
    r = post(client, f"{API}/questions", {"title": "t", "body": "b", "occupation": "nope"})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "occupation"
    assert Question.objects.count() == 1
    client.force_login(bob_worker)
    r = post(client, f"{API}/questions/{q['code']}/answers", {"body": "先校准对刀仪"})
    assert r.status_code == 201
    answer = r.json()["code"]
    assert post(client, f"{API}/questions/{q['code']}/vote", {"value": 1}).json() == {"score": 1}
    assert post(client, f"{API}/answers/{answer}/vote", {"value": 1}).status_code == 409  # own
    assert post(client, f"{API}/questions/{q['code']}/vote", {"value": 2}).status_code == 422
    assert post(client, f"{API}/answers/{answer}/accept", {}).status_code == 403  # not the asker
    client.force_login(world.worker_a)
    r = post(client, f"{API}/answers/{answer}/accept", {})
    assert r.status_code == 200 and r.json()["answers"][0]["accepted"]
    listed = client.get(f"{API}/questions", {"q": "shukong"}).json()
    assert [i["code"] for i in listed["items"]] == [q["code"]] and listed["items"][0]["answered"]
    assert post(client, f"{API}/answers/{answer}/report", {"reason": "错误"}).status_code == 201
    assert post(client, f"{API}/answers/{answer}/report", {"reason": "错误"}).status_code == 409
    # hiding: the moderator of the author's subtree (bob, province B) only
    check_access(
        client,
        url=f"{API}/answers/{answer}/hide",
        method="post",
        data={"hidden": True, "reason": "不当"},
        in_scope=world.bob,
        out_of_scope=None,
        ok=204,
    )
    client.force_login(world.alice)
    assert client.get(f"{API}/questions/{q['code']}").json()["answers"] == []
    assert post(client, f"{API}/answers/{answer}/vote", {"value": 1}).status_code == 404
    client.force_login(world.bob)
    assert client.get(f"{API}/questions/{q['code']}").json()["answers"][0]["hidden"]


def test_read_needs_login_and_alice_cannot_hide_bobs(client: Any, world: Any, team: Any) -> None:
    client.force_login(world.worker_a)
    code = post(client, f"{API}/questions", {"title": "问", "body": "b"}).json()["code"]
    check_access(client, url=f"{API}/questions/{code}", in_scope=world.nobody, out_of_scope=None)
    check_access(client, url=f"{API}/questions", in_scope=world.nobody, out_of_scope=None)
    client.force_login(world.bob)  # province B moderates province B only
    r = post(client, f"{API}/questions/{code}/hide", {"hidden": True, "reason": "x"})
    assert r.status_code == 403
    client.force_login(world.alice)
    r = post(client, f"{API}/questions/{code}/hide", {"hidden": True, "reason": "x"})
    assert r.status_code == 204
    client.force_login(world.nobody)
    assert client.get(f"{API}/questions/{code}").status_code == 404
    assert client.get(f"{API}/questions").json()["count"] == 0
