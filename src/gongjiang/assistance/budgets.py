"""Fund budgets per year and support line (资金预算), and spending against them.

A budget belongs to the fund's union. Support paid from the fund on the line in the year (its
``SupportRecord.year``, not reversed) is the spending; a payment that would take the spending past
the budget is refused (``support_pay`` locks the budget row first, so of two payments for the last
yuan of a budget exactly one passes). Without a budget for the fund, line and year only the fund's
balance limits payments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.errors import ApplicationError
from gongjiang.core.ledger.models import Fund
from gongjiang.core.ledger.services import money

from .models import ZERO, Budget, SupportLine, SupportRecord

SUPPORT = "assistance.support"
CENT = Decimal("0.01")


def _same_branch(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


@transaction.atomic
def budget_set(*, actor: Any, fund: Fund, line: SupportLine, year: int, amount: Any) -> Budget:
    """Set (or change) the budget of a fund for a line and a year. Not below what is already spent."""
    access.require(actor, SUPPORT, fund.organization)
    if not Fund.objects.visible_to(actor, "core.change_fund").filter(pk=fund.pk).exists():
        raise Http404("fund")
    if not _same_branch(fund.organization.path, line.organization.path):
        raise ApplicationError(
            _("Budget a line of this fund's union, or of a union above or below it."),
            code="wrong_line",
            status=422,
            details=[{"field": "line", "error": "wrong_line"}],
        )
    amount = money(amount, field="amount")
    budget = (
        Budget.objects.select_for_update().filter(fund=fund, line=line, year=year).first()
    ) or Budget(organization=fund.organization, fund=fund, line=line, year=year)
    already = spent_against(fund=fund, line=line, year=year)
    if amount < already:
        raise ApplicationError(
            _("The budget cannot be less than the %(spent)s yuan already paid.")
            % {"spent": f"{already:.2f}"},
            code="budget_below_spent",
            status=409,
            details=[{"field": "amount", "error": "budget_below_spent"}],
        )
    before = budget.amount if budget.pk else None
    budget.amount = amount
    budget.set_by = user_or_none(actor)
    budget.full_clean(exclude=["set_by"])
    budget.save()
    audit_record(
        actor=actor,
        action="assistance.budget_set",
        obj=budget,
        organization=fund.organization,
        details={
            "fund": fund.code,
            "line": line.kind,
            "year": year,
            "amount": [None if before is None else f"{before:.2f}", f"{amount:.2f}"],
        },
    )
    return budget


def spent_against(*, fund: Fund, line: SupportLine, year: int) -> Decimal:
    """Support paid from the fund on the line in the year (reversed payments do not count)."""
    total = SupportRecord.objects.filter(
        fund=fund, line=line, year=year, status=SupportRecord.Status.PAID
    ).aggregate(total=Sum("amount"))["total"]
    return (total or ZERO).quantize(CENT)


def budget_check(*, fund: Fund, line: SupportLine, year: int, amount: Decimal) -> None:
    """Inside the payment's transaction: lock the budget (if any) and refuse to pass it."""
    budget = Budget.objects.select_for_update().filter(fund=fund, line=line, year=year).first()
    if budget is None:
        return
    if spent_against(fund=fund, line=line, year=year) + amount > budget.amount:
        raise ApplicationError(
            _(
                "This payment would exceed the fund's %(year)s budget of %(budget)s yuan for this line."
            )
            % {"year": year, "budget": f"{budget.amount:.2f}"},
            code="over_budget",
            status=409,
            details=[{"field": "fund", "error": "over_budget"}],
        )


def budget_rows(*, actor: Any, year: int) -> list[dict[str, Any]]:
    """Budget against spending for each budget the viewer may see in a year (two queries)."""
    budgets = list(
        Budget.objects.visible_to(actor)
        .filter(year=year)
        .select_related("fund", "line", "organization")
    )
    if not budgets:
        return []
    paid = {
        (r["fund_id"], r["line_id"]): r["total"]
        for r in SupportRecord.objects.filter(
            year=year,
            status=SupportRecord.Status.PAID,
            fund_id__in={b.fund_id for b in budgets},
            line_id__in={b.line_id for b in budgets},
        )
        .values("fund_id", "line_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    rows = []
    for b in budgets:
        spent = (paid.get((b.fund_id, b.line_id)) or ZERO).quantize(CENT)
        rows.append(
            {
                "budget": b,
                "code": b.code,
                "fund": b.fund,
                "line": b.line,
                "year": b.year,
                "amount": b.amount,
                "spent": spent,
                "left": b.amount - spent,
                "share": (spent * 100 / b.amount).quantize(Decimal("0.1")) if b.amount else None,
            }
        )
    return rows
