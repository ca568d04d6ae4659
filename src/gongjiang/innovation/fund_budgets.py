"""The yearly budget of a reward fund (奖励基金年度预算) and the payments held to it.

* An officer of the fund's union (``core.change_fund``) proposes the budget of a year; another
  officer approves it — never the one who proposed (separation of duties). The proposer may
  withdraw a waiting proposal; another officer may reject it with a reason.
* What a year has used: the fund's ledger debits posted in that calendar year (local time) and
  not reversed. A correction that reverses a payment gives its amount back to the year of the
  payment it reverses.
* Every innovation payment from a fund (award payments, revenue shares, the repayment of a
  corrected year) runs inside :class:`BudgetGuard`: it locks the year's budget row before the
  ledger is touched and, after the debits, refuses — 409 ``over_budget`` naming the budget and
  what was left, everything rolled back — when the year's use went past the approved amount. Two
  payments in parallel queue on the budget row, so the second sees the first's debits: the
  budget is never overshot, to the fen. Without an approved budget for the year only the fund's
  balance limits payments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error
from gongjiang.core.ledger.models import MAX_AMOUNT, Fund, LedgerEntry

from .models_budget import FundBudget

CHANGE = "core.change_fund"
VIEW = "core.view_fund"
ZERO = Decimal("0.00")
FEN = Decimal("0.01")
MIN_YEAR, MAX_YEAR = 2000, 2100


def payment_year() -> int:
    return timezone.localdate().year


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=tz)


def budget_used(*, fund: Fund, year: int) -> Decimal:
    """The fund's debits posted in ``year`` that are not reversed, to the fen."""
    start, end = year_bounds(year)
    total = LedgerEntry.objects.filter(
        fund_id=fund.pk,
        kind=LedgerEntry.Kind.DEBIT,
        reverses__isnull=True,
        reversed_by__isnull=True,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(t=Sum("amount"))["t"]
    return (total or ZERO).quantize(FEN)


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise field_error("year", _("A year such as 2026."), "invalid_year", status=422) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise field_error(
            "year", _("A year between 2000 and 2100."), "invalid_year", status=422
        ) from None
    return year


def _amount(value: Any) -> Decimal:
    """A budget in yuan to the fen; zero allowed (nothing may be paid that year)."""

    def bad(message: str) -> ApplicationError:
        return field_error("amount", message, "invalid_amount", status=422)

    if isinstance(value, bool | float):
        raise bad(_("Give the amount as a decimal number, not a floating-point number."))
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise bad(_("An amount in yuan, to the fen.")) from None
    if not amount.is_finite() or amount < 0:
        raise bad(_("An amount in yuan, to the fen."))
    if amount > MAX_AMOUNT:
        raise bad(_("The amount is too large (at most 999,999,999,999.99)."))
    if amount != amount.quantize(FEN):
        raise bad(_("An amount has at most two decimals (fen)."))
    return amount.quantize(FEN)


def _fund_in_scope(actor: Any, fund: Fund) -> None:
    from django.http import Http404

    if not Fund.objects.visible_to(actor, VIEW).filter(pk=fund.pk).exists():
        raise Http404("fund")
    access.require(actor, CHANGE, fund.organization)


@transaction.atomic
def fund_budget_propose(*, actor: Any, fund: Fund, year: Any, amount: Any) -> FundBudget:
    """Propose the budget of ``fund`` for ``year``; it takes effect once another officer approves."""
    _fund_in_scope(actor, fund)
    year, amount = _year(year), _amount(amount)
    budget = FundBudget.objects.select_for_update().filter(fund=fund, year=year).first()
    if budget is None:
        budget = FundBudget(organization=fund.organization, fund=fund, year=year)
    budget.proposed_amount = amount
    budget.proposed_by = user_or_none(actor)
    budget.proposed_at = timezone.now()
    budget.full_clean(exclude=["organization", "fund", "approved_by", "proposed_by"])
    budget.save()
    audit_record(
        actor=actor,
        action="innovation.fund_budget_propose",
        obj=budget,
        organization=fund.organization,
        details={"fund": fund.code, "year": year, "amount": f"{amount:.2f}"},
    )
    return budget


def _locked(actor: Any, budget: FundBudget) -> FundBudget:
    budget = FundBudget.objects.select_for_update().select_related("fund").get(pk=budget.pk)
    _fund_in_scope(actor, budget.fund)
    if budget.proposed_amount is None:
        raise ConflictError(_("No budget waits for approval."), code="nothing_proposed")
    return budget


@audited_refusals
@transaction.atomic
def fund_budget_approve(*, actor: Any, budget: FundBudget) -> FundBudget:
    budget = _locked(actor, budget)
    if same_person(actor, budget.proposed_by_id):
        raise DutyConflict(
            _("You proposed this budget; another officer approves it."),
            action="innovation.fund_budget_approve",
            obj=budget,
            organization=budget.organization,
            reason="proposed_by",
        )
    used = budget_used(fund=budget.fund, year=budget.year)
    if budget.proposed_amount < used:
        raise ConflictError(
            _("The budget cannot be less than the %(used)s yuan already paid in %(year)s.")
            % {"used": f"{used:.2f}", "year": budget.year},
            code="budget_below_used",
            details=[{"field": "amount", "error": "budget_below_used"}],
        )
    before = budget.amount
    budget.amount = budget.proposed_amount
    budget.approved_by = user_or_none(actor)
    budget.approved_at = timezone.now()
    budget.proposed_amount = None
    budget.save()
    audit_record(
        actor=actor,
        action="innovation.fund_budget_approve",
        obj=budget,
        organization=budget.organization,
        details={
            "fund": budget.fund.code,
            "year": budget.year,
            "amount": [None if before is None else f"{before:.2f}", f"{budget.amount:.2f}"],
            "proposed_by": budget.proposed_by_id,
        },
    )
    return budget


@transaction.atomic
def fund_budget_reject(*, actor: Any, budget: FundBudget, reason: str = "") -> FundBudget:
    """Withdraw one's own proposal, or reject another's with a reason; the approved amount stays."""
    budget = _locked(actor, budget)
    own = same_person(actor, budget.proposed_by_id)
    reason = (reason or "").strip()
    if not own and not reason:
        raise field_error("reason", _("Give the reason for rejecting."), "required", status=422)
    if len(reason) > 500:
        raise field_error("reason", _("At most 500 characters."), "too_long", status=422)
    proposed = budget.proposed_amount
    budget.proposed_amount = None
    budget.save()
    audit_record(
        actor=actor,
        action="innovation.fund_budget_withdraw" if own else "innovation.fund_budget_reject",
        obj=budget,
        organization=budget.organization,
        details={
            "fund": budget.fund.code,
            "year": budget.year,
            "amount": f"{proposed:.2f}",
            "reason": reason,
        },
    )
    return budget


class BudgetGuard:
    """Inside a payment's transaction: ``guard = BudgetGuard(fund)`` before the ledger is touched
    (locks the year's budget row), ``guard.check()`` after the debits (refuses the overshoot)."""

    def __init__(self, fund: Fund | None, year: int | None = None) -> None:
        self.fund = fund
        self.year = year or payment_year()
        self.budget = (
            FundBudget.objects.select_for_update().filter(fund=fund, year=self.year).first()
            if fund is not None
            else None
        )
        self.used_before = (
            budget_used(fund=fund, year=self.year)
            if fund is not None and self.budget is not None
            else ZERO
        )

    def check(self) -> None:
        budget = self.budget
        if self.fund is None or budget is None or budget.amount is None:
            return
        used = budget_used(fund=self.fund, year=self.year)
        if used <= budget.amount or used <= self.used_before:
            return
        remaining = max(budget.amount - self.used_before, ZERO)
        paying = used - self.used_before
        raise ConflictError(
            _(
                "Paying %(amount)s yuan would exceed the %(year)s budget of the fund "
                "“%(fund)s”: the budget is %(budget)s yuan, %(remaining)s yuan of it remain."
            )
            % {
                "amount": f"{paying:.2f}",
                "year": self.year,
                "fund": self.fund.name,
                "budget": f"{budget.amount:.2f}",
                "remaining": f"{remaining:.2f}",
            },
            code="over_budget",
            details=[
                {
                    "field": "fund",
                    "error": "over_budget",
                    "year": self.year,
                    "budget": f"{budget.amount:.2f}",
                    "remaining": f"{remaining:.2f}",
                    "amount": f"{paying:.2f}",
                }
            ],
        )


# ------------------------------------------------------------------------------------------ reads
def reward_funds(*, actor: Any) -> Any:
    """Funds of the viewer's scope that pay innovation awards or revenue shares, or have a budget."""
    from django.db.models import Q

    from .models import AwardRound, RevenueScheme

    return (
        Fund.objects.visible_to(actor, VIEW)
        .filter(
            Q(pk__in=AwardRound.objects.values("fund_id"))
            | Q(pk__in=RevenueScheme.objects.values("fund_id"))
            | Q(pk__in=FundBudget.objects.values("fund_id"))
        )
        .select_related("organization")
        .order_by("organization__path", "name", "id")
    )


def reward_fund_get(*, actor: Any, code: str) -> Fund:
    from django.http import Http404

    fund = reward_funds(actor=actor).filter(code=code).first()
    if fund is None:
        raise Http404("fund")
    return fund


def budget_rows(*, fund: Fund) -> list[dict[str, Any]]:
    """Each budgeted year of the fund with what it used and what remains (newest first)."""
    rows = []
    for b in FundBudget.objects.filter(fund=fund).select_related("proposed_by", "approved_by"):
        used = budget_used(fund=fund, year=b.year)
        rows.append(
            {
                "budget": b,
                "year": b.year,
                "amount": b.amount,
                "used": used,
                "remaining": None if b.amount is None else b.amount - used,
                "proposed_amount": b.proposed_amount,
                "proposed_by": b.proposed_by,
            }
        )
    return rows


def year_summary(*, fund: Fund, year: int) -> dict[str, Any]:
    budget = FundBudget.objects.filter(fund=fund, year=year).first()
    used = budget_used(fund=fund, year=year)
    amount = budget.amount if budget else None
    return {
        "year": year,
        "amount": amount,
        "used": used,
        "remaining": None if amount is None else amount - used,
    }
