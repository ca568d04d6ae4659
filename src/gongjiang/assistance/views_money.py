"""Pages of standards, re-assessments, support lines, funds, campaigns and reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes, xlsx_response
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from, page

from . import selectors, support
from .budgets import budget_rows, budget_set
from .forms import BudgetForm, CampaignForm, CreditForm, FundForm, StandardForm, VisitForm
from .models import Category, HardshipFile, Reassessment, SupportLine
from .standards import STANDARDS, reassessment_review, standard_add


def _home_org(user: object) -> Organization | None:
    """The organisation of the user's first assistance role (where new lines, funds and campaigns
    belong)."""
    paths = access.scope_paths(user, selectors.VIEW)
    if not paths:
        return None
    return Organization.objects.filter(path=paths[0]).first()


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    may_add = access.can(request.user, STANDARDS)
    form = StandardForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            raise Http404("standards")
        if form.is_valid():
            try:
                standard_add(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request,
                    _("The standard was added; files it changes are listed for review."),
                )
                return redirect("assistance:standard_list")
    return render(
        request,
        "assistance/standard_list.html",
        {"page_obj": page(request, selectors.standards()), "form": form},
    )


@login_required
def reassessment_list(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    qs = selectors.reassessments(actor=request.user).filter(status=Reassessment.Status.PENDING)
    return render(request, "assistance/reassessment_list.html", {"page_obj": page(request, qs)})


@login_required
@require_POST
def reassessment_act(request: HttpRequest, code: str) -> HttpResponse:
    item = access.get_visible_or_404(
        Reassessment.objects.select_related("file"), request.user, code=code
    )
    try:
        reassessment_review(actor=request.user, item=item, apply=request.POST.get("apply") == "1")
        messages.success(request, _("Reviewed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("assistance:reassessment_list")


@login_required
def line_list(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    org = _home_org(request.user)
    may_setup = org is not None and access.can(request.user, support.SUPPORT, org)
    if request.method == "POST":
        if not may_setup:
            raise Http404("lines")
        support.lines_ensure_defaults(actor=request.user, organization=org)
        messages.success(request, _("The default lines are set up."))
        return redirect("assistance:line_list")
    lines = SupportLine.objects.visible_to(request.user).select_related("organization")
    labels = dict(Category.choices)
    rows = [(line, [labels.get(c, c) for c in line.eligible_categories]) for line in lines]
    return render(
        request,
        "assistance/line_list.html",
        {"rows": rows, "org": org, "may_setup": may_setup},
    )


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    funds = list(selectors.funds_for(actor=request.user))
    org = _home_org(request.user)
    may_change = org is not None and access.can(request.user, "core.change_fund", org)
    fund_form = FundForm(request.POST if request.POST.get("form") == "fund" else None)
    credit_form = CreditForm(
        request.POST if request.POST.get("form") == "credit" else None, funds=funds
    )
    year = timezone.localdate().year
    budget_form = BudgetForm(
        request.POST if request.POST.get("form") == "budget" else None,
        funds=funds,
        lines=selectors.lines_for(actor=request.user),
        initial={"year": year},
    )
    if request.method == "POST":
        if not may_change:
            raise Http404("funds")
        try:
            if budget_form.is_bound and budget_form.is_valid():
                data = budget_form.cleaned_data
                budget_set(
                    actor=request.user,
                    fund=selectors.fund_get(actor=request.user, code=data["fund"]),
                    line=selectors.line_get(actor=request.user, code=data["line"]),
                    year=data["year"],
                    amount=data["amount"],
                )
                messages.success(request, _("The budget was set."))
                return redirect("assistance:fund_list")
            if fund_form.is_bound and fund_form.is_valid():
                fund_create(
                    actor=request.user, organization=org, name=fund_form.cleaned_data["name"]
                )
                messages.success(request, _("The fund was created."))
                return redirect("assistance:fund_list")
            if credit_form.is_bound and credit_form.is_valid():
                fund = selectors.fund_get(actor=request.user, code=credit_form.cleaned_data["fund"])
                source = dict(CreditForm.SOURCES)[credit_form.cleaned_data["source"]]
                fund_credit(
                    actor=request.user,
                    fund=fund,
                    amount=credit_form.cleaned_data["amount"],
                    reference=credit_form.cleaned_data["reference"],
                    memo=str(source),
                )
                messages.success(request, _("The money was received into the fund."))
                return redirect("assistance:fund_list")
        except ApplicationError as exc:
            bound = [f for f in (budget_form, credit_form) if f.is_bound]
            form_errors_from(exc, bound[0] if bound else fund_form)
    return render(
        request,
        "assistance/fund_list.html",
        {
            "rows": selectors.money_per_fund(actor=request.user, year=year),
            "year": year,
            "may_change": may_change,
            "fund_form": fund_form,
            "credit_form": credit_form if funds else None,
            "budget_form": budget_form if funds else None,
            "budgets": budget_rows(actor=request.user, year=year),
        },
    )


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    org = _home_org(request.user)
    may_create = org is not None and access.can(request.user, support.SUPPORT, org)
    funds = list(selectors.funds_for(actor=request.user))
    form = CampaignForm(
        request.POST or None, funds=funds, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST":
        if not may_create:
            raise Http404("campaigns")
        if form.is_valid():
            try:
                fund = selectors.fund_get(actor=request.user, code=form.cleaned_data["fund"])
                campaign = support.campaign_create(
                    actor=request.user,
                    organization=org,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    year=form.cleaned_data["year"],
                    budget=form.cleaned_data["budget"],
                    fund=fund,
                )
            except ApplicationError as exc:
                form_errors_from(exc, form)
            else:
                return redirect("assistance:campaign_detail", campaign.code)
    return render(
        request,
        "assistance/campaign_list.html",
        {
            "page_obj": page(request, selectors.campaigns(actor=request.user)),
            "form": form if may_create and funds else None,
        },
    )


@login_required
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, code=code)
    may_visit = access.can(request.user, support.SUPPORT, campaign.organization)
    households = (
        selectors.files(actor=request.user)
        .filter(
            status=HardshipFile.Status.FILED,
            organization__path__startswith=campaign.organization.path,
        )
        .exclude(visits__campaign=campaign)
        .order_by("organization__path", "id")[:500]
    )
    form = VisitForm(request.POST or None, request.FILES or None, files_choices=households)
    if request.method == "POST":
        if not may_visit:
            raise Http404("campaign")
        if form.is_valid():
            file = selectors.file_get(actor=request.user, code=form.cleaned_data["file"])
            try:
                support.visit_record(
                    actor=request.user,
                    campaign=campaign,
                    file=file,
                    gift=form.cleaned_data["gift"],
                    amount=form.cleaned_data["amount"] or "0",
                    visited_on=form.cleaned_data["visited_on"],
                    receipt=form.cleaned_data.get("receipt"),
                )
            except ApplicationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The visit was recorded."))
                return redirect("assistance:campaign_detail", campaign.code)
    spent = support.campaign_spent(campaign)
    return render(
        request,
        "assistance/campaign_detail.html",
        {
            "campaign": campaign,
            "page_obj": page(request, selectors.visits(actor=request.user, campaign=campaign)),
            "spent": spent,
            "left": campaign.budget - spent,
            "form": form if may_visit else None,
        },
    )


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    year = _year(request)
    labels = dict(Category.choices)
    by_category = selectors.support_by(actor=request.user, year=year, field="category")
    for row in by_category:
        row["key"] = labels.get(row["key"], row["key"])
    return render(
        request,
        "assistance/reports.html",
        {
            "year": year,
            "board": selectors.dashboard(actor=request.user),
            "tables": [
                (
                    _("By support line"),
                    selectors.support_by(actor=request.user, year=year, field="line"),
                ),
                (
                    _("By region"),
                    selectors.support_by(actor=request.user, year=year, field="region"),
                ),
                (_("By category"), by_category),
            ],
            "funds": selectors.money_per_fund(actor=request.user, year=year),
            "budgets": budget_rows(actor=request.user, year=year),
        },
    )


@login_required
def reports_export(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    year = _year(request)
    labels = dict(Category.choices)
    header = [_("group"), _("households"), _("records"), _("amount (yuan)")]
    sheets = []
    for title, field in (
        (_("By support line"), "line"),
        (_("By region"), "region"),
        (_("By category"), "category"),
    ):
        rows = selectors.support_by(actor=request.user, year=year, field=field)
        sheets.append(
            (
                title,
                header,
                [
                    [
                        labels.get(r["key"], r["key"]) if field == "category" else r["key"],
                        r["households"],
                        r["records"],
                        r["amount"],
                    ]
                    for r in rows
                ],
            )
        )
    funds = selectors.money_per_fund(actor=request.user, year=year)
    sheets.append(
        (
            _("Funds"),
            [
                _("fund"),
                _("organisation"),
                _("received (yuan)"),
                _("spent (yuan)"),
                _("balance (yuan)"),
            ],
            [
                [
                    r["fund"].name,
                    r["fund"].organization.name,
                    r["received"],
                    r["spent"],
                    r["balance"],
                ]
                for r in funds
            ],
        )
    )
    sheets.append(
        (
            _("Budgets"),
            [
                _("fund"),
                _("support line"),
                _("budget (yuan)"),
                _("spent (yuan)"),
                _("left (yuan)"),
            ],
            [
                [r["fund"].name, r["line"].name, r["amount"], r["spent"], r["left"]]
                for r in budget_rows(actor=request.user, year=year)
            ],
        )
    )
    board = selectors.dashboard(actor=request.user)
    sheets.append(
        (
            _("Exit rate"),
            [_("filed"), _("exited"), _("exit rate (%)")],
            [[board["filed"], board["exited"], board["exit_rate"]]],
        )
    )
    audit_record(actor=request.user, action="assistance.report_export", details={"year": year})
    return xlsx_response(xlsx_bytes(sheets), f"帮扶救助统计-{year}.xlsx")
