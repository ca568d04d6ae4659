"""Setting a congress up through the API: terms with delegations, sessions with agenda,
departments and responders, the rules in force — the same services as the pages, scoped (404 out
of scope, whatever exists there), all or nothing, every field bounded."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from gongjiang.congress.models import AgendaItem, CongressRules, Delegation, Session, Term
from gongjiang.congress.models_proposals import Department
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access
from ..factories import UserFactory, member

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
API = "/api/v1/congress"


def post(client: Client, url: str, data: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def term_payload(org: Any, **kw: Any) -> dict[str, Any]:
    return {
        "organization": org.code,
        "number": 2,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=365 * 4)).isoformat(),
        "delegations": ["第一代表团", "第二代表团"],
        **kw,
    }


def test_term_created_with_delegations_in_scope_only(client: Client, world: Any) -> None:
    officer = world.enterprise_officer_a
    r = check_access(
        client,
        url=f"{API}/terms",
        method="post",
        data=term_payload(world.enterprise_a),
        in_scope=officer,
        out_of_scope=world.bob,
        ok=201,
    )
    body = r.json()
    assert body["delegations"] == ["第一代表团", "第二代表团"] and body["status"] == "forming"
    term = Term.objects.get(code=body["code"])
    assert term.organization == world.enterprise_a and term.delegations.count() == 2
    assert AuditEvent.objects.filter(action="congress.term_create").count() == 1
    # the list shows it to the officer and the province above; nothing to the other province
    client.force_login(world.alice)
    assert [t["code"] for t in client.get(f"{API}/terms").json()] == [term.code]
    client.force_login(world.bob)
    assert client.get(f"{API}/terms").json() == []
    assert client.get(f"{API}/terms", {"organization": world.enterprise_a.code}).status_code == 404
    # a worker manages nothing: no terms, and creating one is refused like a missing organisation
    client.force_login(world.worker_a)
    assert client.get(f"{API}/terms").json() == []
    assert post(client, f"{API}/terms", term_payload(world.enterprise_a)).status_code == 404


def test_a_bad_delegation_list_writes_nothing(client: Client, world: Any) -> None:
    client.force_login(world.enterprise_officer_a)
    r = post(
        client,
        f"{API}/terms",
        term_payload(world.enterprise_a, delegations=["一团", "二团", "一团"]),
    )
    assert r.status_code == 400
    assert r.json()["details"][0]["field"] == "delegations"
    assert Term.objects.count() == 0 and Delegation.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"number": 10**20},
        {"number": 0},
        {"starts_on": "9999-12-31"},
        {"kind": "parliament"},
        {"delegations": ["x"] * 201},
        {"organization": "x" * 21},
        {"unknown": 1},
    ],
)
def test_term_fields_are_bounded(client: Client, world: Any, change: dict[str, Any]) -> None:
    client.force_login(world.enterprise_officer_a)
    r = post(client, f"{API}/terms", term_payload(world.enterprise_a, **change))
    assert r.status_code == 422, r.content
    assert Term.objects.count() == 0


def test_session_with_agenda(client: Client, world: Any, congress: Any) -> None:
    payload = {
        "number": 2,
        "title": "一届二次职代会",
        "held_on": TODAY.isoformat(),
        "place": "二楼会议室",
        "agenda": [
            {"kind": "regulation", "title": "劳动用工管理办法"},
            {"kind": "wage_plan", "title": "2027年工资调整方案"},
        ],
    }
    url = f"{API}/terms/{congress.term.code}/sessions"
    # a delegate reads the term but cannot call a session: the same answer as a missing term
    client.force_login(congress.users[0])
    assert post(client, url, payload).status_code == 404
    r = check_access(
        client,
        url=url,
        method="post",
        data=payload,
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    )
    body = r.json()
    assert [a["kind"] for a in body["agenda"]] == ["regulation", "wage_plan"]
    session = Session.objects.get(code=body["code"])
    assert session.agenda.count() == 2
    got = check_access(
        client,
        url=f"{API}/sessions/{session.code}",
        in_scope=congress.users[0],
        out_of_scope=world.bob,
    )
    assert got.json()["title"] == "一届二次职代会"
    # the same number again: refused, and the agenda of the refused session is not written
    client.force_login(world.enterprise_officer_a)
    r = post(client, url, payload)
    assert r.status_code in (400, 422)
    assert AgendaItem.objects.filter(session__term=congress.term).count() == 2


def test_departments_and_responders(client: Client, world: Any, congress: Any) -> None:
    hr = UserFactory(username="hr_api")
    member(hr, world.enterprise_a, "hr")
    stranger = UserFactory(username="hr_elsewhere")
    member(stranger, world.enterprise_b, "hr")
    r = check_access(
        client,
        url=f"{API}/departments",
        method="post",
        data={"organization": world.enterprise_a.code, "name": "安全环保部", "responder": "hr_api"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    )
    dept = r.json()
    assert dept["responders"] == ["hr_api"]
    url = f"{API}/departments/{dept['code']}/responders"
    # someone of another enterprise cannot be named, and the error says nothing about them
    r = post(client, url, {"username": "hr_elsewhere"})
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "responder"
    assert "hr_elsewhere" not in r.content.decode()
    r = post(client, url, {"username": "hr_api", "add": False})
    assert r.status_code == 200 and r.json()["responders"] == []
    client.force_login(world.bob)
    assert post(client, url, {"username": "hr_api"}).status_code == 404
    names = {d["name"] for d in client.get(f"{API}/departments").json()}
    assert "安全环保部" not in names
    client.force_login(world.enterprise_officer_a)
    names = {d["name"] for d in client.get(f"{API}/departments").json()}
    assert "安全环保部" in names
    assert Department.objects.filter(name="安全环保部").count() == 1


def test_rules_in_force_own_and_inherited(client: Client, world: Any) -> None:
    url_city = f"{API}/rules/{world.city_a.code}"
    url_ent = f"{API}/rules/{world.enterprise_a.code}"
    got = check_access(client, url=url_ent, in_scope=world.alice, out_of_scope=world.bob)
    body = got.json()
    assert body["source"] == "default" and body["min_delegates"] == 30
    assert body["quorum_numerator"] == 2 and body["quorum_denominator"] == 3
    # the province's officer sets the city's own rules; the enterprise below inherits them
    client.force_login(world.alice)
    r = post(client, url_city, {"cosigners_required": 3, "reply_days": 20}, method="put")
    assert r.status_code == 200, r.content
    assert r.json()["source"] == "own" and r.json()["cosigners_required"] == 3
    assert r.json()["min_delegates"] == 30  # not sent: kept
    inherited = client.get(url_ent).json()
    assert inherited["source"] == "inherited" and inherited["reply_days"] == 20
    # a quorum above all delegates is refused on its field, nothing saved
    r = post(client, url_city, {"quorum_numerator": 4, "quorum_denominator": 3}, method="put")
    assert r.status_code == 422
    assert CongressRules.objects.get(organization=world.city_a).quorum_numerator == 2
    for bad in ({"min_delegate_share": "1.5"}, {"reply_days": 10**20}, {"reply_days": 0}):
        assert post(client, url_city, bad, method="put").status_code == 422
    # out of scope: the same 404 as an organisation that does not exist
    client.force_login(world.bob)
    assert post(client, url_city, {"reply_days": 5}, method="put").status_code == 404
    assert client.get(f"{API}/rules/nosuch").status_code == 404
    assert CongressRules.objects.get(organization=world.city_a).reply_days == 20
