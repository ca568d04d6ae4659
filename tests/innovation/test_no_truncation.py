"""Posted text is passed whole: an over-long reason is refused naming its field, never cut to
fit and saved (regression tests, one per page that used to cut)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjiang.innovation import fund_budgets
from gongjiang.innovation import revenue_corrections as corrections
from gongjiang.innovation.fund_budgets import fund_budget_propose, payment_year
from gongjiang.innovation.models import RevenueCorrection

from .test_exchange import people  # noqa: F401 (fixture)
from .test_fund_budgets import carol  # noqa: F401 (fixture)
from .test_revenue_corrections import certified_year, doc, fund  # noqa: F401 (fixtures)


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_correction_rejection_reason_past_500_is_refused(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    year = certified_year(world, team, fund, pay=False)
    c = corrections.revenue_correction_request(
        actor=team.hr, year=year, amount="900.00", reason="录入错误", upload=doc()
    )
    url = reverse("innovation:revenue_year", args=[year.code])
    client.force_login(world.alice)
    r = client.post(url, {"act": "reject", "correction": c.code, "reason": "否" * 501}, follow=True)
    assert "500" in _messages(r)
    assert RevenueCorrection.objects.get(pk=c.pk).status == "requested"
    client.post(url, {"act": "reject", "correction": c.code, "reason": "否" * 500})
    row = RevenueCorrection.objects.get(pk=c.pk)
    assert row.status == "rejected" and row.decision_note == "否" * 500


def test_budget_rejection_reason_past_500_is_refused(
    client: Any,
    world: Any,
    fund: Any,  # noqa: F811
    carol: Any,  # noqa: F811
) -> None:
    proposed = fund_budget_propose(
        actor=world.alice, fund=fund, year=payment_year(), amount="100.00"
    )
    url = f"/innovation/funds/{fund.code}/"
    client.force_login(carol)
    r = client.post(
        url, {"act": "reject", "budget": proposed.code, "reason": "否" * 501}, follow=True
    )
    assert "500" in _messages(r)
    row = fund_budgets.FundBudget.objects.get(pk=proposed.pk)
    assert row.proposed_amount == proposed.proposed_amount and row.proposed_by_id == world.alice.pk


def test_studio_rename_past_100_is_refused(client: Any, world: Any, team: Any) -> None:
    from .test_studios import honour, named

    honour(team.workers[0])
    studio = named(world, team)
    url = reverse("innovation:studio_detail", args=[studio.code])
    client.force_login(world.enterprise_officer_a)
    client.post(url, {"act": "rename", "new_name": "名" * 101})
    assert not studio.renames.exists()
    client.post(url, {"act": "rename", "new_name": "名" * 100})
    assert studio.renames.get().new_name == "名" * 100


def test_exchange_report_reason_past_300_is_refused(
    client: Any,
    world: Any,
    team: Any,
    people: Any,  # noqa: F811
) -> None:
    from gongjiang.innovation.models import ExchangeReport

    from .test_exchange import ask

    q = ask(people.asker)
    url = reverse("innovation:exchange_act", args=[q.code])
    client.force_login(people.wang)
    r = client.post(url, {"act": "report", "reason": "广" * 301}, follow=True)
    assert "300" in _messages(r)
    assert not ExchangeReport.objects.exists()
