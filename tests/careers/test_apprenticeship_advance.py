"""Advance payment of the apprenticeship subsidy (预拨): the province's (or city's) percentage,
default 0 (none); an advance of up to that share of each apprentice's year, to the fen rounded
down; the year's claim deducting what the advance paid — so the ledger pays exactly the year's
amount, never more; refusal past the cap; the usual separation of duties; page and API in scope."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjiang.careers import apprenticeship as svc
from gongjiang.careers import apprenticeship_rules as R
from gongjiang.careers.apprenticeship_common import RuleSet
from gongjiang.core.audit import AuditEvent
from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_create, fund_credit

from ..access_helpers import check_access
from . import apprentice_helpers
from .apprentice_helpers import Appr, enrol, trainee
from .test_apprenticeship import _documents

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr
API = "/api/v1/careers/apprenticeship"
FEN = Decimal("0.01")


# ------------------------------------------------------------------------------ pure
@settings(max_examples=300, deadline=None)
@given(
    rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    months=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=8),
    begun=st.lists(st.integers(min_value=0, max_value=12), min_size=8, max_size=8),
    percent=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
)
def test_advance_and_the_final_claim_pay_exactly_the_year(
    rate: Decimal, months: list[int], begun: list[int], percent: Decimal
) -> None:
    """Per apprentice the advance is the share of the year by the agreement, rounded down to the
    fen; the claim's advance never passes ``percent`` % of the year's amount; the final claim
    (months begun, never more than the agreement's) less the advance, plus the advance, is the
    year's amount to the fen."""
    year = [R.subsidy_amount(rate, m) for m in months]
    advances = [R.advance_amount(rate, m, percent) for m in months]
    for whole, part in zip(year, advances, strict=True):
        assert part == part.quantize(FEN) and Decimal(0) <= part <= whole * percent / 100
        assert whole * percent / 100 - part < FEN  # the most the fen allows
    advanced = sum(advances, Decimal("0.00"))
    assert advanced <= sum(year, Decimal(0)) * percent / 100
    due = sum(
        (R.subsidy_amount(rate, min(m, b)) for m, b in zip(months, begun, strict=False)),
        Decimal("0.00"),
    )
    if advanced < due:
        final = R.final_after_advance(due, advanced)
        assert final > 0 and final + advanced == due
        assert final == final.quantize(FEN)


def test_advance_rounds_down_at_the_fen() -> None:
    # 5000 × 10 / 12 = 4166.67; 30 % = 1250.001 → 1250.00
    assert R.advance_amount(Decimal("5000.00"), 10, Decimal("30")) == Decimal("1250.00")
    # 5500.50 × 7 / 12 = 3208.63; 33.33 % = 1069.436… → 1069.43
    assert R.advance_amount(Decimal("5500.50"), 7, Decimal("33.33")) == Decimal("1069.43")
    assert R.advance_amount(Decimal("5000.00"), 12, Decimal("100")) == Decimal("5000.00")


# ------------------------------------------------------------------------------ rules
def test_the_percentage_is_set_above_the_enterprise_and_defaults_to_none(
    world: Any, appr: Appr
) -> None:
    assert RuleSet(world.enterprise_a).advance_percent() == Decimal("0")
    assert "平台默认" in RuleSet(world.enterprise_a).rule(R.ADVANCE).source
    with pytest.raises(ApplicationError) as exc:  # the enterprise paid does not set it
        svc.apprentice_rule_set(
            actor=world.alice, organization=world.enterprise_a, key=R.ADVANCE, value="50"
        )
    assert exc.value.details[0]["field"] == "organization"
    for bad in ("101", "-1", "12.345", "abc", "NaN"):
        with pytest.raises(ApplicationError) as exc:
            svc.apprentice_rule_set(
                actor=world.alice, organization=world.province_a, key=R.ADVANCE, value=bad
            )
        assert exc.value.details[0]["field"] == "value"
    svc.apprentice_rule_set(
        actor=world.alice,
        organization=world.province_a,
        key=R.ADVANCE,
        value="30",
        source="省人社厅 省财政厅 学徒制实施办法",
    )
    rule = RuleSet(world.enterprise_a).rule(R.ADVANCE)
    assert (rule.value, rule.source) == ("30.00", "省人社厅 省财政厅 学徒制实施办法")
    assert RuleSet(world.enterprise_b).advance_percent() == Decimal("0")  # another province


def test_no_advance_where_none_is_set(world: Any, appr: Appr) -> None:
    enrol(appr, appr.me)
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_advance_create(
            actor=appr.hr, cohort=appr.cohort, year=2025, percent="10"
        )
    assert exc.value.code == "no_advance"


# ------------------------------------------------------------------- advance, then the year
def test_advance_then_the_year_pays_exactly_the_year(
    world: Any, appr: Appr, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    # 2025: a1 10 months (from 2025-03-01), a2 7 (from 2025-06-15), at 5500.50 a year
    a1 = enrol(appr, appr.me)
    a2 = enrol(appr, appr.other, starts_on=dt.date(2025, 6, 15), ends_on=dt.date(2026, 6, 14),
               signed_on=dt.date(2025, 6, 1))  # fmt: skip
    svc.apprentice_rule_set(
        actor=world.alice, organization=world.city_a, key=R.SUBSIDY, value="5500.50"
    )
    svc.apprentice_rule_set(
        actor=world.alice, organization=world.province_a, key=R.ADVANCE, value="33.33"
    )
    with pytest.raises(ApplicationError) as over:  # past the cap: refused, the field named
        svc.apprentice_claim_advance_create(
            actor=appr.hr, cohort=appr.cohort, year=2025, percent="33.34"
        )
    assert over.value.details[0]["field"] == "percent" and "33.33" in str(over.value)
    for bad in ("0", "-5", "1.001", "x"):
        with pytest.raises(ApplicationError):
            svc.apprentice_claim_advance_create(
                actor=appr.hr, cohort=appr.cohort, year=2025, percent=bad
            )
    advance = svc.apprentice_claim_advance_create(
        actor=appr.hr, cohort=appr.cohort, year=2025, percent="33.33"
    )
    lines = {x.apprentice_id: (x.months, x.amount) for x in advance.lines.all()}
    # 4583.75 × 33.33 % = 1527.763… → 1527.76; 3208.63 × 33.33 % = 1069.436… → 1069.43
    assert lines == {a1.pk: (10, Decimal("1527.76")), a2.pk: (7, Decimal("1069.43"))}
    expected_a1 = (Decimal("4583.75") * Decimal("33.33") / 100).quantize(FEN, rounding=ROUND_DOWN)
    assert lines[a1.pk] == (10, expected_a1) and expected_a1 == Decimal("1527.76")
    assert advance.total == Decimal("2597.19") == expected_a1 + Decimal("1069.43")
    assert (advance.kind, advance.advance_percent) == ("advance", Decimal("33.33"))
    with pytest.raises(ApplicationError) as dup:
        svc.apprentice_claim_advance_create(
            actor=appr.hr, cohort=appr.cohort, year=2025, percent="10"
        )
    assert dup.value.code == "duplicate"
    with pytest.raises(ApplicationError) as pending:  # the year's claim waits for the advance
        svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    assert pending.value.code == "advance_pending"
    # the advance goes the way of every claim: documents, submission, another body approves/pays
    _documents(advance, appr.hr)
    advance = svc.apprentice_claim_submit(actor=appr.hr, claim=advance)
    with pytest.raises((DutyConflict, PermissionDenied)):  # its preparer never approves it
        svc.apprentice_claim_decide(actor=appr.hr, claim=advance, approve=True)
    advance.refresh_from_db()
    assert advance.status == "submitted"
    assert AuditEvent.objects.filter(action="careers.apprentice_claim_advance").count() == 1
    advance = svc.apprentice_claim_decide(actor=world.alice, claim=advance, approve=True)
    fund = fund_create(actor=world.alice, organization=world.province_a, name="学徒培训补贴")
    fund_credit(actor=world.alice, fund=fund, amount="7791.88")  # exactly the year: 4583.75+3208.63
    advance = svc.apprentice_claim_pay(actor=world.alice, claim=advance, fund=fund)
    # the year's claim deducts what the advance paid
    final = svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    assert sum(x.amount for x in final.lines.all()) == Decimal("7792.38")
    assert final.advance_deducted == Decimal("2597.19")
    assert final.total == Decimal("5195.19") == Decimal("7792.38") - Decimal("2597.19")
    with pytest.raises(ApplicationError) as late:  # no advance after the year's claim
        svc.apprentice_claim_advance_create(
            actor=appr.hr, cohort=appr.cohort, year=2025, percent="10"
        )
    assert late.value.code in ("duplicate", "final_exists")
    _documents(final, appr.hr)
    final = svc.apprentice_claim_submit(actor=appr.hr, claim=final)
    final = svc.apprentice_claim_decide(actor=world.alice, claim=final, approve=True)
    with pytest.raises(ApplicationError) as short:  # the fund holds 0.50 less than the rest
        svc.apprentice_claim_pay(actor=world.alice, claim=final, fund=fund)
    assert short.value.code == "insufficient_funds"
    fund_credit(actor=world.alice, fund=fund, amount="0.50")
    final = svc.apprentice_claim_pay(actor=world.alice, claim=final, fund=fund)
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.00")
    paid = [e.amount for e in LedgerEntry.objects.filter(fund=fund, kind="debit")]
    assert sorted(paid) == [Decimal("2597.19"), Decimal("5195.19")]
    assert sum(paid) == Decimal("7792.38")  # the year's amount, to the fen, never more


def test_an_advance_larger_than_what_is_due_is_not_netted(
    world: Any, appr: Appr, settings: Any, tmp_path: Any
) -> None:
    """An apprentice who left early: the advance paid covers what is due; the year's claim is
    refused rather than paying anything more (or going negative)."""
    settings.MEDIA_ROOT = tmp_path
    third = trainee(world.enterprise_a, 70)
    a = enrol(appr, third, starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2026, 3, 31))
    svc.apprentice_rule_set(
        actor=world.alice, organization=world.province_a, key=R.ADVANCE, value="100"
    )
    advance = svc.apprentice_claim_advance_create(
        actor=appr.hr, cohort=appr.cohort, year=2025, percent="100"
    )
    assert advance.total == Decimal("3750.00")  # 9 months of 5000
    _documents(advance, appr.hr)
    svc.apprentice_claim_submit(actor=appr.hr, claim=advance)
    svc.apprentice_claim_decide(actor=world.alice, claim=advance, approve=True)
    fund = fund_create(actor=world.alice, organization=world.province_a, name="学徒培训补贴")
    fund_credit(actor=world.alice, fund=fund, amount="3750.00")
    svc.apprentice_claim_pay(actor=world.alice, claim=advance, fund=fund)
    svc.apprentice_terminate(
        actor=appr.hr, apprentice=a, ended_on=dt.date(2025, 8, 31), note="离职"
    )
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)
    assert exc.value.code == "advance_covers"


# ---------------------------------------------------------------------- page and API
def test_the_advance_through_the_api_and_the_page(client: Any, world: Any, appr: Appr) -> None:
    enrol(appr, appr.me)
    svc.apprentice_rule_set(
        actor=world.alice, organization=world.province_a, key=R.ADVANCE, value="50"
    )
    url = f"{API}/cohorts/{appr.cohort.code}/claims/advance"
    client.force_login(appr.hr)
    assert (
        client.post(
            url, {"year": 2025, "percent": "100.5"}, content_type="application/json"
        ).status_code
        == 422
    )
    r = check_access(
        client,
        url=url,
        method="post",
        data={"year": 2025, "percent": "50"},
        in_scope=appr.hr,
        out_of_scope=world.bob,
        ok=201,
    )
    body = r.json()
    assert (body["kind"], body["advance_percent"], body["total"]) == ("advance", "50.00", "2083.33")
    # the page: the form on the cohort, the advance on the claim's page
    client.force_login(appr.hr)
    cohort_page = client.get(f"/careers/apprenticeship/cohorts/{appr.cohort.code}/")
    assert 'id="advance-form"' in cohort_page.content.decode()
    r = client.post(
        f"/careers/apprenticeship/cohorts/{appr.cohort.code}/claims/advance/",
        {"year": "2025", "percent": "60"},
    )
    assert r.status_code == 302  # refused past the cap (and a second advance): back to the cohort
    assert r["Location"].endswith(f"/cohorts/{appr.cohort.code}/")
    page = client.get(f"/careers/apprenticeship/claims/{body['code']}/").content.decode()
    assert 'id="claim-advance"' in page and "2083.33" in page
    client.force_login(world.bob)
    assert (
        client.post(
            f"/careers/apprenticeship/cohorts/{appr.cohort.code}/claims/advance/",
            {"year": "2025", "percent": "10"},
        ).status_code
        == 404
    )
