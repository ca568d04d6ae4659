"""The API: the revenue-sharing preview contract, results and their flow, analytics; scoped access
on every endpoint via the shared helper."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from gongjiang.innovation.models import Result
from tests.access_helpers import check_access
from tests.factories import UserFactory

from .conftest import make_result

pytestmark = pytest.mark.django_db

PREVIEW = "/api/v1/innovation/revenue-shares/preview"


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def body(mode: str = "transfer", amount: str = "10000.00", share: Any = None, members: Any = None):
    return {
        "mode": mode,
        "amount": amount,
        "share": share,
        "members": members
        if members is not None
        else [
            {"worker": "W2", "contribution": "33.33"},
            {"worker": "W1", "contribution": "33.33"},
            {"worker": "W3", "contribution": "33.34"},
        ],
    }


def test_preview_contract(client: Any, world: Any) -> None:
    response = check_access(
        client,
        url=PREVIEW,
        method="post",
        data=body(amount="100.01"),
        in_scope=world.worker_a,
        out_of_scope=None,
    )
    data = response.json()
    # pool 100.01 × 0.50 = 50.005 → 50.01 (half up); parts 16.668333, 16.668333, 16.673334
    assert data == {
        "pool": "50.01",
        "share": "0.50",
        "members": [
            {"worker": "W2", "amount": "16.67"},
            {"worker": "W1", "amount": "16.67"},
            {"worker": "W3", "amount": "16.67"},
        ],
    }
    own = post(client, PREVIEW, body(mode="own_use", amount="200000", share="0.08")).json()
    assert own["share"] == "0.08" and own["pool"] == "16000.00"
    assert sum(Decimal(m["amount"]) for m in own["members"]) == Decimal(own["pool"])
    assert post(client, PREVIEW, body(mode="own_use")).json()["share"] == "0.05"


def test_preview_refusals(client: Any, world: Any) -> None:
    client.force_login(world.alice)
    bad = post(
        client,
        PREVIEW,
        body(
            members=[{"worker": "A", "contribution": "60"}, {"worker": "B", "contribution": "30"}]
        ),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "contributions_not_100"
    low = post(client, PREVIEW, body(mode="licence", share="0.49"))
    assert low.status_code == 422 and low.json()["code"] == "below_statutory_minimum"
    low = post(client, PREVIEW, body(mode="own_use", share="0.0499"))
    assert low.status_code == 422
    assert post(client, PREVIEW, body(mode="equity", share="0.50")).status_code == 200
    for wrong in (
        body(mode="gift"),
        body(share="1.5"),
        body(amount="-1"),
        body(amount="1.001"),
        {**body(), "extra": 1},
        body(members=[]),
    ):
        assert post(client, PREVIEW, wrong).status_code == 422, wrong
    client.force_login(world.nobody)
    assert post(client, PREVIEW, body()).status_code == 403


def test_result_create_and_flow_through_the_api(client: Any, world: Any, team: Any) -> None:
    payload = {
        "employer": team.employer.code,
        "kind": "invention",
        "title": "高铁转向架焊接变形控制方法",
        "problem": "变形大",
        "solution": "反变形工装",
        "submit": True,
        "publish_consent": True,
        "members": [
            {"worker": team.workers[0].code, "contribution": "60"},
            {"worker": team.workers[1].code, "contribution": "40"},
        ],
        "patents": [{"number": "ZL 2017 1 0601862.3", "status": "granted"}],
    }
    created = check_access(
        client,
        url="/api/v1/innovation/results",
        method="post",
        data=payload,
        in_scope=world.worker_a,
        out_of_scope=world.bob,
        ok=201,
    ).json()
    assert created["status"] == "submitted"
    assert created["patents"] == [
        {"number": "ZL201710601862.3", "kind": "invention", "status": "granted"}
    ]
    code = created["code"]
    # the worker (a member) reads it; a worker outside is 404
    check_access(
        client,
        url=f"/api/v1/innovation/results/{code}",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    # the submitter may not review their own result; the enterprise HR does
    client.force_login(world.worker_a)
    assert (
        post(client, f"/api/v1/innovation/results/{code}/review", {"adopted": True}).status_code
        == 403
    )
    reviewed = check_access(
        client,
        url=f"/api/v1/innovation/results/{code}/review",
        method="post",
        data={"adopted": True},
        in_scope=team.hr,
        out_of_scope=world.bob,
    ).json()
    assert reviewed["status"] == "adopted"
    implemented = check_access(
        client,
        url=f"/api/v1/innovation/results/{code}/implement",
        method="post",
        data={"on": "2099-01-01"},
        in_scope=team.hr,
        out_of_scope=world.bob,
    ).json()
    assert implemented["status"] == "implemented"
    certified = check_access(
        client,
        url=f"/api/v1/innovation/results/{code}/effect",
        method="post",
        data={"savings": "120000.50", "quality": "一次合格率 99.2%"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    assert certified["status"] == "certified" and certified["savings"] == "120000.50"


def test_create_refusals(client: Any, world: Any, team: Any) -> None:
    client.force_login(world.enterprise_officer_a)
    base = {
        "employer": team.employer.code,
        "kind": "improvement",
        "title": "改进",
        "problem": "p",
        "solution": "s",
        "members": [{"worker": team.workers[1].code, "contribution": "99.99"}],
    }
    r = post(client, "/api/v1/innovation/results", base)
    assert r.status_code == 422 and r.json()["code"] == "contributions_not_100"
    r = post(
        client,
        "/api/v1/innovation/results",
        {**base, "members": [{"worker": team.worker_b.code, "contribution": "100"}]},
    )
    assert r.status_code == 400 and r.json()["code"] == "member_not_employee"
    r = post(
        client,
        "/api/v1/innovation/results",
        {
            **base,
            "members": [{"worker": team.workers[1].code, "contribution": "100"}],
            "patents": [{"number": "ZL201710601862.4"}],
        },
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_patent_number"
    # another enterprise's employer: 404
    r = post(client, "/api/v1/innovation/results", {**base, "employer": team.employer_b.code})
    assert r.status_code == 404
    # a worker enters only results of a team they are on
    client.force_login(world.worker_a)
    r = post(
        client,
        "/api/v1/innovation/results",
        {**base, "members": [{"worker": team.workers[1].code, "contribution": "100"}]},
    )
    assert r.status_code == 400 and r.json()["code"] == "not_on_team"
    assert not Result.objects.exists()


def test_list_and_analytics(client: Any, world: Any, team: Any) -> None:
    result = make_result(team, submit=True)
    listed = check_access(
        client, url="/api/v1/innovation/results", in_scope=world.alice, out_of_scope=None
    ).json()
    assert [r["code"] for r in listed["items"]] == [result.code]
    client.force_login(world.bob)
    assert client.get("/api/v1/innovation/results").json()["count"] == 0
    from gongjiang.innovation.services import result_review

    result_review(actor=team.hr, result=result, adopted=True)
    rows = check_access(
        client,
        url="/api/v1/innovation/analytics?by=employer",
        in_scope=world.alice,
        out_of_scope=None,
    ).json()
    # 1 adopted result, 3 workers on the job → 33.33 per 100
    assert rows == [
        {
            "key": str(team.employer.pk),
            "name": team.employer.name,
            "results": 1,
            "workers": 3,
            "per_100": "33.33",
        }
    ]
    client.force_login(world.bob)
    bob_rows = client.get("/api/v1/innovation/analytics?by=region").json()
    assert all(r["results"] == 0 for r in bob_rows)
    client.force_login(UserFactory(username="plain"))
    assert client.get("/api/v1/innovation/analytics").status_code == 403
