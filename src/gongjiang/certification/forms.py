"""Forms of the certification pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm, CodeChoiceField
from gongjiang.core.models import Occupation, Organization, SkillLevel

from .models import BodyKind

LEVELS = ["JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN"]


class VerifyLookupForm(BootstrapForm):
    number = forms.CharField(
        label=_("certificate number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "latin"}),
    )
    name = forms.CharField(
        label=_("holder's full name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def parse_checklist(text: str) -> list[tuple[str, Decimal]]:
    """One item a line: ``title | points`` (also a full-width ｜ or a tab)."""
    items = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().replace("｜", "|").replace("\t", "|")
        if not line:
            continue
        title, sep, points = line.rpartition("|")
        if not sep or not title.strip():
            raise forms.ValidationError(_("Line %(n)d: write “item | points”.") % {"n": n})
        try:
            value = Decimal(points.strip())
        except InvalidOperation as exc:
            raise forms.ValidationError(
                _("Line %(n)d: the points are not a number.") % {"n": n}
            ) from exc
        items.append((title.strip(), value))
    return items


class PlanForm(BootstrapForm):
    organization = forms.ModelChoiceField(
        label=_("evaluation body"), queryset=Organization.objects.none(), to_field_name="code"
    )
    name = forms.CharField(label=_("name"), max_length=200)
    occupation = CodeChoiceField(
        Occupation,
        label=_("occupation code"),
        max_length=20,
        help_text=_("Code of 职业分类大典 (2022), e.g. 6-18-02-04 焊工"),
    )
    level = forms.ModelChoiceField(
        label=_("skill level"), queryset=SkillLevel.objects.filter(code__in=LEVELS)
    )
    body_kind = forms.ChoiceField(label=_("kind of evaluation body"), choices=BodyKind.choices)
    body_code = forms.RegexField(
        label=_("evaluation body code"),
        regex=r"^\d{4}$",
        max_length=4,
        help_text=_(
            "Four digits (characters 2–5 of the certificate number): the code the ministry "
            "assigned, or 0000 for a body filed with the provincial department."
        ),
    )
    province_code = forms.RegexField(
        label=_("province code"),
        regex=r"^\d{2}$",
        max_length=2,
        help_text=_("Two digits, e.g. 32 for 江苏."),
    )
    site_code = forms.RegexField(
        label=_("evaluation site code"),
        regex=r"^\d{6}$",
        max_length=6,
        help_text=_(
            "Six digits (characters 8–13 of the certificate number), assigned by the provincial "
            "department."
        ),
    )
    has_theory = forms.BooleanField(label=_("theory exam"), required=False, initial=True)
    has_practical = forms.BooleanField(
        label=_("practical assessment"), required=False, initial=True
    )
    has_review = forms.BooleanField(
        label=_("review of work results (综合评审)"),
        required=False,
        help_text=_("Always included for 技师 and 高级技师."),
    )
    theory_pass = forms.DecimalField(
        label=_("theory pass mark"), min_value=0, max_value=100, initial=60
    )
    practical_pass = forms.DecimalField(
        label=_("practical pass mark"), min_value=0, max_value=100, initial=60
    )
    review_pass = forms.DecimalField(
        label=_("review pass mark"), min_value=0, max_value=100, initial=60
    )
    starts_on = forms.DateField(
        label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    validity_years = forms.IntegerField(
        label=_("validity (years)"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Leave empty for certificates valid without a time limit."),
    )
    exam_session_code = forms.CharField(
        label=_("theory exam session code"), max_length=40, required=False
    )
    checklist = forms.CharField(
        label=_("practical checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item a line: item | points, e.g. 焊缝外观 | 30"),
    )

    def __init__(
        self, *args: Any, organizations: Any = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            organizations if organizations is not None else Organization.objects.none()
        )
        if editing:
            del self.fields["organization"]

    def clean_checklist(self) -> list[tuple[str, Decimal]]:
        return parse_checklist(self.cleaned_data.get("checklist", ""))


class RevokeForm(BootstrapForm):
    reason = forms.CharField(label=_("reason for revocation"), max_length=200)
