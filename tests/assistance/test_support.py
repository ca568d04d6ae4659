"""Support along the lines: eligibility, amount ranges, yearly caps per person and per household,
payment through the fund ledger (never below zero; whoever decided does not pay), reversing
entries; campaigns within budget. On PostgreSQL: two payments racing for the last yuan."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from gongjiang.assistance import support
from gongjiang.assistance.models import SupportLine
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import Fund, LedgerEntry
from gongjiang.core.ledger.services import fund_create, fund_credit

from .conftest import filed_file


def _setup(a: Any, balance: str = "100000.00") -> tuple[Any, dict[str, SupportLine], Fund]:
    file = filed_file(a, "800.00")
    lines = {
        line.kind: line
        for line in support.lines_ensure_defaults(actor=a.city_helper, organization=a.world.city_a)
    }
    fund = fund_create(actor=a.city_helper, organization=a.world.city_a, name="困难职工帮扶资金")
    fund_credit(actor=a.city_helper, fund=fund, amount=balance, memo="工会经费")
    return file, lines, fund


@pytest.mark.django_db
def test_five_default_lines(assist: Any) -> None:
    lines = support.lines_ensure_defaults(
        actor=assist.city_helper, organization=assist.world.city_a
    )
    assert [line.name for line in lines] == [
        "生活保障",
        "医疗保障",
        "助学保障",
        "就业保障",
        "法律援助",
    ]
    again = support.lines_ensure_defaults(
        actor=assist.city_helper, organization=assist.world.city_a
    )
    assert [x.pk for x in again] == [x.pk for x in lines]


@pytest.mark.django_db
def test_caps_per_person_and_household(assist: Any) -> None:
    a = assist
    file, lines, _fund = _setup(a)
    schooling = support.line_save(
        actor=a.city_helper,
        line=lines["schooling"],
        min_amount="1000",
        max_amount="3000",
        cap_person="4000",
        cap_household="6000",
    )
    decide = support.support_decide
    decide(actor=a.ent_helper, file=file, line=schooling, amount="3000", beneficiary="长子")
    decide(
        actor=a.ent_helper, file=file, line=schooling, amount="1000", beneficiary="长子"
    )  # = 4000
    with pytest.raises(ApplicationError) as exc:  # one fen over the person's cap
        decide(actor=a.ent_helper, file=file, line=schooling, amount="1000", beneficiary="长子")
    assert exc.value.code == "cap_person"
    decide(
        actor=a.ent_helper, file=file, line=schooling, amount="2000", beneficiary="次女"
    )  # = 6000
    with pytest.raises(ApplicationError) as exc:
        decide(actor=a.ent_helper, file=file, line=schooling, amount="1000", beneficiary="三子")
    assert exc.value.code == "cap_household"
    with pytest.raises(ApplicationError) as exc:  # outside the range of one grant
        decide(actor=a.ent_helper, file=file, line=lines["living"], amount="3000.01")
    assert exc.value.code == "amount_out_of_range"
    # another year has its own caps
    decide(
        actor=a.ent_helper,
        file=file,
        line=schooling,
        amount="3000",
        beneficiary="长子",
        year=a.year + 1,
    )
    # a service without money (legal aid) is recorded as given
    legal = decide(
        actor=a.ent_helper,
        file=file,
        line=lines["legal"],
        service="劳动争议代理",
        outcome="调解结案",
    )
    assert legal.status == "done"


@pytest.mark.django_db
def test_ineligible_category_is_refused(assist: Any) -> None:
    a = assist
    file, lines, _fund = _setup(a)
    support.line_save(actor=a.city_helper, line=lines["living"], eligible_categories=["relative"])
    with pytest.raises(ApplicationError) as exc:
        support.support_decide(actor=a.ent_helper, file=file, line=lines["living"], amount="500")
    assert exc.value.code == "not_eligible"


@pytest.mark.django_db
def test_pay_reverse_never_below_zero_and_duties(assist: Any) -> None:
    a = assist
    file, lines, fund = _setup(a, balance="1000.00")
    record = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["living"], amount="800"
    )
    with pytest.raises(ApplicationError) as exc:  # whoever decided does not pay
        support.support_pay(actor=a.ent_helper, record=record, fund=fund)
    assert exc.value.code == "separation_of_duties"
    record = support.support_pay(actor=a.city_helper, record=record, fund=fund)
    fund.refresh_from_db()
    assert record.status == "paid" and fund.balance == Decimal("200.00")
    second = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["living"], amount="300"
    )
    with pytest.raises(ApplicationError) as exc:
        support.support_pay(actor=a.city_helper, record=second, fund=fund)
    assert exc.value.code == "insufficient_funds"
    fund.refresh_from_db()
    assert fund.balance == Decimal("200.00")
    record = support.support_reverse(actor=a.city_helper, record=record, reason="重复发放")
    fund.refresh_from_db()
    assert record.status == "reversed" and fund.balance == Decimal("1000.00")
    entries = LedgerEntry.objects.filter(fund=fund).order_by("id")
    assert [e.kind for e in entries] == ["credit", "debit", "credit"]
    assert entries[2].reverses_id == entries[1].pk
    with pytest.raises(ApplicationError):  # at most once
        support.support_reverse(actor=a.city_helper, record=record, reason="again")
    support.support_pay(actor=a.city_helper, record=second, fund=fund)
    assert support.spent(file, lines["living"], a.year) == Decimal("300.00")  # reversed not counted


@pytest.mark.django_db
def test_campaign_budget_and_visit(assist: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = assist
    file, _lines, fund = _setup(a)
    campaign = support.campaign_create(
        actor=a.city_helper,
        organization=a.world.city_a,
        kind="spring",
        name="2026年两节送温暖",
        year=a.year,
        budget="500.00",
        fund=fund,
    )
    receipt = SimpleUploadedFile(
        "receipt.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg"
    )
    visit = support.visit_record(
        actor=a.city_helper,
        campaign=campaign,
        file=file,
        gift="米、油、慰问金",
        amount="500.00",
        receipt=receipt,
    )
    assert visit.payment is not None and visit.receipt
    with visit.receipt.open("rb") as handle:  # decrypted on reading, encrypted at rest
        assert handle.read() == b"\xff\xd8\xff fake jpeg"
    with open(visit.receipt.path, "rb") as raw:
        assert raw.read(4) == b"GJF1"
    with pytest.raises(ApplicationError) as exc:
        support.visit_record(
            actor=a.city_helper, campaign=campaign, file=file, gift="again", amount="1"
        )
    assert exc.value.code in ("over_budget", "visited")


ALL_APPS = list(settings.INSTALLED_APPS)


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs parallel writers (PostgreSQL); SQLite serialises every write",
)
def test_two_payments_for_the_last_yuan_exactly_one_succeeds(assist: Any) -> None:
    a = assist
    file, lines, fund = _setup(a, balance="1000.00")
    first = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["living"], amount="1000"
    )
    second = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["medical"], amount="1000"
    )
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def pay(record: Any) -> None:
        try:
            barrier.wait(timeout=10)
            support.support_pay(
                actor=a.city_helper, record=record, fund=Fund.objects.get(pk=fund.pk)
            )
            outcome.append("paid")
        except ApplicationError as exc:
            outcome.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(r,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome) == ["insufficient_funds", "paid"]
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.00")
    assert sum(e.signed_amount for e in LedgerEntry.objects.filter(fund=fund)) == Decimal("0.00")
