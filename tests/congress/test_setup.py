"""Page forms that set a congress up: a term with delegations, a session with agenda items, the
replying departments with responders picked by login name, the per-organisation rules. In scope
they work; out of scope 404; bad input names the field and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from gongjiang.congress.models import AgendaItem, CongressRules, Delegation, Session, Term
from gongjiang.congress.models_proposals import Department
from gongjiang.core.models import AuditEvent

from ..factories import UserFactory, member

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def as_user(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response: Any) -> str:
    return response.content.decode()


def term_data(org: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "organization": org.code,
        "number": 2,
        "kind": "congress",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=365 * 4)).isoformat(),
        "delegations": "第一代表团\n第二代表团\n\n第三代表团",
    }
    data.update(kw)
    return data


def test_a_term_with_its_delegations(world: Any, congress: Any) -> None:
    officer = as_user(world.enterprise_officer_a)
    page = officer.get("/congress/terms/new/")
    assert page.status_code == 200
    assert 'data-picker="/pick/organizations/"' in text(page)
    r = officer.post("/congress/terms/new/", term_data(world.enterprise_a))
    term = Term.objects.get(organization=world.enterprise_a, number=2)
    assert r.status_code == 302 and r["Location"].endswith(f"/congress/terms/{term.code}/")
    assert list(term.delegations.values_list("name", flat=True).order_by("id")) == [
        "第一代表团",
        "第二代表团",
        "第三代表团",
    ]
    assert AuditEvent.objects.filter(action="congress.delegation_create").count() >= 3
    # a repeated delegation: the field is named, nothing written
    before = (Term.objects.count(), Delegation.objects.count())
    r = officer.post(
        "/congress/terms/new/", term_data(world.enterprise_a, number=3, delegations="甲\n乙\n甲")
    )
    assert r.status_code == 200 and "甲" in text(r) and "invalid-feedback" in text(r)
    assert (Term.objects.count(), Delegation.objects.count()) == before
    # a term number out of range, a term of two years: refused on the form
    for bad in (
        {"number": 10**20},
        {"number": 4, "ends_on": (TODAY + dt.timedelta(days=365 * 2)).isoformat()},
    ):
        r = officer.post("/congress/terms/new/", term_data(world.enterprise_a, **bad))
        assert r.status_code == 200 and "invalid-feedback" in text(r) or "alert-danger" in text(r)
    assert Term.objects.count() == before[0]


def test_term_form_scope(world: Any, congress: Any) -> None:
    # another enterprise's code: 404, nothing written, nothing said about it
    r = as_user(world.enterprise_officer_a).post(
        "/congress/terms/new/", term_data(world.enterprise_b)
    )
    assert r.status_code == 404 and world.enterprise_b.name not in text(r)
    assert not Term.objects.filter(organization=world.enterprise_b, number=2).exists()
    # no role, a worker, the committee: no form
    for user in (world.nobody, world.worker_a, congress.committee):
        assert as_user(user).get("/congress/terms/new/").status_code == 403
    assert Client().get("/congress/terms/new/").status_code == 302  # to the login


def session_data(**kw: Any) -> dict[str, Any]:
    data = {
        "s-number": 2,
        "s-title": "一届二次职代会",
        "s-held_on": (TODAY + dt.timedelta(days=30)).isoformat(),
        "s-place": "职工之家",
        "a-TOTAL_FORMS": 3,
        "a-INITIAL_FORMS": 0,
        "a-0-kind": "wage_plan",
        "a-0-title": "2027年工资专项集体协商方案",
        "a-1-kind": "report",
        "a-1-title": "厂务公开工作报告",
        "a-2-kind": "",
        "a-2-title": "",
    }
    data.update(kw)
    return data


def test_a_session_with_its_agenda(world: Any, congress: Any) -> None:
    url = f"/congress/terms/{congress.term.code}/sessions/new/"
    officer = as_user(world.enterprise_officer_a)
    assert officer.get(url).status_code == 200
    r = officer.post(url, session_data())
    session = Session.objects.get(term=congress.term, number=2)
    assert r.status_code == 302 and session.code in r["Location"]
    # regression: the session kept the last agenda item's title as its own
    assert session.title == "一届二次职代会"
    assert list(session.agenda.values_list("position", "kind", "title")) == [
        (1, "wage_plan", "2027年工资专项集体协商方案"),
        (2, "report", "厂务公开工作报告"),
    ]
    # an agenda item without its kind: the row is named, nothing written
    before = (Session.objects.count(), AgendaItem.objects.count())
    r = officer.post(url, session_data(**{"s-number": 3, "a-1-kind": ""}))
    assert r.status_code == 200 and "invalid-feedback" in text(r)
    # the same session number again: refused, nothing written
    r = officer.post(url, session_data())
    assert r.status_code == 200
    assert (Session.objects.count(), AgendaItem.objects.count()) == before
    # out of scope: 404; a forming term cannot call a session
    assert as_user(world.bob).get(url).status_code == 404
    assert as_user(congress.committee).get(url).status_code == 404
    forming = Term.objects.create(
        organization=world.enterprise_a,
        number=9,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=365 * 3),
    )
    r = officer.post(f"/congress/terms/{forming.code}/sessions/new/", session_data())
    assert r.status_code == 200 and not forming.sessions.exists()


def test_departments_and_their_responders(world: Any, congress: Any) -> None:
    officer = as_user(world.enterprise_officer_a)
    page = officer.get("/congress/departments/")
    assert page.status_code == 200 and "人力资源部" in text(page)
    assert 'data-picker="/pick/users/"' in text(page)
    safety = UserFactory(username="safety_a")
    member(safety, world.enterprise_a, "hr")
    r = officer.post(
        "/congress/departments/",
        {"organization": world.enterprise_a.code, "name": "安全环保部", "responder": "safety_a"},
    )
    assert r.status_code == 302
    dept = Department.objects.get(name="安全环保部")
    assert list(dept.responders.all()) == [safety]
    # a user outside the organisation (bob of another province) cannot be picked; nothing written
    r = officer.post(
        "/congress/departments/",
        {"organization": world.enterprise_a.code, "name": "工会办公室", "responder": "bob"},
    )
    assert r.status_code == 200 and "invalid-feedback" in text(r)
    assert not Department.objects.filter(name="工会办公室").exists()
    # the same name twice is refused on the field
    r = officer.post(
        "/congress/departments/", {"organization": world.enterprise_a.code, "name": "安全环保部"}
    )
    assert r.status_code == 200 and Department.objects.filter(name="安全环保部").count() == 1
    # add and remove a responder
    act = f"/congress/departments/{dept.code}/act/"
    officer.post(act, {"act": "add", "responder": congress.responder.username})
    assert set(dept.responders.all()) == {safety, congress.responder}
    officer.post(act, {"act": "remove", "responder": "safety_a"})
    assert list(dept.responders.all()) == [congress.responder]
    r = officer.post(act, {"act": "add", "responder": "bob"}, follow=True)
    assert "alert-danger" in text(r) and list(dept.responders.all()) == [congress.responder]
    assert AuditEvent.objects.filter(action="congress.department_responders").count() == 2
    # out of scope: the other province sees nothing and changes nothing
    bob = as_user(world.bob)
    assert "人力资源部" not in text(bob.get("/congress/departments/"))
    assert bob.post(act, {"act": "add", "responder": "bob"}).status_code == 404
    r = bob.post("/congress/departments/", {"organization": world.enterprise_a.code, "name": "x部"})
    assert r.status_code == 404 and not Department.objects.filter(name="x部").exists()
    assert as_user(congress.responder).get("/congress/departments/").status_code == 403


def test_rules_with_their_defaults(world: Any, congress: Any) -> None:
    url = f"/congress/rules/{world.enterprise_a.code}/"
    officer = as_user(world.enterprise_officer_a)
    page = text(officer.get(url))
    assert 'name="min_delegates"' in page and 'value="30"' in page
    assert 'data-default="30"' in page and 'data-default="0.050"' in page
    assert 'id="rules-source"' in page
    fields = {
        "min_delegate_share": "0.050",
        "min_delegates": "30",
        "negotiable_above": "100",
        "max_management_share": "0.200",
        "proportion_floor": "0.000",
        "assembly_below": "100",
        "quorum_numerator": "2",
        "quorum_denominator": "3",
        "cosigners_required": "3",
        "reply_days": "15",
        "reminder_days": "5",
    }
    r = officer.post(url, fields)
    assert r.status_code == 302
    rules = CongressRules.objects.get(organization=world.enterprise_a)
    assert (rules.cosigners_required, rules.reply_days, rules.reminder_days) == (3, 15, 5)
    assert AuditEvent.objects.filter(action="congress.rules_update").exists()
    # bad values name their field; nothing changes
    for bad in (
        {"reminder_days": str(10**20)},
        {"quorum_numerator": "4"},
        {"min_delegate_share": "1.5"},
    ):
        r = officer.post(url, {**fields, **bad})
        assert r.status_code == 200 and ("invalid-feedback" in text(r) or "alert" in text(r))
    assert CongressRules.objects.get(organization=world.enterprise_a).reply_days == 15
    # the province's own rules are inherited below it
    province = as_user(world.alice)
    province.post(f"/congress/rules/{world.province_a.code}/", {**fields, "reply_days": "20"})
    team = text(province.get(f"/congress/rules/{world.team_a.code}/"))
    assert world.enterprise_a.name in team  # the nearest settings: the enterprise's
    # out of scope, and without the right: 404
    assert as_user(world.bob).get(url).status_code == 404
    assert as_user(congress.committee).get(url).status_code == 404
    assert (
        as_user(world.enterprise_officer_a)
        .get(f"/congress/rules/{world.province_a.code}/")
        .status_code
        == 404
    )
