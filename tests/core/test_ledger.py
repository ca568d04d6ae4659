"""The money ledger: amounts are fen-exact Decimals, the balance never goes below zero, entries are
append-only and reversed at most once, statements add up, funds are scoped and every posting is
audited. A Hypothesis property checks the balance against the entries after any sequence of acts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger import selectors
from gongjiang.core.ledger.models import Fund, LedgerEntry
from gongjiang.core.ledger.services import (
    fund_create,
    fund_credit,
    fund_debit,
    ledger_entry_reverse,
    money,
)
from gongjiang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(world: Any) -> Fund:
    return fund_create(actor=world.alice, organization=world.enterprise_a, name="困难职工帮扶资金")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("12.5"), Decimal("12.50")), (3, Decimal("3.00")), (" 0.01 ", Decimal("0.01"))],
)
def test_money_accepts_decimal_int_and_text(value: Any, expected: Decimal) -> None:
    assert money(value) == expected
    assert money(Decimal("1.500")) == Decimal("1.50")  # trailing zeros are still fen


@pytest.mark.parametrize(
    "value",
    [
        0.1,
        1.0,
        True,
        "1.005",
        Decimal("0.001"),
        0,
        "-1",
        "abc",
        "NaN",
        "Infinity",
        None,
        Decimal("1000000000000"),
        "1e30",
    ],
)
def test_money_refuses_floats_fractions_of_fen_and_bounds(value: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        money(value)
    assert exc.value.code == "invalid_amount"
    assert exc.value.details[0]["field"] == "amount"


def test_credit_debit_balance_and_audit(world: Any, fund: Fund) -> None:
    c = fund_credit(actor=world.alice, fund=fund, amount="1000.00", reference="拨款〔2026〕1号")
    d = fund_debit(actor=world.alice, fund=fund, amount=Decimal("250.50"), about=world.team_a)
    assert (c.balance_after, d.balance_after) == (Decimal("1000.00"), Decimal("749.50"))
    fund.refresh_from_db()
    assert fund.balance == Decimal("749.50")
    assert selectors.fund_balance(actor=world.alice, fund=fund) == Decimal("749.50")
    assert d.content_type.model == "organization" and d.object_code == world.team_a.code
    actions = list(
        AuditEvent.objects.filter(action__startswith="fund.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["fund.create", "fund.credit", "fund.debit"]
    event = AuditEvent.objects.get(action="fund.debit")
    assert event.organization == world.enterprise_a and event.details["amount"] == "250.50"


def test_reference_must_have_a_code(world: Any, fund: Fund) -> None:
    for about in (world.alice, "not a record"):  # a user has no public code
        with pytest.raises(ApplicationError) as exc:
            fund_credit(actor=world.alice, fund=fund, amount="1", about=about)
        assert exc.value.code == "invalid_reference" and exc.value.details[0]["field"] == "about"
    assert not fund.entries.exists()


def test_debit_cannot_overdraw(world: Any, fund: Fund) -> None:
    fund_credit(actor=world.alice, fund=fund, amount="100")
    with pytest.raises(ApplicationError) as exc:
        fund_debit(actor=world.alice, fund=fund, amount="100.01")
    assert exc.value.code == "insufficient_funds" and exc.value.status == 409
    fund_debit(actor=world.alice, fund=fund, amount="100")
    fund.refresh_from_db()
    assert fund.balance == 0 and fund.entries.count() == 2


def test_balance_above_the_bound_is_refused(world: Any, fund: Fund) -> None:
    fund_credit(actor=world.alice, fund=fund, amount="999999999999.99")
    with pytest.raises(ApplicationError) as exc:
        fund_credit(actor=world.alice, fund=fund, amount="0.01")
    assert exc.value.code == "balance_too_large"


def test_entries_are_append_only(world: Any, fund: Fund) -> None:
    entry = fund_credit(actor=world.alice, fund=fund, amount="10")
    entry.amount = Decimal("1000")
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1000"))
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10.00")


def test_database_refuses_a_negative_balance(world: Any, fund: Fund) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(balance=Decimal("-1"))


def test_reverse_once_and_not_a_reversal(world: Any, fund: Fund) -> None:
    credit = fund_credit(actor=world.alice, fund=fund, amount="80")
    debit = fund_debit(actor=world.alice, fund=fund, amount="30", reference="慰问金")
    with pytest.raises(ApplicationError) as exc:
        ledger_entry_reverse(actor=world.alice, entry=debit, reason="  ")
    assert exc.value.code == "reason_required"
    back = ledger_entry_reverse(actor=world.alice, entry=debit, reason="重复发放")
    assert back.kind == "credit" and back.amount == Decimal("30.00") and back.reverses == debit
    assert back.reference == "慰问金" and back.memo == "重复发放"
    with pytest.raises(ApplicationError) as exc:
        ledger_entry_reverse(actor=world.alice, entry=debit, reason="again")
    assert exc.value.code == "already_reversed"
    with pytest.raises(ApplicationError) as exc:
        ledger_entry_reverse(actor=world.alice, entry=back, reason="undo the undo")
    assert exc.value.code == "is_reversal"
    fund_debit(actor=world.alice, fund=fund, amount="70")
    # reversing the credit would take the balance below zero
    with pytest.raises(ApplicationError) as exc:
        ledger_entry_reverse(actor=world.alice, entry=credit, reason="wrong fund")
    assert exc.value.code == "insufficient_funds"
    assert AuditEvent.objects.filter(action="fund.reverse").count() == 1


def test_statement_per_period(world: Any, fund: Fund) -> None:
    e1 = fund_credit(actor=world.alice, fund=fund, amount="500")
    e2 = fund_debit(actor=world.alice, fund=fund, amount="120")
    e3 = fund_credit(actor=world.alice, fund=fund, amount="40")
    e4 = fund_debit(actor=world.alice, fund=fund, amount="20.25")
    days = [dt.datetime(2026, 1, 10, 9), dt.datetime(2026, 2, 3, 9), dt.datetime(2026, 2, 28, 23)]
    days.append(dt.datetime(2026, 3, 1, 0, 5))
    for entry, when in zip((e1, e2, e3, e4), days, strict=True):
        # back-date the rows for the test (the model's queryset refuses updates; the table not)
        models.QuerySet.update(
            LedgerEntry.objects.filter(pk=entry.pk), created_at=timezone.make_aware(when)
        )
    s = selectors.fund_statement(
        actor=world.alice, fund=fund, since=dt.date(2026, 2, 1), until=dt.date(2026, 2, 28)
    )
    assert s.opening == Decimal("500.00")
    assert (s.credits, s.debits) == (Decimal("40.00"), Decimal("120.00"))
    assert s.closing == Decimal("420.00") == s.entries[-1].balance_after
    assert [e.pk for e in s.entries] == [e2.pk, e3.pk]
    empty = selectors.fund_statement(
        actor=world.alice, fund=fund, since=dt.date(2025, 1, 1), until=dt.date(2025, 12, 31)
    )
    assert empty.opening == empty.closing == 0 and empty.entries == []


def test_scoping_and_permissions(world: Any, fund: Fund) -> None:
    fund_credit(actor=world.alice, fund=fund, amount="10")
    assert list(selectors.fund_list(actor=world.alice)) == [fund]
    assert list(selectors.fund_list(actor=world.bob)) == []
    with pytest.raises(Http404):
        selectors.fund_get(actor=world.bob, code=fund.code)
    with pytest.raises(Http404):
        selectors.fund_statement(
            actor=world.bob, fund=fund, since=dt.date(2026, 1, 1), until=dt.date(2026, 12, 31)
        )
    assert list(selectors.ledger_entries(actor=world.bob, fund=fund)) == []
    for user in (world.bob, world.worker_a, world.nobody):
        with pytest.raises(PermissionDenied):
            fund_debit(actor=user, fund=fund, amount="1")
        with pytest.raises(PermissionDenied):
            fund_create(actor=user, organization=world.enterprise_a, name="x")
    fund.refresh_from_db()
    assert fund.balance == Decimal("10.00")


def test_fund_names_unique_per_organisation(world: Any, fund: Fund) -> None:
    with pytest.raises(ValidationError):
        fund_create(actor=world.alice, organization=world.enterprise_a, name=fund.name)
    fund_create(actor=world.alice, organization=world.team_a, name=fund.name)


ACTS = st.lists(
    st.tuples(
        st.sampled_from(["credit", "debit", "reverse"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2),
        st.integers(min_value=0, max_value=50),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(acts=ACTS)
def test_balance_is_the_sum_of_entries_and_never_negative(world: Any, acts: list[Any]) -> None:
    fund = Fund.objects.create(organization=world.enterprise_a, name=f"f{Fund.objects.count()}")
    for act, amount, pick in acts:
        try:
            if act == "credit":
                fund_credit(actor=world.alice, fund=fund, amount=amount)
            elif act == "debit":
                fund_debit(actor=world.alice, fund=fund, amount=amount)
            else:
                entries = list(fund.entries.order_by("id"))
                if entries:
                    ledger_entry_reverse(
                        actor=world.alice, entry=entries[pick % len(entries)], reason="更正"
                    )
        except ApplicationError:
            pass  # refused acts leave nothing behind
        fund.refresh_from_db()
        entries = list(fund.entries.order_by("id"))
        total = sum((e.signed_amount for e in entries), Decimal("0.00"))
        assert fund.balance == total >= 0
        assert all(e.balance_after >= 0 for e in entries)
        if entries:
            assert entries[-1].balance_after == fund.balance
