"""Pages of the reward funds (奖励基金): balance and the yearly budget with what it used and what
remains; officers propose a year's budget, another approves or rejects it. Thin: fund_budgets.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.views import form_errors_from, page

from . import fund_budgets, fund_ledger
from .models_budget import FundBudget

#: ledger entries per page of a fund
LEDGER_PAGE = 50
#: funds per page of the list
FUND_PAGE = 50


class BudgetForm(BootstrapForm):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=gettext_lazy("budget of the year (yuan)"),
        min_value=0,
        max_value=Decimal("999999999999.99"),
        max_digits=14,
        decimal_places=2,
    )


class LedgerFilterForm(forms.Form):
    """The ledger's filters (GET); checked again by ``fund_ledger.filters_clean``."""

    year = forms.IntegerField(
        label=gettext_lazy("year"),
        required=False,
        min_value=fund_budgets.MIN_YEAR,
        max_value=fund_budgets.MAX_YEAR,
    )
    kind = forms.ChoiceField(label=gettext_lazy("kind of entry"), required=False)
    worker = forms.CharField(
        label=gettext_lazy("worker code"), required=False, max_length=fund_ledger.CODE_MAX
    )
    result = forms.CharField(
        label=gettext_lazy("result code"), required=False, max_length=fund_ledger.CODE_MAX
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = fund_ledger.kind_labels()
        self.fields["kind"].choices = [("", _("any kind"))] + [
            (k, labels[k]) for k in fund_ledger.KINDS
        ]

    def filters(self) -> fund_ledger.Filters:
        """The filters when all are valid; none otherwise (the errors are shown at the fields)."""
        if not self.is_valid():
            return fund_ledger.Filters()
        return fund_ledger.filters_clean(**self.cleaned_data)


def _may_view(user: Any) -> bool:
    return access.can(user, fund_budgets.VIEW)


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    if not _may_view(request.user):
        raise PermissionDenied(fund_budgets.VIEW)
    year = fund_budgets.payment_year()
    funds = page(request, fund_budgets.reward_funds(actor=request.user), per_page=FUND_PAGE)
    rows = [{"fund": f, **fund_budgets.year_summary(fund=f, year=year)} for f in funds.object_list]
    return render(
        request,
        "innovation/funds/fund_list.html",
        {"rows": rows, "year": year, "page_obj": funds},
    )


@login_required
def fund_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not _may_view(request.user):
        raise Http404("fund")
    fund = fund_budgets.reward_fund_get(actor=request.user, code=code)
    may_change = access.can(request.user, fund_budgets.CHANGE, fund.organization)
    form = BudgetForm(
        request.POST if request.POST.get("act") == "propose" else None,
        initial={"year": fund_budgets.payment_year()},
    )
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(fund_budgets.CHANGE)
        act = request.POST.get("act", "")
        try:
            if act == "propose":
                if form.is_valid():
                    fund_budgets.fund_budget_propose(
                        actor=request.user, fund=fund, **form.cleaned_data
                    )
                    messages.success(
                        request, _("The budget is proposed; another officer approves it.")
                    )
                    return redirect("innovation:fund_detail", code=fund.code)
            else:
                budget = FundBudget.objects.filter(
                    fund=fund, code=request.POST.get("budget", "")
                ).first()
                if budget is None:
                    raise Http404("budget")
                if act == "approve":
                    fund_budgets.fund_budget_approve(actor=request.user, budget=budget)
                    messages.success(request, _("The budget is approved."))
                elif act == "reject":
                    fund_budgets.fund_budget_reject(
                        actor=request.user,
                        budget=budget,
                        reason=request.POST.get("reason", ""),
                    )
                    messages.success(request, _("The proposed budget is withdrawn or rejected."))
                else:
                    raise Http404("act")
                return redirect("innovation:fund_detail", code=fund.code)
        except ApplicationError as exc:
            if act == "propose":
                form_errors_from(exc, form)
            else:
                messages.error(request, exc.message)
                return redirect("innovation:fund_detail", code=fund.code)
    ledger_form = LedgerFilterForm(request.GET)
    filters = ledger_form.filters()
    ledger = page(
        request,
        fund_ledger.entries(actor=request.user, fund=fund, filters=filters),
        per_page=LEDGER_PAGE,
    )
    return render(
        request,
        "innovation/funds/fund_detail.html",
        {
            "fund": fund,
            "page_obj": ledger,
            "ledger": fund_ledger.lines(actor=request.user, rows=ledger.object_list),
            "ledger_form": ledger_form,
            "filtered": bool(filters.params()),
            "export_query": urlencode({"fund": fund.code, **filters.params()}),
            "rows": fund_budgets.budget_rows(fund=fund),
            "may_change": may_change,
            "form": form,
            "me": request.user.pk,
        },
    )
