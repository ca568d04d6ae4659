"""Revoking an expert appointment during its term (解聘): from its day on the level no longer
counts (state, badge, held rank, terms due, re-evaluation), the record gets the entry, a renewal
already granted goes with it; the reason is required and bounded (never cut); the expert never
revokes themself (refused, audited); out of scope answers 404 and discloses nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.careers import experts
from gongjiang.careers import experts_rules as rules
from gongjiang.careers import experts_selectors as sel
from gongjiang.careers.experts_record import expert_badges, expert_entries
from gongjiang.careers.models_experts import ExpertAppointment
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access
from ..factories import UserFactory, member
from .experts_helpers import Experts

pytestmark = pytest.mark.django_db
BASE = "/careers/experts"
API = "/api/v1/careers/experts"


@pytest.fixture
def hr_b(world: Any) -> Any:
    user = UserFactory(username="hr_b_rev")
    member(user, world.enterprise_b, "hr")
    return user


def _appointment(exp: Experts, world: Any, start: dt.date, **extra: Any) -> Any:
    return ExpertAppointment.objects.create(
        worker=exp.workers[0],
        organization=world.enterprise_a,
        level=exp.level,
        level_name=exp.level.name,
        term_start=start,
        term_end=rules.term_end(start, 3),
        appointed_by=exp.appointer,
        **extra,
    )


def test_revocation_counts_from_its_day(exp: Experts, world: Any) -> None:
    today = timezone.localdate()
    a = _appointment(exp, world, today - dt.timedelta(days=400))
    w = exp.workers[0]
    day = today - dt.timedelta(days=10)
    assert experts.held_rank(w, day) == 1 and expert_badges(world.alice, w)
    # the appointing officer may revoke (the appointing body decides 解聘 as it decides 聘任)
    experts.expert_appointment_revoke(
        actor=exp.appointer, appointment=a, reason="严重违反公司规章制度", on=day
    )
    a.refresh_from_db()
    assert (a.revoked_on, a.revocation_reason, a.revoked_by) == (
        day,
        "严重违反公司规章制度",
        exp.appointer,
    )
    # before the day it read as it did; from the day on it no longer counts anywhere
    assert a.state_on(day - dt.timedelta(days=1)) == "active"
    assert a.state_on(day) == a.state_on(today) == "revoked"
    assert experts.held_rank(w, day - dt.timedelta(days=1)) == 1
    assert experts.held_rank(w, day) is None and experts.held_rank(w, today) is None
    assert expert_badges(world.alice, w) == []
    entries = expert_entries(w, world.alice)
    assert [e.date for e in entries] == [a.term_start, day]
    assert "严重违反公司规章制度" in entries[1].detail and exp.level.name in entries[1].title
    event = AuditEvent.objects.get(action="careers.expert_revoke")
    assert event.object_code == a.code and event.details["reason"] == "严重违反公司规章制度"
    # once only
    with pytest.raises(ConflictError):
        experts.expert_appointment_revoke(actor=exp.organiser, appointment=a, reason="再次")


def test_a_revoked_term_is_never_re_evaluated_nor_due(exp: Experts, world: Any) -> None:
    today = timezone.localdate()
    a = _appointment(exp, world, rules.add_years(today, -3) + dt.timedelta(days=30))
    assert list(sel.terms_due(exp.appointer, today)) == [a]
    experts.expert_appointment_revoke(actor=exp.appointer, appointment=a, reason="调离本企业")
    assert list(sel.terms_due(exp.appointer, today)) == []
    with pytest.raises(ConflictError) as caught:
        experts.expert_reevaluate(actor=exp.appointer, appointment=a, renew=True)
    assert caught.value.code == "revoked"
    assert not ExpertAppointment.objects.filter(renewed_from=a).exists()


def test_a_renewal_already_granted_is_revoked_with_the_term(exp: Experts, world: Any) -> None:
    today = timezone.localdate()
    a = _appointment(exp, world, rules.add_years(today, -3) + dt.timedelta(days=30))
    experts.expert_reevaluate(actor=exp.appointer, appointment=a, renew=True)
    renewal = ExpertAppointment.objects.get(renewed_from=a)
    experts.expert_appointment_revoke(actor=exp.organiser, appointment=a, reason="考核严重失实")
    renewal.refresh_from_db()
    assert renewal.revoked_on == today and renewal.revocation_reason == "考核严重失实"
    assert experts.held_rank(exp.workers[0], renewal.term_start) is None
    event = AuditEvent.objects.get(action="careers.expert_revoke")
    assert event.details["renewals"] == [renewal.code]


def test_bounds_and_days(exp: Experts, world: Any) -> None:
    today = timezone.localdate()
    a = _appointment(exp, world, today - dt.timedelta(days=100))

    def refused(**kw: Any) -> ApplicationError:
        with pytest.raises(ApplicationError) as caught:
            experts.expert_appointment_revoke(actor=exp.appointer, appointment=a, **kw)
        return caught.value

    assert refused(reason="  ").details[0]["field"] == "reason"
    assert refused(reason="x" * 501).details[0]["field"] == "reason"  # refused, never cut
    assert refused(reason="r", on=today + dt.timedelta(days=1)).details[0]["field"] == "on"
    assert refused(reason="r", on=a.term_start - dt.timedelta(days=1)).details[0]["field"] == "on"
    a.refresh_from_db()
    assert a.revoked_on is None
    # a term that has ended has nothing left to revoke
    old = _appointment(exp, world, dt.date(2019, 1, 1))
    with pytest.raises(ConflictError) as caught:
        experts.expert_appointment_revoke(actor=exp.appointer, appointment=old, reason="r")
    assert caught.value.code == "term_ended"
    # a term not begun yet is revoked from today: it never comes into force
    later = _appointment(exp, world, today + dt.timedelta(days=30))
    experts.expert_appointment_revoke(actor=exp.appointer, appointment=later, reason="x" * 500)
    later.refresh_from_db()
    assert later.revoked_on == today and later.state_on(later.term_start) == "revoked"


def test_the_expert_never_revokes_themself_and_permission(exp: Experts, world: Any) -> None:
    a = _appointment(exp, world, timezone.localdate() - dt.timedelta(days=10))
    w = exp.workers[0]
    w.user = UserFactory(username="the_expert_rev")
    w.save(update_fields=["user"])
    member(w.user, world.enterprise_a, "hr")
    with pytest.raises(DutyConflict):
        experts.expert_appointment_revoke(actor=w.user, appointment=a, reason="自行解聘")
    assert AuditEvent.objects.filter(action="careers.expert_revoke.refused").count() == 1
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # may read careers, may not appoint
        experts.expert_appointment_revoke(actor=world.nobody, appointment=a, reason="r")
    a.refresh_from_db()
    assert a.revoked_on is None


def test_page_and_api(client: Any, exp: Experts, world: Any, hr_b: Any) -> None:
    today = timezone.localdate()
    a = _appointment(exp, world, today - dt.timedelta(days=50))
    r = check_access(
        client,
        url=f"{BASE}/appointments/{a.code}/",
        in_scope=exp.appointer,
        out_of_scope=hr_b,
    )
    assert 'id="revoke"' in r.content.decode()
    # outside the subtree: 404, and nothing changes or shows
    client.force_login(hr_b)
    r = client.post(f"{BASE}/appointments/{a.code}/revoke/", {"reason": "越权"})
    assert r.status_code == 404 and "越权" not in r.content.decode()
    r = client.post(
        f"{API}/appointments/{a.code}/revoke", {"reason": "越权"}, content_type="application/json"
    )
    assert r.status_code == 404 and exp.workers[0].name not in r.content.decode()
    assert client.get(f"{API}/appointments").json()["count"] == 0
    a.refresh_from_db()
    assert a.revoked_on is None
    # a too-long reason on the page is refused whole (the field named), never cut
    client.force_login(exp.appointer)
    r = client.post(f"{BASE}/appointments/{a.code}/revoke/", {"reason": "x" * 501}, follow=True)
    a.refresh_from_db()
    assert a.revoked_on is None and "500" in r.content.decode()
    r = client.post(
        f"{API}/appointments/{a.code}/revoke",
        {"reason": "x" * 501},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"{API}/appointments/{a.code}/revoke",
        {"reason": "r", "on": (today + dt.timedelta(days=3)).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "on"
    check_access(
        client,
        url=f"{BASE}/appointments/{a.code}/revoke/",
        method="post",
        data={"reason": "连续两年考核不合格", "on": today.isoformat()},
        in_scope=exp.appointer,
        out_of_scope=hr_b,
        ok=302,
    )
    a.refresh_from_db()
    assert a.revoked_on == today
    r = client.get(f"{BASE}/appointments/{a.code}/")
    body = r.content.decode()
    assert 'id="revocation"' in body and "连续两年考核不合格" in body and 'id="revoke"' not in body
    r = client.get(f"{API}/appointments/{a.code}")
    assert r.json()["state"] == "revoked" and r.json()["revocation_reason"] == "连续两年考核不合格"


def test_api_revoke_and_the_worker_reads_it(client: Any, exp: Experts, world: Any) -> None:
    a = _appointment(exp, world, timezone.localdate() - dt.timedelta(days=50))
    w = exp.workers[0]
    w.user = world.worker_a
    w.save(update_fields=["user"])
    client.force_login(world.worker_a)
    r = client.post(
        f"{API}/appointments/{a.code}/revoke", {"reason": "r"}, content_type="application/json"
    )
    assert r.status_code == 403  # the expert sees their own term, never revokes it
    client.force_login(exp.appointer)
    r = client.post(
        f"{API}/appointments/{a.code}/revoke",
        {"reason": "违纪"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    client.force_login(world.worker_a)
    mine = client.get(f"{API}/mine").json()["appointments"]
    assert [(m["state"], m["revocation_reason"]) for m in mine] == [("revoked", "违纪")]
    r = client.get(f"{BASE}/me/")
    assert 'data-state="revoked"' in r.content.decode()


def test_label_and_chinese() -> None:
    from django.utils import translation

    from gongjiang.careers.audit_labels import LABELS

    with translation.override("zh-hans"):
        assert str(LABELS["careers.expert_revoke"]) == "技能专家聘期内解聘"
        assert translation.pgettext("expert term", "revoked") == "已解聘"
