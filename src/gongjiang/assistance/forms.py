"""Page forms of the assistance app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.forms import BootstrapForm

from .models import Campaign, HardshipFile

MONEY = {"max_digits": 9, "decimal_places": 2, "min_value": Decimal("0")}
PURPOSES = [
    ("review", pgettext_lazy("purpose", "review (审核)")),
    ("visit", pgettext_lazy("purpose", "follow-up visit (回访)")),
    ("statistics", pgettext_lazy("purpose", "statistics (统计)")),
]
CAUSES = [
    ("illness", _("illness")),
    ("disability", _("disability")),
    ("accident", _("accident")),
    ("unemployment", _("unemployment of a member")),
    ("schooling", _("schooling costs")),
    ("disaster", _("disaster")),
]


class MemberForm(BootstrapForm):
    relation = forms.CharField(label=_("relation"), max_length=20, required=False)
    # an <input type="date"> takes only YYYY-MM-DD (the localised 1970/01/01 would show empty)
    birth_date = forms.DateField(
        label=_("birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    monthly_income = forms.DecimalField(label=_("monthly income (yuan)"), required=False, **MONEY)
    works = forms.BooleanField(label=_("works"), required=False)
    health = forms.CharField(label=_("health"), max_length=100, required=False)
    illness_costs_monthly = forms.DecimalField(
        label=_("illness costs a month (yuan)"), required=False, **MONEY
    )


MemberFormSet = formset_factory(MemberForm, extra=2, min_num=1, max_num=20)


class HouseholdForm(BootstrapForm):
    housing = forms.CharField(label=_("housing"), max_length=200, required=False)
    debts = forms.DecimalField(label=_("debts (yuan)"), required=False, **MONEY)
    causes = forms.MultipleChoiceField(
        label=_("causes of hardship"),
        choices=CAUSES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sudden_event = forms.BooleanField(label=_("a sudden event this year"), required=False)
    note = forms.CharField(
        label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApplyForm(HouseholdForm):
    consent = forms.BooleanField(label=_("I give my separate consent (text above)"), required=True)


class OnBehalfForm(ApplyForm):
    worker = forms.CharField(
        label=_("worker"),
        max_length=20,
        help_text=_("Search by name or code, or enter the worker's citizen ID number."),
        widget=forms.TextInput(
            attrs={
                "data-picker": reverse_lazy("core:pick", args=["hardship_workers"]),
                "list": "pick-hardship-worker",
                "autocomplete": "off",
            }
        ),
    )
    field_order = ["worker"]


class FromHelpForm(ApplyForm):
    """Applying on a worker's behalf from their hardship help request: the worker is known."""

    consent = forms.BooleanField(
        label=_("The worker gave their separate consent (text above)"), required=True
    )


def household_from(form: HouseholdForm, members: Any) -> dict[str, Any]:
    rows = []
    for m in members.cleaned_data:
        if not m or not (m.get("relation") or "").strip():
            continue
        rows.append(
            {
                "relation": m["relation"],
                "birth_date": m.get("birth_date"),
                "monthly_income": str(m.get("monthly_income") or "0"),
                "works": bool(m.get("works")),
                "health": m.get("health") or "",
                "illness_costs_monthly": str(m.get("illness_costs_monthly") or "0"),
            }
        )
    data = form.cleaned_data
    return {
        "members": rows,
        "housing": data.get("housing") or "",
        "debts": str(data.get("debts") or "0"),
        "causes": data.get("causes") or [],
        "sudden_event": bool(data.get("sudden_event")),
        "note": data.get("note") or "",
    }


def members_initial(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "relation": m.get("relation", ""),
            "birth_date": m.get("birth_date") or None,
            "monthly_income": m.get("monthly_income"),
            "works": m.get("works"),
            "health": m.get("health", ""),
            "illness_costs_monthly": m.get("illness_costs_monthly"),
        }
        for m in document.get("members", [])
    ]


class PurposeForm(BootstrapForm):
    purpose = forms.ChoiceField(label=_("purpose of viewing"), choices=PURPOSES)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("reason"), max_length=500)


class ExitForm(BootstrapForm):
    reason = forms.ChoiceField(label=_("exit reason"), choices=HardshipFile.ExitReason.choices)
    note = forms.CharField(label=_("exit note"), max_length=500, required=False)


class StandardForm(BootstrapForm):
    region = forms.CharField(label=_("region code (GB/T 2260)"), min_length=6, max_length=6)
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    monthly_minimum = forms.DecimalField(
        label=_("monthly minimum per person"),
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    edge_multiple = forms.DecimalField(
        label=_("edge multiple"),
        max_digits=3,
        decimal_places=2,
        min_value=1,
        max_value=5,
        initial=Decimal("1.50"),
    )
    source = forms.CharField(label=_("source"), max_length=500)


class SupportForm(BootstrapForm):
    line = forms.ChoiceField(label=_("support line"))
    beneficiary = forms.CharField(label=_("beneficiary"), max_length=30, initial="本人")
    amount = forms.DecimalField(label=_("amount (yuan)"), required=False, **MONEY)
    service = forms.CharField(label=_("service"), max_length=300, required=False)
    term = forms.CharField(label=_("term"), max_length=30, required=False)
    outcome = forms.CharField(label=_("outcome"), max_length=300, required=False)

    def __init__(self, *args: Any, lines: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(line.code, line.name) for line in lines]


class PayForm(BootstrapForm):
    fund = forms.ChoiceField(label=_("fund"))

    def __init__(self, *args: Any, funds: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.code, f"{f.name}（{f.balance}）") for f in funds]


class FundForm(BootstrapForm):
    name = forms.CharField(label=_("name"), max_length=120)


class CreditForm(BootstrapForm):
    SOURCES = [
        ("union", _("union funds")),
        ("government", _("government transfer")),
        ("donation", _("donation")),
    ]
    fund = forms.ChoiceField(label=_("fund"))
    source = forms.ChoiceField(label=_("source of the money"), choices=SOURCES)
    amount = forms.DecimalField(
        label=_("amount (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reference = forms.CharField(label=_("voucher number"), max_length=60, required=False)

    def __init__(self, *args: Any, funds: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.code, f.name) for f in funds]


class BudgetForm(BootstrapForm):
    fund = forms.ChoiceField(label=_("fund"))
    line = forms.ChoiceField(label=_("support line"))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("budget (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.00")
    )

    def __init__(self, *args: Any, funds: Any = (), lines: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.code, f.name) for f in funds]
        self.fields["line"].choices = [(x.code, f"{x.name} · {x.organization.name}") for x in lines]


class CampaignForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Campaign.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    budget = forms.DecimalField(
        label=_("budget (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    fund = forms.ChoiceField(label=_("fund"))

    def __init__(self, *args: Any, funds: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.code, f.name) for f in funds]


class VisitForm(BootstrapForm):
    file = forms.ChoiceField(label=_("household visited"))
    gift = forms.CharField(label=_("what was given"), max_length=200)
    amount = forms.DecimalField(label=_("amount (yuan)"), required=False, **MONEY)
    visited_on = forms.DateField(
        label=_("visit date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    receipt = forms.FileField(
        label=_("signed receipt (photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, files_choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].choices = [
            (f.code, f"{f.masked_name} · {f.organization.name}") for f in files_choices
        ]


class DocumentForm(BootstrapForm):
    title = forms.CharField(label=_("title"), max_length=100)
    upload = forms.FileField(label=_("scan"))
