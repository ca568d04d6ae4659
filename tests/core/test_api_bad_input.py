"""Bad input on every core write endpoint answers 422 in the one error shape, naming the field;
never a 500. Forged (CSRF-less) session writes answer 403; missing objects 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gongjiang.core.models import AuditEvent, Membership, Organization
from tests.factories import valid_uscc

from .apiutil import API, assert_error_shape, call

pytestmark = pytest.mark.django_db

LONG = "长" * 1001


def _org_payload(world: Any) -> dict[str, Any]:
    return {
        "parent": world.city_a.code,
        "name": "坏输入测试有限公司工会",
        "kind": "enterprise",
        "region": "320111",
        "industry": "3711",
        "uscc": valid_uscc(),
    }


def _endpoints(world: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, a valid payload) for every core endpoint that takes a JSON body."""
    return [
        ("post", f"{API}/organizations", _org_payload(world)),
        (
            "patch",
            f"{API}/organizations/{world.enterprise_a.code}",
            {"name": "新名字", "contact": "李"},
        ),
        (
            "post",
            f"{API}/organizations/{world.enterprise_a.code}/move",
            {"parent": world.province_a.code},
        ),
        (
            "post",
            f"{API}/memberships",
            {"username": "nobody", "organization": world.team_a.code, "role": "worker"},
        ),
        ("post", f"{API}/tokens", {"name": "同步"}),
    ]


# per endpoint: (field, wrong-typed value) pairs
WRONG_TYPES = {
    "organizations": [
        ("name", 123),
        ("kind", 5),
        ("region", ["320111"]),
        ("parent", {"code": "x"}),
        ("industry", 3711.5),
        ("uscc", True),
    ],
    "patch": [("name", 1), ("kind", "planet"), ("region", 320100), ("contact", ["a"])],
    "move": [("parent", 12)],
    "memberships": [("username", 7), ("organization", None), ("role", "king")],
    "tokens": [("name", {"a": 1}), ("expires_at", "next tuesday")],
}
REQUIRED = {
    "organizations": ["parent", "name", "kind", "region"],
    "patch": [],
    "move": ["parent"],
    "memberships": ["username", "organization", "role"],
    "tokens": ["name"],
}
OVERSIZE = {
    "organizations": [
        "name",
        "short_name",
        "address",
        "contact",
        "uscc",
        "parent",
        "region",
        "industry",
    ],
    "patch": ["name", "short_name", "address", "contact", "uscc", "region", "industry"],
    "move": ["parent"],
    "memberships": ["username", "organization"],
    "tokens": ["name"],
}


def _key(method: str, url: str) -> str:
    if method == "patch":
        return "patch"
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_valid_payloads_are_accepted(client: Client, world: Any) -> None:
    """The baseline: each payload used below is valid, so each 422 is caused by the one change."""
    client.force_login(world.root)
    for method, url, payload in _endpoints(world):
        r = call(client, method, url, payload)
        assert r.status_code in (200, 201), (url, r.content)


def test_wrong_types(client: Client, world: Any) -> None:
    client.force_login(world.root)
    for method, url, payload in _endpoints(world):
        for field, value in WRONG_TYPES[_key(method, url)]:
            r = call(client, method, url, payload | {field: value})
            body = assert_error_shape(r, 422, field)
            assert body["code"] == "validation_error", (url, field, body)


def test_missing_fields(client: Client, world: Any) -> None:
    client.force_login(world.root)
    for method, url, payload in _endpoints(world):
        for field in REQUIRED[_key(method, url)]:
            r = call(client, method, url, {k: v for k, v in payload.items() if k != field})
            assert_error_shape(r, 422, field)
            assert "required" in r.json()["details"][0]["error"].lower() or r.json()["details"]


def test_unknown_fields(client: Client, world: Any) -> None:
    client.force_login(world.root)
    for method, url, payload in _endpoints(world):
        for extra in ({"is_superuser": True}, {"path": "000001."}, {"code": "x", "id": 1}):
            r = call(client, method, url, payload | extra)
            body = assert_error_shape(r, 422, next(iter(extra)))
            assert "unknown field" in {d["error"] for d in body["details"]}


def test_oversize_strings(client: Client, world: Any) -> None:
    client.force_login(world.root)
    for method, url, payload in _endpoints(world):
        for field in OVERSIZE[_key(method, url)]:
            r = call(client, method, url, payload | {field: LONG})
            assert_error_shape(r, 422, field)


def test_empty_and_blank_strings(client: Client, world: Any) -> None:
    client.force_login(world.root)
    r = call(client, "post", f"{API}/organizations", _org_payload(world) | {"name": "   "})
    assert_error_shape(r, 422, "name")
    r = call(client, "patch", f"{API}/organizations/{world.enterprise_a.code}", {"name": ""})
    assert_error_shape(r, 422, "name")
    r = call(client, "patch", f"{API}/organizations/{world.enterprise_a.code}", {"name": None})
    assert_error_shape(r, 422, "name")
    r = call(client, "patch", f"{API}/organizations/{world.enterprise_a.code}", {"uscc": None})
    assert_error_shape(r, 422, "uscc")
    r = call(client, "post", f"{API}/tokens", {"name": ""})
    assert_error_shape(r, 422, "name")


@pytest.mark.parametrize(
    "body",
    [
        '{"name": ',
        "{'name': 'x'}",
        "not json at all",
        '{"name": "a",}',
        "\x00\x01",
        "[1, 2",
        '{"name": "\\ud800"}',
    ],
)
def test_malformed_json(client: Client, world: Any, body: str) -> None:
    client.force_login(world.root)
    for method, url, _payload in _endpoints(world):
        r = call(client, method, url, body)
        assert r.status_code == 422, (url, body, r.status_code, r.content[:300])
        assert_error_shape(r, 422)


@pytest.mark.parametrize("body", ["[]", '"a string"', "null", "42", "[{}]"])
def test_json_that_is_not_an_object(client: Client, world: Any, body: str) -> None:
    client.force_login(world.root)
    for method, url, _payload in _endpoints(world):
        r = call(client, method, url, body)
        assert_error_shape(r, 422)


def test_wrong_content_type_is_not_a_500(client: Client, world: Any) -> None:
    client.force_login(world.root)
    r = client.post(f"{API}/tokens", data={"name": "x"})  # form-encoded
    assert_error_shape(r, 422)
    r = client.post(f"{API}/tokens", data=b"\xff\xfe\x00", content_type="application/json")
    assert_error_shape(r, 422)


def test_bad_query_parameters(client: Client, world: Any) -> None:
    client.force_login(world.root)
    cases = [
        (f"{API}/organizations", {"page": "x"}, "page"),
        (f"{API}/organizations", {"page": "0"}, "page"),
        (f"{API}/organizations", {"page_size": "100000"}, "page_size"),
        (f"{API}/organizations", {"active": "maybe"}, "active"),
        (f"{API}/organizations", {"q": LONG}, "q"),
        (f"{API}/memberships", {"page": "x"}, "page"),
        (f"{API}/audit-events", {"since": "yesterday"}, "since"),
        (f"{API}/audit-events", {"page_size": "many"}, "page_size"),
        (f"{API}/reference/regions", {"page": "1.5"}, "page"),
    ]
    for url, params, field in cases:
        assert_error_shape(client.get(url, params), 422, field)
    # out-of-range pages and sizes are a 422 naming the parameter, on every list alike
    for url in (f"{API}/memberships", f"{API}/audit-events", f"{API}/reference/regions"):
        assert_error_shape(client.get(url, {"page": "-3"}), 422, "page")
        assert_error_shape(client.get(url, {"page": str(10**20)}), 422, "page")
        assert_error_shape(client.get(url, {"page_size": "100000"}), 422, "page_size")


def test_nothing_was_written_by_bad_input(client: Client, world: Any) -> None:
    client.force_login(world.root)
    before = (Organization.objects.count(), Membership.objects.count())
    for method, url, payload in _endpoints(world):
        call(client, method, url, payload | {"unknown": 1})
        call(client, method, url, "{")
    assert (Organization.objects.count(), Membership.objects.count()) == before
    assert not AuditEvent.objects.exists()


def test_forged_session_write_is_403(world: Any) -> None:
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(world.root)
    for method, url, payload in _endpoints(world):
        r = call(forged, method, url, payload)
        body = assert_error_shape(r, 403)
        assert body["code"] == "permission_denied"
    for url in (
        f"{API}/organizations/{world.city_a.code}/deactivate",
        f"{API}/memberships/{Membership.objects.first().code}",
    ):
        r = call(forged, "post" if "deactivate" in url else "delete", url)
        assert_error_shape(r, 403)
    assert Organization.objects.filter(is_active=True).count() == 8
    # reads need no CSRF token
    assert forged.get(f"{API}/organizations").status_code == 200
    # pages: a forged POST is refused with 403, not a 500
    r = forged.post("/tokens/", {"name": "forged"})
    assert r.status_code == 403
    assert not AuditEvent.objects.exists()


def test_the_right_csrf_token_is_accepted(world: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.alice)
    c.get("/tokens/")
    token = c.cookies["csrftoken"].value
    r = call(c, "post", f"{API}/tokens", {"name": "ok"}, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201


def test_missing_objects_are_404_in_the_error_shape(client: Client, world: Any) -> None:
    client.force_login(world.root)
    cases = [
        ("get", f"{API}/organizations/nope"),
        ("get", f"{API}/organizations/nope/children"),
        ("patch", f"{API}/organizations/nope"),
        ("post", f"{API}/organizations/nope/move"),
        ("post", f"{API}/organizations/nope/deactivate"),
        ("post", f"{API}/organizations/nope/reactivate"),
        ("delete", f"{API}/memberships/nope"),
        ("get", f"{API}/jobs/nope"),
        ("delete", f"{API}/tokens/nope"),
        ("get", f"{API}/reference/regions/000000"),
        ("get", f"{API}/no-such-endpoint"),
    ]
    for method, url in cases:
        data = (
            {"parent": world.city_a.code}
            if url.endswith("/move")
            else ({"name": "x"} if method == "patch" else None)
        )
        r = call(client, method, url, data)
        body = assert_error_shape(r, 404)
        assert body["code"] == "not_found", (url, body)
    # a missing parent named in a body is a 404 too
    r = call(client, "post", f"{API}/organizations", _org_payload(world) | {"parent": "nope"})
    assert_error_shape(r, 404)
    r = call(
        client,
        "post",
        f"{API}/memberships",
        {"username": "nobody", "organization": "nope", "role": "worker"},
    )
    assert_error_shape(r, 404)


def test_token_expiry_must_be_in_the_future(client: Client, world: Any) -> None:
    client.force_login(world.alice)
    r = call(
        client, "post", f"{API}/tokens", {"name": "x", "expires_at": "2001-01-01T00:00:00+08:00"}
    )
    assert_error_shape(r, 422, "expires_at")
    r = call(
        client, "post", f"{API}/tokens", {"name": "x", "expires_at": "2001-01-01T00:00:00"}
    )  # naive
    assert_error_shape(r, 422, "expires_at")
    r = call(client, "post", f"{API}/tokens", {"name": "x", "expires_at": "2999-01-01T00:00:00"})
    assert r.status_code == 201 and r.json()["expires_at"].startswith("2999-01-01")


def test_nul_characters_are_refused_not_a_500(client: Client, world: Any) -> None:
    """PostgreSQL cannot store or compare text holding NUL: it must be a 422, never a 500."""
    client.force_login(world.root)
    for url, params in (
        (f"{API}/organizations", {"q": "a\x00b"}),
        (f"{API}/memberships", {"q": "\x00"}),
        (f"{API}/audit-events", {"actor": "\x00", "q": "\x00"}),
        (f"{API}/reference/regions", {"q": "\x00"}),
        (f"{API}/reference/regions/\x00", {}),
        (f"{API}/organizations/\x00", {}),
    ):
        r = client.get(url, params)
        assert r.status_code in (404, 422), (url, r.status_code)
        assert_error_shape(r, r.status_code)
    for method, url, payload in _endpoints(world):
        for field, value in payload.items():
            if isinstance(value, str):
                r = call(client, method, url, payload | {field: value[:1] + "\x00"})
                assert r.status_code in (404, 422), (url, field, r.status_code, r.content[:200])
                assert_error_shape(r, r.status_code)


def test_token_expiry_with_an_odd_offset_is_stored_not_a_500(client: Client, world: Any) -> None:
    """Found by schemathesis on PostgreSQL: an offset of -22:09 answered 500 (PostgreSQL keeps
    offsets within ±15:59); the expiry is stored in the site's time zone."""
    client.force_login(world.alice)
    r = client.post(
        f"{API}/tokens",
        data=json.dumps({"name": "x", "expires_at": "9053-04-08T21:40:32-22:09"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    import datetime as dt

    stored = dt.datetime.fromisoformat(r.json()["expires_at"].replace("Z", "+00:00"))
    assert stored == dt.datetime(9053, 4, 9, 19, 49, 32, tzinfo=dt.UTC)
