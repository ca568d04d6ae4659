"""Excel exports of the reward funds' list and of the results per 100 workers: each reads the
page's own scoped selector (province B's officer gets nothing of province A), writes names as
text and is audited with its filters."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from gongjiang.core.enterprise_models import Enterprise
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.models import AuditEvent
from gongjiang.innovation import services
from gongjiang.innovation.fund_budgets import fund_budget_approve, fund_budget_propose, payment_year
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
EVIL = "=1+1"


def _rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    cells = [c for row in sheet.iter_rows() for c in row if c.value == EVIL]
    assert all(c.data_type == "s" for c in cells)
    return rows[1:]


def test_funds_export(client: Any, world: Any) -> None:
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name=EVIL)
    fund_credit(actor=world.alice, fund=fund, amount="1000.00")
    year = payment_year()
    carol = UserFactory(username="carol")
    member(carol, world.province_a, "officer")
    proposed = fund_budget_propose(actor=world.alice, fund=fund, year=year, amount="600.00")
    fund_budget_approve(actor=carol, budget=proposed)
    client.force_login(world.alice)
    page = client.get("/innovation/funds/").content.decode()
    assert "/innovation/exports/funds.xlsx" in page
    rows = _rows(client.get("/innovation/exports/funds.xlsx"))
    assert len(rows) == 1
    code, name, org, balance, y, budget, used, remaining = rows[0]
    assert (code, name, y) == (fund.code, EVIL, year)
    assert Decimal(str(balance)) == Decimal("1000") and Decimal(str(budget)) == Decimal("600")
    assert Decimal(str(used)) == 0 and Decimal(str(remaining)) == Decimal("600")
    assert AuditEvent.objects.get(action="innovation.export").details["export"] == "funds"
    client.force_login(world.bob)
    assert _rows(client.get("/innovation/exports/funds.xlsx")) == []
    client.force_login(world.worker_a)
    assert client.get("/innovation/exports/funds.xlsx").status_code == 403


def test_analytics_export(client: Any, world: Any, team: Any) -> None:
    Enterprise.objects.filter(pk=team.employer.pk).update(name=EVIL)
    result = make_result(team, submit=True)
    services.result_review(actor=team.hr, result=result, adopted=True)
    client.force_login(world.alice)
    page = client.get("/innovation/analytics/", {"by": "employer"}).content.decode()
    assert "/innovation/exports/analytics.xlsx?by=employer" in page
    rows = _rows(client.get("/innovation/exports/analytics.xlsx", {"by": "employer"}))
    by_name = {r[1]: r for r in rows}
    assert by_name[EVIL][2:4] == (1, 3)  # one adopted result, three workers on the job
    assert Decimal(str(by_name[EVIL][4])).quantize(Decimal("0.01")) == Decimal("33.33")
    event = AuditEvent.objects.get(action="innovation.export")
    assert event.details["filters"] == {"by": "employer"} and event.details["rows"] == len(rows)
    # an unknown grouping falls back to the page's default
    assert _rows(client.get("/innovation/exports/analytics.xlsx", {"by": "x"})) == rows
    client.force_login(world.bob)
    assert EVIL not in [r[1] for r in _rows(client.get("/innovation/exports/analytics.xlsx"))]
    client.force_login(world.worker_a)
    assert client.get("/innovation/exports/analytics.xlsx").status_code == 403
