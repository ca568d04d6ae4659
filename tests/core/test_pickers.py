"""Search pickers answer only inside the user's scope: organisations, users (through the
memberships the user's roles cover) and workers outside it are never listed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workforce.helpers import make_worker

pytestmark = pytest.mark.django_db


def _pick(client: Any, kind: str, q: str) -> list[dict[str, str]]:
    r = client.get(f"/pick/{kind}/", {"q": q})
    assert r.status_code == 200
    return r.json()["results"]


def test_pickers_are_scoped(client: Any, world: Any) -> None:
    r = client.get("/pick/organizations/", {"q": "省"})
    assert r.status_code == 302 and "/login/" in r["Location"]  # anonymous
    client.force_login(world.alice)
    orgs = _pick(client, "organizations", world.province_a.name[:2])
    assert world.province_a.code in {o["value"] for o in orgs}
    assert world.province_b.code not in {
        o["value"] for o in _pick(client, "organizations", world.province_b.name)
    }
    assert [o["value"] for o in _pick(client, "organizations", world.enterprise_a.code)] == [
        world.enterprise_a.code
    ]
    assert _pick(client, "organizations", world.enterprise_b.code) == []
    users = {u["value"] for u in _pick(client, "users", "a")}
    assert "alice" in users and "bob" not in users and "worker_a" in users
    assert _pick(client, "users", "bob") == []
    mine = make_worker(world.enterprise_a, 1, name="张三丰")
    theirs = make_worker(world.enterprise_b, 2, name="张三李")
    found = _pick(client, "workers", "张三")
    assert [w["value"] for w in found] == [mine.code]
    assert world.enterprise_a.name in found[0]["label"]
    assert [w["value"] for w in _pick(client, "workers", "zhangsan")] == [mine.code]  # pinyin
    assert _pick(client, "workers", theirs.code) == []
    assert _pick(client, "workers", "") == []
    assert client.get("/pick/secrets/", {"q": "a"}).status_code == 404
    client.force_login(world.nobody)  # no role: nothing at all
    assert _pick(client, "organizations", world.province_a.name) == []
    assert _pick(client, "users", "alice") == []
