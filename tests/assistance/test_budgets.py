"""Fund budgets per year and support line: spending against them, a payment past the budget
refused, reversals free it again, reports show budget against spent; on PostgreSQL two payments
racing for the last yuan of a budget — exactly one passes."""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from openpyxl import load_workbook

from gongjiang.assistance import support
from gongjiang.assistance.budgets import budget_rows, budget_set
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import Fund

from .test_support import _setup


@pytest.mark.django_db
def test_budget_against_spending(assist: Any, client: Any) -> None:
    a = assist
    file, lines, fund = _setup(a)
    living = lines["living"]
    budget = budget_set(actor=a.city_helper, fund=fund, line=living, year=a.year, amount="800")
    first = support.support_decide(actor=a.ent_helper, file=file, line=living, amount="500")
    support.support_pay(actor=a.city_helper, record=first, fund=fund)
    second = support.support_decide(actor=a.ent_helper, file=file, line=living, amount="400")
    with pytest.raises(ApplicationError) as exc:
        support.support_pay(actor=a.city_helper, record=second, fund=fund)
    assert exc.value.code == "over_budget"
    fund.refresh_from_db()
    assert fund.balance == Decimal("99500.00")  # nothing half-written
    # the budget cannot go below what is spent; raising it lets the payment through
    with pytest.raises(ApplicationError) as exc:
        budget_set(actor=a.city_helper, fund=fund, line=living, year=a.year, amount="499.99")
    assert exc.value.code == "budget_below_spent"
    budget_set(actor=a.city_helper, fund=fund, line=living, year=a.year, amount="900")
    support.support_pay(actor=a.city_helper, record=second, fund=fund)
    (row,) = budget_rows(actor=a.city_helper, year=a.year)
    assert (row["code"], row["amount"], row["spent"], row["left"]) == (
        budget.code,
        Decimal("900.00"),
        Decimal("900.00"),
        Decimal("0.00"),
    )
    # a reversal frees the budget
    support.support_reverse(actor=a.city_helper, record=first, reason="重复发放")
    (row,) = budget_rows(actor=a.city_helper, year=a.year)
    assert row["spent"] == Decimal("400.00") and row["left"] == Decimal("500.00")
    # another line without a budget: only the fund's balance limits it
    medical = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["medical"], amount="5000"
    )
    support.support_pay(actor=a.city_helper, record=medical, fund=fund)
    # the reports page and the export show budget against spent; other cities see nothing
    client.force_login(a.city_helper)
    page = client.get("/assistance/reports/").content.decode()
    assert budget.code in page and "900.00" in page and "400.00" in page
    book = load_workbook(io.BytesIO(client.get("/assistance/reports/export.xlsx").content))
    (sheet,) = [ws for ws in book.worksheets if ws["E1"].value == "结余（元）"]
    assert [Decimal(str(c.value)) for c in sheet[2][2:]] == [900, 400, 500]
    assert budget_rows(actor=a.other_city_helper, year=a.year) == []
    assert budget_rows(actor=a.officer, year=a.year) == []
    client.force_login(a.other_city_helper)
    assert budget.code not in client.get("/assistance/reports/").content.decode()


@pytest.mark.django_db
def test_budget_form_on_the_funds_page(assist: Any, client: Any) -> None:
    a = assist
    _file, lines, fund = _setup(a)
    client.force_login(a.city_helper)
    data = {"form": "budget", "fund": fund.code, "line": lines["schooling"].code, "year": a.year}
    r = client.post("/assistance/funds/", {**data, "amount": "-1"})
    assert r.status_code == 200 and "budget-form" in r.content.decode()
    r = client.post("/assistance/funds/", {**data, "amount": "12000.50"})
    assert r.status_code == 302
    (row,) = budget_rows(actor=a.city_helper, year=a.year)
    assert row["amount"] == Decimal("12000.50") and row["line"] == lines["schooling"]
    assert "12000.50" in client.get("/assistance/funds/").content.decode()
    # the ordinary officer: 404 on the page and on the post
    client.force_login(a.officer)
    assert client.post("/assistance/funds/", {**data, "amount": "1"}).status_code == 404


ALL_APPS = list(settings.INSTALLED_APPS)


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs parallel writers (PostgreSQL); SQLite serialises every write",
)
def test_two_payments_for_the_last_yuan_of_a_budget(assist: Any) -> None:
    a = assist
    file, lines, fund = _setup(a)
    budget_set(actor=a.city_helper, fund=fund, line=lines["living"], year=a.year, amount="1000")
    records = [
        support.support_decide(
            actor=a.ent_helper, file=file, line=lines["living"], amount="600", beneficiary=who
        )
        for who in ("本人", "配偶")
    ]
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

    threads = [threading.Thread(target=pay, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome) == ["over_budget", "paid"]
    (row,) = budget_rows(actor=a.city_helper, year=a.year)
    assert row["spent"] == Decimal("600.00")
    fund.refresh_from_db()
    assert fund.balance == Decimal("99400.00")
