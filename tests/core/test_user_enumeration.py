"""A user name outside the caller's organisations is answered exactly like a name nobody has: role
grants (API and page) and exam candidates cannot probe for logins of another province, and a
province admin cannot give a role to a user of another province."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from gongjiang.core.models import Membership
from tests.learning.factories import make_bank

API = "/api/v1"


def _grant(client: Client, org: str, username: str) -> Any:
    return client.post(
        f"{API}/memberships",
        data=json.dumps({"organization": org, "username": username, "role": "officer"}),
        content_type="application/json",
    )


def test_role_grant_answers_alike_for_missing_and_out_of_scope_users(
    client: Client, world: Any
) -> None:
    client.force_login(world.alice_admin)
    out_of_scope = _grant(client, world.enterprise_a.code, "bob")  # bob: officer of province B
    missing = _grant(client, world.enterprise_a.code, "nobody-has-this-name")
    assert out_of_scope.status_code == missing.status_code == 422
    assert out_of_scope.json() == missing.json()
    assert out_of_scope.json()["details"][0]["field"] == "username"
    assert not Membership.objects.filter(user=world.bob, organization=world.enterprise_a).exists()
    # a user inside the admin's province is granted as before
    ok = _grant(client, world.enterprise_a.code, "worker_a")
    assert ok.status_code == 201, ok.content


def test_role_grant_page_treats_an_out_of_scope_user_as_unknown(client: Client, world: Any) -> None:
    client.force_login(world.alice_admin)

    def post(username: str) -> str:
        response = client.post(
            "/people/new/",
            {
                "organization": world.enterprise_a.code,
                "username": username,
                "role": "officer",
                "full_name": "",
                "password": "",
            },
        )
        assert response.status_code == 200
        import re

        html = response.content.decode()
        return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    out_of_scope, missing = post("bob"), post("nobody-has-this-name")
    assert out_of_scope.replace("bob", "X") == missing.replace("nobody-has-this-name", "X")
    assert not Membership.objects.filter(user=world.bob, organization=world.enterprise_a).exists()


def test_exam_candidates_answer_alike_for_missing_and_out_of_scope_users(
    client: Client, world: Any
) -> None:
    bank = make_bank(world.alice, world.province_a)
    client.force_login(world.alice)
    paper = client.post(
        f"{API}/learning/papers",
        data=json.dumps(
            {
                "organization": world.province_a.code,
                "title": "卷一",
                "questions": [q.code for q in bank[:2]],
            }
        ),
        content_type="application/json",
    ).json()["code"]
    now = timezone.now()

    def create(candidate: str) -> Any:
        data = {
            "organization": world.province_a.code,
            "paper": paper,
            "title": "理论考试",
            "opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
            "closes_at": (now + dt.timedelta(hours=1)).isoformat(),
            "duration_minutes": 30,
            "candidates": [candidate],
        }
        return client.post(
            f"{API}/learning/sessions", data=json.dumps(data), content_type="application/json"
        )

    out_of_scope, missing = create("bob"), create("zz-missing")
    assert out_of_scope.status_code == missing.status_code == 422
    body = json.dumps(out_of_scope.json()).replace("bob", "X")
    assert body == json.dumps(missing.json()).replace("zz-missing", "X")
    assert create("worker_a").status_code == 201
