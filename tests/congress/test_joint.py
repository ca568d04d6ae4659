"""A joint congress (联合职代会) run by a regional union for the small enterprises below it: the
workforce and the delegate rules count over the whole subtree, delegations stand for the member
enterprises, a worker outside the region cannot be seated, the enterprises' own officers do not
run it, delegates of every member enterprise see it and vote, and a vote passes only with more
than half of all its delegates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from gongjiang.congress import selectors, services
from gongjiang.congress.models import Delegate
from gongjiang.core.errors import ApplicationError

from ..factories import OrganizationFactory, UserFactory, member
from .conftest import give_login, make_workers

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def joint(world: Any) -> dict[str, Any]:
    city = world.city_a
    small = OrganizationFactory(
        parent=city, name="南京小微机械厂工会", kind="enterprise", region="320111"
    )
    officer = UserFactory(username="city_officer")
    member(officer, city, "officer")
    workers_a = make_workers(world.enterprise_a, 400, women=160, dispatched=20)
    workers_s = make_workers(small, 300, women=90, dispatched=30)
    term = services.term_create(
        actor=officer,
        organization=city,
        number=1,
        starts_on=TODAY - dt.timedelta(days=10),
        ends_on=TODAY + dt.timedelta(days=365 * 3),
    )
    return {
        "city": city,
        "small": small,
        "officer": officer,
        "workers_a": workers_a,
        "workers_s": workers_s,
        "term": term,
    }


def seat(term: Any, delegation: Any, workers: list[Any], officer: Any, category: str) -> None:
    for w in workers:
        services.delegate_add(actor=officer, delegation=delegation, worker=w, category=category)


def test_joint_congress_over_the_region(world: Any, joint: dict[str, Any]) -> None:
    term, officer = joint["term"], joint["officer"]
    # delegations stand for the member enterprises; an enterprise elsewhere cannot be one
    d_a = services.delegation_create(
        actor=officer, term=term, name="南京测试装备代表团", team=world.enterprise_a
    )
    d_s = services.delegation_create(
        actor=officer, term=term, name="小微机械厂代表团", team=joint["small"]
    )
    with pytest.raises(ApplicationError):
        services.delegation_create(
            actor=officer, term=term, name="杭州代表团", team=world.enterprise_b
        )
    # the enterprises' own officer does not run the region's congress
    with pytest.raises(PermissionDenied):
        services.delegation_create(actor=world.enterprise_officer_a, term=term, name="x")
    # a worker of another province cannot be seated
    outsider = make_workers(world.enterprise_b, 1)[0]
    with pytest.raises(ApplicationError) as exc:
        services.delegate_add(actor=officer, delegation=d_a, worker=outsider)
    assert exc.value.code == "worker_outside"

    # the workforce of the whole subtree: 700 → at least max(30, 5 % = 35) delegates
    wa, ws = joint["workers_a"], joint["workers_s"]
    seat(term, d_a, wa[:14] + wa[200:212], officer, "worker")  # 14 women, 12 men
    seat(term, d_s, ws[:6] + ws[100:103], officer, "worker")  # 6 women, 3 men
    counts, checks = selectors.term_composition(term)
    assert counts.workforce == 700 and counts.delegates == 35
    by_key = {c.key: c for c in checks}
    assert all(c.ok for c in checks if c.key != "dispatched"), [
        (c.key, c.actual, c.required) for c in checks if not c.ok
    ]
    # dispatched workers of both enterprises (50 of 700) need a seat: refused with the numbers
    assert not by_key["dispatched"].ok
    with pytest.raises(ApplicationError):
        services.term_finalise(actor=officer, term=term)
    seat(term, d_s, ws[-2:], officer, "worker")
    seat(term, d_a, wa[-1:], officer, "worker")
    term = services.term_finalise(actor=officer, term=term)
    assert term.status == "active"
    assert Delegate.objects.filter(term=term, worker__organization=joint["small"]).count() == 11


def test_delegates_of_every_member_enterprise_see_and_vote(
    world: Any, joint: dict[str, Any]
) -> None:
    term, officer = joint["term"], joint["officer"]
    d_a = services.delegation_create(actor=officer, term=term, name="甲", team=world.enterprise_a)
    d_s = services.delegation_create(actor=officer, term=term, name="乙", team=joint["small"])
    wa, ws = joint["workers_a"], joint["workers_s"]
    seat(term, d_a, wa[:14] + wa[200:211] + wa[-1:], officer, "worker")
    seat(term, d_s, ws[:6] + ws[100:103] + ws[-1:], officer, "worker")
    term = services.term_finalise(actor=officer, term=term)
    session = services.session_create(
        actor=officer, term=term, number=1, title="联合职代会一届一次会议", held_on=TODAY
    )
    session = services.session_set_status(actor=officer, session=session, status="open")
    delegates = list(Delegate.objects.filter(term=term).select_related("worker"))
    assert len(delegates) == 36
    for d in delegates:
        services.sign_in(actor=officer, session=session, delegate=d)
    vote = services.vote_create(actor=officer, session=session, title="区域性工资集体协议")
    vote = services.vote_open(actor=officer, vote=vote)

    from_small = [d for d in delegates if d.worker.organization_id == joint["small"].pk]
    from_a = [d for d in delegates if d.worker.organization_id == world.enterprise_a.pk]
    voters = [give_login(d.worker) for d in from_small + from_a[:8]]  # 10 + 8 = 18 of 36
    # a delegate of the small enterprise sees the region's session; a worker of it who is no
    # delegate does not
    client = Client()
    client.force_login(voters[0])
    assert client.get(f"/api/v1/congress/sessions/{session.code}").status_code == 200
    non_delegate = give_login(ws[50])
    assert selectors.terms_of_delegate(actor=non_delegate).count() == 0
    with pytest.raises(Http404):
        selectors.term_get(actor=non_delegate, code=term.code)
    client.force_login(non_delegate)
    assert client.get(f"/api/v1/congress/sessions/{session.code}").status_code == 404
    for user in voters:
        services.ballot_cast(actor=user, vote=vote, choice="for")
    vote = services.vote_close(actor=officer, vote=vote)
    result = selectors.vote_result(vote)
    # 18 of 36 is half, not more than half of ALL delegates: not passed
    assert result["delegates"] == 36 and result["for"] == 18
    assert result["quorate"] and not result["passed"]
