"""Every endpoint: anonymous 401, out of scope 404, in scope ok (tests/access_helpers), and the two
public contracts exactly."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.congress import services
from gongjiang.congress import services_affairs as A
from gongjiang.congress import services_proposals as P

from ..access_helpers import check_access
from .helpers import assigned, draft, replied, submitted

pytestmark = pytest.mark.django_db


def test_vote_contract(client: Any, world: Any, congress: Any) -> None:
    officer = world.enterprise_officer_a
    session = services.session_set_status(actor=officer, session=congress.session, status="open")
    for d in congress.delegates[:21]:
        services.sign_in(actor=officer, session=session, delegate=d)
    vote = services.vote_create(actor=officer, session=session, title="集体合同", secret=True)
    services.vote_open(actor=officer, vote=vote)
    url = f"/api/v1/congress/votes/{vote.code}/ballots"
    check_access(
        client,
        url=url,
        method="post",
        data={"choice": "for"},
        in_scope=congress.users[0],
        out_of_scope=congress.committee_b,
        ok=204,
    )
    client.force_login(congress.users[0])
    again = client.post(url, data={"choice": "for"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    bad = client.post(url, data={"choice": "yes"}, content_type="application/json")
    assert bad.status_code == 422
    r = check_access(
        client,
        url=f"/api/v1/congress/votes/{vote.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json() == {
        "delegates": 30,
        "present": 21,
        "for": 1,
        "against": 0,
        "abstain": 0,
        "quorate": True,
        "passed": False,
        "secret": True,
    }
    # a delegate of the term reads it too; a worker of the enterprise who is not one does not
    client.force_login(congress.users[1])
    assert client.get(f"/api/v1/congress/votes/{vote.code}").status_code == 200
    client.force_login(world.worker_a)
    assert client.get(f"/api/v1/congress/votes/{vote.code}").status_code == 404


def test_rates_contract(client: Any, world: Any, congress: Any) -> None:
    a = replied(congress, 0)
    P.proposal_rate(actor=congress.users[0], proposal=a, rating="satisfied")
    P.proposal_close(actor=congress.committee, proposal=a)
    assigned(congress, 1)
    submitted(congress, 2)
    draft(congress, 0)
    url = f"/api/v1/congress/proposal-rates?organization={world.enterprise_a.code}"
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    body = r.json()
    assert set(body) == {
        "submitted",
        "accepted",
        "replied",
        "closed",
        "rated",
        "satisfied",
        "acceptance_rate",
        "reply_rate",
        "closure_rate",
        "satisfaction_rate",
        "median_reply_days",
    }
    assert body["submitted"] == 3 and body["accepted"] == 2 and body["replied"] == 1
    assert body["closed"] == 1 and body["rated"] == 1 and body["satisfied"] == 1
    assert body["acceptance_rate"] == pytest.approx(2 / 3) and body["reply_rate"] == 0.5
    assert body["closure_rate"] == 0.5 and body["satisfaction_rate"] == 1.0
    assert body["median_reply_days"] is not None
    # the committee reads the rates; a session filter; an unknown session is 404
    r = check_access(
        client,
        url=f"{url}&session={congress.session.code}",
        in_scope=congress.committee,
        out_of_scope=congress.committee_b,
    )
    assert r.json()["submitted"] == 0 and r.json()["acceptance_rate"] is None
    client.force_login(world.alice)
    assert client.get(f"{url}&session=nosuchsession").status_code == 404
    # the province covers the subtree: province B's rates are empty, never A's
    client.force_login(world.bob)
    r = client.get(f"/api/v1/congress/proposal-rates?organization={world.province_b.code}")
    assert r.json()["submitted"] == 0


def test_proposal_endpoints(client: Any, world: Any, congress: Any) -> None:
    base = "/api/v1/congress/proposals"
    r = check_access(
        client,
        url=base,
        method="post",
        in_scope=congress.users[0],
        out_of_scope=None,
        data={
            "term": congress.term.code,
            "title": "增设母婴室",
            "reasons": "女职工多",
            "measures": "在二楼设置",
            "category": "welfare",
        },
        ok=201,
    )
    code = r.json()["code"]
    client.force_login(congress.committee_b)
    assert (
        client.post(
            base,
            data={
                "term": congress.term.code,
                "title": "x",
                "reasons": "r",
                "measures": "m",
                "category": "wages",
            },
            content_type="application/json",
        ).status_code
        == 404
    )
    check_access(
        client,
        url=f"{base}/{code}/cosign",
        method="post",
        in_scope=congress.users[1],
        out_of_scope=congress.committee_b,
    )
    check_access(
        client,
        url=f"{base}/{code}/cosign",
        method="post",
        in_scope=congress.users[2],
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"{base}/{code}/submit",
        method="post",
        in_scope=congress.users[0],
        out_of_scope=world.bob,
    )
    assert r.json()["status"] == "submitted" and r.json()["cosigners"] == 2
    r = check_access(client, url=base, in_scope=congress.committee, out_of_scope=None)
    assert [p["code"] for p in r.json()["items"]] == [code]
    client.force_login(congress.committee_b)
    assert client.get(base).json()["count"] == 0
    check_access(client, url=f"{base}/{code}", in_scope=world.alice, out_of_scope=world.bob)
    r = check_access(
        client,
        url=f"{base}/{code}/decision",
        method="post",
        data={"decision": "accept"},
        in_scope=congress.committee,
        out_of_scope=congress.committee_b,
    )
    assert r.json()["status"] == "accepted"
    r = check_access(
        client,
        url=f"{base}/{code}/assign",
        method="post",
        data={"lead": congress.department.code},
        in_scope=congress.committee,
        out_of_scope=congress.committee_b,
    )
    assert r.json()["lead_department"] == "人力资源部"
    r = check_access(
        client,
        url=f"{base}/{code}/reply",
        method="post",
        data={"outcome": "adopted", "text": "已设置"},
        in_scope=congress.responder,
        out_of_scope=world.bob,
    )
    assert r.json()["status"] == "replied"
    client.force_login(congress.users[1])  # a co-signer does not rate
    assert (
        client.post(
            f"{base}/{code}/rate", data={"rating": "satisfied"}, content_type="application/json"
        ).status_code
        == 403
    )
    r = check_access(
        client,
        url=f"{base}/{code}/rate",
        method="post",
        data={"rating": "satisfied"},
        in_scope=congress.users[0],
        out_of_scope=world.bob,
    )
    assert r.json()["replies"][0]["rating"] == "satisfied"
    r = check_access(
        client,
        url=f"{base}/{code}/close",
        method="post",
        in_scope=congress.committee,
        out_of_scope=congress.committee_b,
    )
    assert r.json()["status"] == "closed"
    again = client.post(f"{base}/{code}/close")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    # merge and convert through the same endpoint
    a, b = submitted(congress, 1), submitted(congress, 2)
    client.force_login(congress.committee)
    r = client.post(
        f"{base}/{a.code}/decision",
        content_type="application/json",
        data={"decision": "merge", "into": b.code, "reason": "同类"},
    )
    assert r.json()["status"] == "merged" and r.json()["merged_into"] == b.code
    r = client.post(
        f"{base}/{b.code}/decision",
        content_type="application/json",
        data={"decision": "convert", "reason": "日常事务"},
    )
    assert r.json()["status"] == "converted"


def test_term_and_sign_in_endpoints(client: Any, world: Any, congress: Any) -> None:
    r = check_access(
        client,
        url=f"/api/v1/congress/terms/{congress.term.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    checks = {c["key"]: c for c in r.json()["checks"]}
    assert checks["delegates"]["actual"] == 30 and checks["delegates"]["ok"]
    assert checks["management"]["actual"] == 5 and checks["management"]["required"]
    r = check_access(
        client,
        url=f"/api/v1/congress/terms/{congress.term_b.code}/finalise",
        method="post",
        in_scope=world.bob,
        out_of_scope=world.alice,
        ok=400,
    )
    assert r.json()["code"] == "composition_rules"
    assert {d["field"] for d in r.json()["details"]} >= {"delegates"}
    services.session_set_status(
        actor=world.enterprise_officer_a, session=congress.session, status="open"
    )
    check_access(
        client,
        url=f"/api/v1/congress/sessions/{congress.session.code}/sign-in",
        method="post",
        data={"token": congress.session.checkin_token},
        in_scope=congress.users[0],
        out_of_scope=world.bob,
        ok=204,
    )


def test_suggestion_and_notice_endpoints(client: Any, world: Any, congress: Any) -> None:
    r = check_access(
        client,
        url="/api/v1/congress/suggestions",
        method="post",
        data={"title": "宿舍热水", "body": "晚上没有热水", "category": "welfare"},
        in_scope=congress.users[3],
        out_of_scope=None,
        ok=201,
    )
    code = r.json()["code"]
    check_access(
        client,
        url="/api/v1/congress/suggestions",
        in_scope=world.enterprise_officer_a,
        out_of_scope=None,
    )
    client.force_login(world.bob)
    assert client.get("/api/v1/congress/suggestions").json() == []
    check_access(
        client,
        url=f"/api/v1/congress/suggestions/{code}/reply",
        method="post",
        data={"text": "已修复"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"/api/v1/congress/suggestions/{code}/rate",
        method="post",
        data={"rating": "basic"},
        in_scope=congress.users[3],
        out_of_scope=world.bob,
    )
    assert r.json()["status"] == "rated"
    notice = A.notice_publish(
        actor=world.enterprise_officer_a,
        organization=world.enterprise_a,
        kind="resolution",
        title="职代会决议公开",
        body="……",
    )
    r = check_access(
        client, url="/api/v1/congress/notices", in_scope=world.worker_a, out_of_scope=None
    )
    assert [n["code"] for n in r.json()] == [notice.code]
    check_access(
        client,
        url=f"/api/v1/congress/notices/{notice.code}",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert A.read_receipts(notice)["read"] == 1
    client.force_login(world.bob)
    assert client.get("/api/v1/congress/notices").json() == []
