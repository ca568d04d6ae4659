"""/api/v1/enterprises: scoped through the covering union, bad input named, audited changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongjiang.core.models import AuditEvent, Enterprise
from tests.access_helpers import check_access
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db
API = "/api/v1/enterprises"


def _json(client: Any, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_list_and_detail_are_scoped(client: Any, world: Any) -> None:
    mine = Enterprise.objects.get(union=world.enterprise_a)
    theirs = Enterprise.objects.get(union=world.enterprise_b)
    check_access(client, url=f"{API}/{mine.code}", in_scope=world.alice, out_of_scope=world.bob)
    client.force_login(world.alice)
    data = client.get(API).json()
    assert [e["code"] for e in data["items"]] == [mine.code] and data["count"] == 1
    assert data["items"][0]["name"] == "南京测试装备有限公司"
    assert data["items"][0]["union"] == world.enterprise_a.code
    assert client.get(API, {"q": theirs.uscc}).json()["count"] == 0  # no hint it exists
    assert client.get(API, {"q": mine.uscc.lower()}).json()["count"] == 1
    assert client.get(f"{API}/{theirs.code}").status_code == 404
    assert client.get(API, {"page": 10**12}).status_code == 422


def test_create_and_update(client: Any, world: Any) -> None:
    body = {
        "union": world.enterprise_a.code,
        "name": "南京测试物流有限公司",
        "uscc": valid_uscc(),
        "industry": "3711",
        "size": "small",
    }
    r = check_access(
        client,
        url=API,
        method="post",
        data=body,
        api=True,
        ok=201,
        in_scope=world.alice,
        out_of_scope=None,
    )
    created = r.json()
    assert created["region"] == world.enterprise_a.region_id and created["size"] == "small"
    client.force_login(world.bob)  # a union out of scope is named as unknown, like a missing one
    r = _json(client, "post", API, {**body, "uscc": valid_uscc()})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "union"
    client.force_login(world.alice)
    r = _json(client, "post", API, {**body, "name": "南京测试物流有限公司工会", "uscc": "91320000"})
    fields = {d["field"] for d in r.json()["details"]}
    assert r.status_code == 422 and {"name", "uscc"} <= fields
    r = _json(
        client,
        "patch",
        f"{API}/{created['code']}",
        {"size": "medium", "name": "南京测试储运有限公司"},
    )
    assert r.status_code == 200 and r.json()["name"] == "南京测试储运有限公司"
    assert AuditEvent.objects.filter(
        action="enterprise.update", object_code=created["code"]
    ).exists()
    client.force_login(world.bob)
    r = _json(client, "patch", f"{API}/{created['code']}", {"size": "large"})
    assert r.status_code == 404


def test_evaluation_body_kind_through_the_api(client: Any, world: Any) -> None:
    client.force_login(world.alice)
    r = _json(
        client,
        "post",
        "/api/v1/organizations",
        {
            "parent": world.city_a.code,
            "name": "南京市职业技能鉴定中心",
            "kind": "evaluation",
            "region": "320100",
        },
    )
    assert r.status_code == 201 and r.json()["kind"] == "evaluation"
