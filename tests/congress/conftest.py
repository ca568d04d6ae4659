"""A congress world: enterprise A's union with a workforce, a final term with delegates who can
log in, a session in progress, the committee, a replying department; enterprise B's union apart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from gongjiang.congress import services
from gongjiang.congress.models import Delegate, Delegation, Session, Term
from gongjiang.congress.services_proposals import department_create
from gongjiang.core.enterprise_models import Enterprise
from gongjiang.workforce.models import Worker

from ..factories import UserFactory, member, valid_uscc

_seq = iter(range(1, 10**7))


def employer_for(union: Any) -> Enterprise:
    found = Enterprise.objects.filter(union=union).first()
    if found:
        return found
    return Enterprise.objects.create(
        name=union.name.removesuffix("工会") + "集团",
        uscc=valid_uscc(),
        industry_id="3711",
        region_id=union.region_id,
        union=union,
    )


def make_workers(
    union: Any, n: int, *, women: int = 0, dispatched: int = 0, team: Any = None
) -> list[Worker]:
    """``n`` active workers of ``union`` (the first ``women`` women, the last ``dispatched``
    dispatched), bulk-created (the registry's encryption is not what is tested here)."""
    employer = employer_for(union)
    rows = []
    for i in range(n):
        k = next(_seq)
        rows.append(
            Worker(
                organization=union,
                employer=employer,
                team=team,
                name=f"职工{k}",
                name_pinyin=f"zhigong{k:07d}",
                citizen_id_encrypted="-",
                citizen_id_hash=f"h{k:063d}",
                citizen_id_last4=f"{k % 10000:04d}",
                citizen_id_masked="3201**********0000",
                gender="F" if i < women else "M",
                birth_date=dt.date(1990, 1, 1),
                employment_type="dispatched" if i >= n - dispatched else "contract",
            )
        )
    return Worker.objects.bulk_create(rows)


def give_login(worker: Worker, role: str = "worker") -> Any:
    user = UserFactory(username=f"w{worker.pk}")
    worker.user = user
    worker.save(update_fields=["user"])
    member(user, worker.organization, role)
    return user


def seat_all(
    term: Term, delegation: Delegation, workers: list[Worker], category: str = "worker"
) -> list[Delegate]:
    return Delegate.objects.bulk_create(
        [
            Delegate(
                term=term,
                delegation=delegation,
                worker=w,
                category=category,
                elected_on=term.starts_on,
            )
            for w in workers
        ]
    )


@dataclass
class Congress:
    term: Term
    delegation: Delegation
    delegates: list[Delegate]
    users: list[Any]  # logins of the first delegates (proposers, co-signers, voters)
    session: Session
    committee: Any
    committee_b: Any
    responder: Any
    department: Any
    term_b: Term
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def congress(world: Any) -> Congress:
    union = world.enterprise_a
    workers = make_workers(union, 600, women=200, dispatched=60)
    today = dt.date.today()
    term = services.term_create(
        actor=world.enterprise_officer_a,
        organization=union,
        number=1,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today - dt.timedelta(days=30) + dt.timedelta(days=365 * 4),
    )
    delegation = services.delegation_create(
        actor=world.enterprise_officer_a, term=term, name="第一代表团"
    )
    # 30 delegates: 12 women (40 % of the seats), 3 dispatched, 5 managers (within 20 %)
    chosen = workers[:12] + workers[300:310] + workers[-3:] + workers[400:405]
    delegates = seat_all(term, delegation, chosen[:25]) + seat_all(
        term, delegation, chosen[25:], category="management"
    )
    users = [give_login(d.worker) for d in delegates[:6]]
    term = services.term_finalise(actor=world.enterprise_officer_a, term=term)
    session = services.session_create(
        actor=world.enterprise_officer_a,
        term=term,
        number=1,
        title="一届一次职代会",
        held_on=today,
    )
    committee = UserFactory(username="committee_a")
    member(committee, union, "committee")
    committee_b = UserFactory(username="committee_b")
    member(committee_b, world.enterprise_b, "committee")
    responder = UserFactory(username="hr_a")
    member(responder, union, "hr")
    department = department_create(
        actor=world.enterprise_officer_a,
        organization=union,
        name="人力资源部",
        responders=[responder],
    )
    term_b = services.term_create(
        actor=world.root,
        organization=world.enterprise_b,
        number=1,
        starts_on=today,
        ends_on=today + dt.timedelta(days=365 * 3 + 1),
    )
    return Congress(
        term,
        delegation,
        delegates,
        users,
        session,
        committee,
        committee_b,
        responder,
        department,
        term_b,
    )
