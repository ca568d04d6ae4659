"""API endpoints: scoped access on each, and two sessions editing the same mark (one 409)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongjiang.competitions.models import Aspect, Entry, Mark
from tests.access_helpers import check_access

from .factories import assign_judges, confirmed_entry, make_worker

pytestmark = pytest.mark.django_db
API = "/api/v1/competitions"


def test_competition_endpoints(client, world, comp):
    c = comp["competition"]
    r = check_access(client, url=f"{API}/", in_scope=world.alice, out_of_scope=None)
    assert [x["code"] for x in r.json()] == [c.code]
    client.force_login(world.bob)
    assert client.get(f"{API}/").json() == []
    check_access(client, url=f"{API}/{c.code}", in_scope=world.alice, out_of_scope=world.bob)
    r = check_access(
        client,
        url=f"{API}/",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={
            "organiser": world.province_a.code,
            "name": "新赛事",
            "year": 2026,
            "level": "province",
        },
    )
    assert r.json()["theory_weight"] in ("0.300", 0.3, "0.3")
    r = client.post(
        f"{API}/",
        data=json.dumps(
            {
                "organiser": world.province_a.code,
                "name": "x",
                "year": 2026,
                "level": "province",
                "extra": 1,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 422


def test_entry_endpoints(client, world, comp):
    c, stage, trade = comp["competition"], comp["stages"][0], comp["trade"]
    w = make_worker(world.alice, world.enterprise_a)
    r = check_access(
        client,
        url=f"{API}/{c.code}/entries",
        method="post",
        ok=201,
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        data={"stage": stage.code, "trade": trade.code, "worker": w.code},
    )
    code = r.json()["code"]
    assert r.json()["status"] == "nominated"
    check_access(
        client, url=f"{API}/{c.code}/entries", in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(
        client,
        url=f"{API}/entries/{code}/confirm",
        method="post",
        data={},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"{API}/entries/{code}/theory",
        method="put",
        data={"score": 91, "time_taken": 120},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert float(r.json()["theory_score"]) == 91
    assert Entry.objects.get(code=code).time_taken == 120
    r = check_access(
        client,
        url=f"{API}/entries/{code}/withdraw",
        method="post",
        data={"reason": "伤病"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
    )
    assert r.json()["status"] == "withdrawn"


def test_two_sessions_same_mark(world, comp, workers):
    """Two judges' sessions load the same measurement mark; the first save wins, the second is
    told (409, with the current value) and overwrites nothing; after re-reading, it saves."""
    stage = comp["stages"][0]
    j1, j2 = comp["judges"][:2]
    assign_judges(world.alice, stage, comp["criteria"], [j1, j2])
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    aspect = Aspect.objects.get(criterion__trade=comp["trade"], criterion__letter="A", number=1)
    s1, s2 = Client(), Client()
    s1.force_login(j1)
    s2.force_login(j2)

    def put(session, value, version):
        return session.put(
            f"{API}/judging/marks",
            data=json.dumps(
                {"entry": entry.code, "aspect": aspect.code, "value": value, "version": version}
            ),
            content_type="application/json",
        )

    assert put(s1, "100.01", 0).status_code == 201
    seen = 1  # both sessions now show version 1
    r1 = put(s1, "100.03", seen)
    r2 = put(s2, "99.90", seen)
    assert r1.status_code == 200 and r1.json()["version"] == 2
    assert r2.status_code == 409
    body = r2.json()
    assert body["code"] == "stale_version" and "100.03" in body["message"]
    assert {"field": "version", "error": "2"} in body["details"]
    assert str(Mark.objects.get(entry=entry, aspect=aspect).value.normalize()) == "100.03"
    r2 = put(s2, "99.90", 2)
    assert r2.status_code == 200 and float(r2.json()["mark"]) == 0


def test_judging_endpoints_scoped(client, world, comp, workers):
    stage = comp["stages"][0]
    j1, j2 = comp["judges"][:2]
    crit_a = comp["criteria"][0]
    from gongjiang.competitions import marking

    a = marking.judge_assign(actor=world.alice, stage=stage, criterion=crit_a, user=j1)
    entry = confirmed_entry(world.alice, stage, comp["trade"], workers[0])
    aspect = Aspect.objects.get(criterion=crit_a, number=1)
    r = check_access(client, url=f"{API}/judging/assignments", in_scope=j1, out_of_scope=None)
    assert [x["code"] for x in r.json()] == [a.code]
    client.force_login(j2)
    assert client.get(f"{API}/judging/assignments").json() == []
    check_access(
        client,
        url=f"{API}/judging/marks",
        method="put",
        ok=201,
        in_scope=j1,
        out_of_scope=j2,
        data={"entry": entry.code, "aspect": aspect.code, "value": "100", "version": 0},
    )
    other = Aspect.objects.get(criterion=crit_a, number=2)
    marking.mark_save(actor=j1, entry=entry, aspect=other, value="25", version=0)
    r = check_access(
        client,
        url=f"{API}/judging/assignments/{a.code}/sign-off",
        method="post",
        in_scope=j1,
        out_of_scope=j2,
    )
    assert r.json()["signed_off"] is True


def test_stage_endpoints(client, world, comp, workers):
    stage = comp["stages"][0]
    assign_judges(world.alice, stage, comp["criteria"], comp["judges"])
    from .factories import score_entry

    for i, w in enumerate(workers[:3]):
        score_entry(
            confirmed_entry(world.alice, stage, comp["trade"], w, theory=70 + i), comp["judges"], 2
        )
    from gongjiang.competitions.results import advancement_run  # noqa: F401
    from gongjiang.competitions.services import quota_set

    quota_set(
        actor=world.alice,
        stage=stage,
        trade=comp["trade"],
        organization=world.enterprise_a,
        places=1,
    )
    r = check_access(
        client,
        url=f"{API}/stages/{stage.code}/compute",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert [x["rank"] for x in r.json()] == [1, 2, 3]
    check_access(
        client,
        url=f"{API}/stages/{stage.code}/results",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/stages/{stage.code}/approve",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"{API}/stages/{stage.code}/advance",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json() == {"advanced": 1, "waiting": 2} or r.json()["advanced"] == 0
    r = check_access(
        client,
        url=f"{API}/stages/{stage.code}/publish",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["published_at"]
    r = check_access(
        client,
        url=f"{API}/stages/{stage.code}/withdraw",
        method="post",
        data={"reason": "更正"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["published_at"] is None


def test_setup_endpoints(client, world, comp):
    from .factories import SCHEME

    c = comp["competition"]
    r = check_access(
        client,
        url=f"{API}/{c.code}/trades",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={
            "name": "钳工",
            "occupation": "6-20-01-01",
            "skill_level": "SENIOR",
            "excluded_titles": ["全国技术能手"],
        },
    )
    trade = r.json()["code"]
    r = check_access(
        client,
        url=f"{API}/{c.code}/stages",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"order": 3, "name": "全国决赛", "kind": "national"},
    )
    stage = comp["stages"][0].code
    r = check_access(
        client,
        url=f"{API}/stages/{stage}/quotas",
        method="put",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"trade": trade, "organization": world.city_a.code, "places": 2},
    )
    assert r.json()["places"] == 2
    check_access(
        client,
        url=f"{API}/trades/{trade}/scheme",
        method="put",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"criteria": SCHEME},
    )
    r = client.put(
        f"{API}/trades/{trade}/scheme",
        data=json.dumps({"criteria": SCHEME[:1]}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "60" in json.dumps(r.json())
    r = check_access(
        client,
        url=f"{API}/stages/{stage}/judges",
        method="post",
        ok=201,
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={
            "username": comp["judges"][0].username,
            "trade": trade,
            "letter": "A",
            "is_chief": True,
        },
    )
    assert r.json()["is_chief"] is True
