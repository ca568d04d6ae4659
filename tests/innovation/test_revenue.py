"""Revenue sharing (收益分红): statutory defaults at their boundaries, exact splits, the own-use year
limit, separation of duties, payments through the ledger, totals and statements."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.ledger.models import LedgerEntry
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.models import AuditEvent
from gongjiang.innovation import revenue, services
from gongjiang.innovation.models import RevenuePart, RevenueYear
from gongjiang.innovation.revenue_statements import statements_pdf
from tests.factories import UserFactory, member

from .conftest import make_result

pytestmark = pytest.mark.django_db
D = Decimal


def adopted(team: Any, **extra: Any) -> Any:
    result = make_result(team, submit=True, **extra)
    return services.result_review(actor=team.hr, result=result, adopted=True)


@pytest.fixture
def fund(world: Any) -> Any:
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="成果转化收益分红")
    fund_credit(actor=world.alice, fund=fund, amount="100000.00")
    return fund


@pytest.mark.parametrize(
    ("mode", "minimum"),
    [("transfer", "0.50"), ("licence", "0.50"), ("equity", "0.50"), ("own_use", "0.05")],
)
def test_statutory_default_at_its_boundary(world: Any, team: Any, mode: str, minimum: str) -> None:
    result = adopted(team)
    below = D(minimum) - D("0.0001")
    with pytest.raises(ApplicationError) as exc:
        revenue.revenue_scheme_create(
            actor=team.hr,
            result=result,
            mode=mode,
            first_year=2025,
            share=below,
            agreement="协议〔2025〕1号",
        )
    assert exc.value.code == "below_statutory_minimum"
    assert exc.value.details[0]["field"] == "share"
    at = revenue.revenue_scheme_create(
        actor=team.hr,
        result=result,
        mode=mode,
        first_year=2025,
        share=D(minimum),
        agreement="协议〔2025〕1号",
    )
    assert at.share == D(minimum) and at.basis == "agreement"
    at.delete()
    default = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode=mode, first_year=2025
    )
    assert default.share == D(minimum) and default.basis == "statutory"


def test_agreement_needs_its_terms_and_result_adopted(world: Any, team: Any) -> None:
    draft = make_result(team)
    with pytest.raises(ConflictError) as exc:
        revenue.revenue_scheme_create(actor=team.hr, result=draft, mode="licence", first_year=2025)
    assert exc.value.code == "result_not_adopted"
    result = adopted(team)
    with pytest.raises(Exception) as exc2:
        revenue.revenue_scheme_create(
            actor=team.hr, result=result, mode="licence", first_year=2025, share=D("0.6")
        )
    assert "agreement" in str(exc2.value)


def test_year_split_is_exact_and_certified_by_another(world: Any, team: Any, fund: Any) -> None:
    result = adopted(
        team,
        members=[
            (team.workers[0], D("33.33")),
            (team.workers[1], D("33.33")),
            (team.workers[2], D("33.34")),
        ],
    )
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="licence", first_year=2025, fund=fund
    )
    year = revenue.revenue_year_enter(
        actor=world.enterprise_officer_a, scheme=scheme, year=2025, amount=D("1000.01")
    )
    # the one who entered never certifies: refused and audited
    with pytest.raises(DutyConflict):
        revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=year)
    assert AuditEvent.objects.filter(action="innovation.revenue_year_certify.refused").exists()
    # hr may not certify at all (officers do)
    with pytest.raises(PermissionDenied):
        revenue.revenue_year_certify(actor=team.hr, year=year)
    year = revenue.revenue_year_certify(actor=world.alice, year=year)
    # pool = 1000.01 × 0.50 = 500.005 → 500.01 (half up)
    assert year.pool == D("500.01") and year.status == "certified"
    parts = {p.worker_id: p.amount for p in year.parts.all()}
    assert sum(parts.values()) == D("500.01")
    # exact parts 166.6533, 166.6533, 166.7034 → floors 166.65, 166.65, 166.70 → one fen left
    # over to the largest remainder (0.0034 of the 33.34 member)
    assert parts == {
        team.workers[0].pk: D("166.65"),
        team.workers[1].pk: D("166.65"),
        team.workers[2].pk: D("166.71"),
    }
    # a certified year cannot be entered again
    with pytest.raises(ConflictError):
        revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2025, amount=D("1"))
    entries = revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=year)
    assert len(entries) == 3
    fund.refresh_from_db()
    assert fund.balance == D("100000.00") - D("500.01")
    assert LedgerEntry.objects.filter(fund=fund, kind="debit").count() == 3
    with pytest.raises(ConflictError):
        revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=year)


def test_team_member_never_certifies(world: Any, team: Any) -> None:
    officer = UserFactory(username="officer_on_team")
    member(officer, world.enterprise_a, "officer")
    worker = team.workers[1]
    worker.user = officer
    worker.save(update_fields=["user"])
    result = adopted(team)
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="transfer", first_year=2025
    )
    year = revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2025, amount=D("10"))
    with pytest.raises(DutyConflict):
        revenue.revenue_year_certify(actor=officer, year=year)


def test_own_use_year_limit(world: Any, team: Any) -> None:
    result = adopted(team)
    for bad in (2, 6):
        with pytest.raises(Exception) as exc:
            revenue.revenue_scheme_create(
                actor=team.hr, result=result, mode="own_use", first_year=2024, own_use_years=bad
            )
        assert "own_use_years" in str(exc.value)
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="own_use", first_year=2024, own_use_years=5
    )
    assert scheme.last_year == 2028
    with pytest.raises(ApplicationError) as exc:
        revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2023, amount=D("100"))
    assert exc.value.code == "before_first_year"
    for y in range(2024, 2029):
        revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=y, amount=D("100000"))
    with pytest.raises(ApplicationError) as exc:
        revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2029, amount=D("100000"))
    assert exc.value.code == "own_use_years_exceeded"
    assert exc.value.details[0]["field"] == "year"
    # 3 years when none is said (the statutory least)
    default = revenue.revenue_scheme_create(
        actor=team.hr, result=adopted(team, title="另一成果"), mode="own_use", first_year=2024
    )
    assert default.own_use_years == 3 and default.last_year == 2026
    year = revenue.revenue_year_enter(
        actor=team.hr, scheme=scheme, year=2024, amount=D("123456.78")
    )
    year = revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=year)
    assert year.pool == D("6172.84")  # 123456.78 × 0.05 = 6172.839 → 6172.84


def test_equity_is_not_paid_in_cash_and_no_fund_refused(world: Any, team: Any) -> None:
    result = adopted(team)
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="equity", first_year=2025
    )
    year = revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2025, amount=D("2000000"))
    with pytest.raises(ConflictError) as exc:
        revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=year)
    assert exc.value.code == "year_not_certified"
    year = revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=year)
    assert year.pool == D("1000000.00")
    with pytest.raises(ConflictError) as exc:
        revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=year)
    assert exc.value.code == "equity_not_cash"


def test_payment_that_does_not_fit_is_refused_whole(world: Any, team: Any) -> None:
    small = fund_create(actor=world.alice, organization=world.enterprise_a, name="小基金")
    fund_credit(actor=world.alice, fund=small, amount="100.00")
    result = adopted(team)
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="transfer", first_year=2025, fund=small
    )
    year = revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=2025, amount=D("300"))
    year = revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=year)
    with pytest.raises(ApplicationError) as exc:
        revenue.revenue_year_pay(actor=world.enterprise_officer_a, year=year)
    assert exc.value.code == "insufficient_funds"
    small.refresh_from_db()
    assert small.balance == D("100.00")
    assert LedgerEntry.objects.filter(fund=small, kind="debit").count() == 0
    assert RevenueYear.objects.get(pk=year.pk).status == "certified"


def test_fund_outside_the_result_refused(world: Any, team: Any) -> None:
    other = fund_create(actor=world.bob, organization=world.enterprise_b, name="别处基金")
    with pytest.raises(ApplicationError) as exc:
        revenue.revenue_scheme_create(
            actor=world.root, result=adopted(team), mode="transfer", first_year=2025, fund=other
        )
    assert exc.value.code == "fund_elsewhere"


def test_totals_statements_and_scope(world: Any, team: Any, fund: Any) -> None:
    result = adopted(team)
    scheme = revenue.revenue_scheme_create(
        actor=team.hr, result=result, mode="transfer", first_year=2024, fund=fund
    )
    for y, amount in ((2024, "10000"), (2025, "20000.02")):
        year = revenue.revenue_year_enter(actor=team.hr, scheme=scheme, year=y, amount=D(amount))
        revenue.revenue_year_certify(actor=world.enterprise_officer_a, year=year)
    revenue.revenue_year_pay(
        actor=world.enterprise_officer_a, year=RevenueYear.objects.get(year=2024)
    )
    by_worker = {r["name"]: r for r in revenue.revenue_totals(actor=world.alice, by="worker")}
    # 2024: pool 5000.00, 50 % → 2500.00; 2025: pool 10000.01, 50 % → 5000.005 → 5000.01 (the
    # largest remainder takes the fen left over)
    assert by_worker["李斌"]["total"] == D("7500.01")
    assert by_worker["李斌"]["paid"] == D("2500.00")
    assert by_worker["王芳"]["total"] == D("1500.00") + D("3000.00")
    by_result = revenue.revenue_totals(actor=world.alice, by="result")
    assert by_result[0]["total"] == D("15000.01")
    by_employer = revenue.revenue_totals(actor=world.alice, by="employer")
    assert by_employer[0]["paid"] == D("5000.00") and by_employer[0]["unpaid"] == D("10000.01")
    # out of scope: nothing, not even a count
    assert revenue.revenue_totals(actor=world.bob, by="worker") == []
    with pytest.raises(Http404):
        revenue.scheme_get(actor=world.bob, code=scheme.code)
    with pytest.raises(Http404):
        revenue.statement_worker_get(actor=world.bob, code=team.workers[0].code)
    # the worker: statements ready until they open them
    assert revenue.statements_ready(actor=world.worker_a) == 2
    worker = revenue.statement_worker_get(actor=world.worker_a, code=team.workers[0].code)
    parts = revenue.statement_parts(actor=world.worker_a, worker=worker)
    pdf = statements_pdf([(worker, parts)])
    assert pdf.startswith(b"%PDF")
    assert revenue.statements_seen(actor=world.worker_a, worker=worker) == 2
    assert revenue.statements_ready(actor=world.worker_a) == 0
    # another worker's statement is not the worker's to read
    with pytest.raises(Http404):
        revenue.statement_worker_get(actor=world.worker_a, code=team.workers[1].code)


@settings(max_examples=60, deadline=None)
@given(
    amount=st.decimals(min_value=0, max_value=D("999999999.99"), places=2),
    shares=st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=8),
)
def test_parts_always_add_up(amount: Decimal, shares: list[int]) -> None:
    """Any amount and any team: the certified parts add up to the pool exactly (no fen lost)."""
    from gongjiang.innovation.split import revenue_share_preview

    total = sum(shares)
    contributions = [D(s) * 100 / total for s in shares]
    contributions = [c.quantize(D("0.01")) for c in contributions]
    contributions[-1] += D(100) - sum(contributions)
    if any(c <= 0 for c in contributions):
        return
    preview = revenue_share_preview(
        mode="own_use",
        amount=amount,
        share=None,
        members=[(f"W{i:03d}", c) for i, c in enumerate(contributions)],
    )
    assert sum(p.amount for p in preview.parts) == preview.pool
    assert all(p.amount >= 0 for p in preview.parts)
    assert RevenuePart.objects.count() == 0
