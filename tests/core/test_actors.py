"""One ``user_or_none`` and one audit writer: a system actor (the CLI, background work) is written
as "system" with its name, and never lands in a ``created_by``/``actor`` foreign key."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from gongjiang.core.actors import SystemActor, audit, user_or_none
from gongjiang.core.audit import audit_record
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_user_or_none(world: Any) -> None:
    assert user_or_none(world.alice) is world.alice
    assert user_or_none(SystemActor("x")) is None
    assert user_or_none(AnonymousUser()) is None
    assert user_or_none(None) is None


def test_audit_is_audit_record() -> None:
    assert audit is audit_record


def test_audit_record_writes_a_system_actor_as_system(world: Any) -> None:
    event = audit_record(actor=SystemActor("nightly"), action="fund.create", obj=world.enterprise_a)
    assert (event.actor_id, event.actor_name, event.details) == (
        None,
        "system",
        {"system": "nightly"},
    )
    person = audit_record(actor=world.alice, action="fund.create", details={"a": 1})
    assert (person.actor_id, person.actor_name, person.details) == (
        world.alice.pk,
        world.alice.get_username(),
        {"a": 1},
    )
    anonymous = audit_record(actor=AnonymousUser(), action="fund.create")
    assert (anonymous.actor_id, anonymous.actor_name, anonymous.details) == (None, "system", {})


def test_a_service_run_by_a_system_actor_records_no_user(world: Any) -> None:
    # the inline copies this replaced put any authenticated actor into the foreign key, so a
    # SystemActor failed ("must be a User instance") instead of posting
    fund = fund_create(
        actor=SystemActor("grants"), organization=world.enterprise_a, name="补助资金"
    )
    entry = fund_credit(actor=SystemActor("grants"), fund=fund, amount="10")
    assert fund.created_by_id is None and entry.actor_id is None
    rows = AuditEvent.objects.filter(action__in=["fund.create", "fund.credit"])
    assert {r.details.get("system") for r in rows} == {"grants"}
