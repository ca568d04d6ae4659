from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Organization

from .models import Finding, MilestoneType, PlanItem

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def org_field(label: Any, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label, queryset=Organization.objects.none(), to_field_name="code", required=required
    )


class OrgChoicesMixin:
    """Set the organisation choice fields' querysets from ``organizations=``."""

    org_fields: tuple[str, ...] = ()

    def set_orgs(self, organizations: Any) -> None:
        for name in self.org_fields:
            if name in self.fields and organizations is not None:  # type: ignore[attr-defined]
                self.fields[name].queryset = organizations  # type: ignore[attr-defined]


class PlanForm(OrgChoicesMixin, BootstrapForm):
    org_fields = ("organization",)
    organization = org_field(pgettext_lazy("reform", "owner"))
    title = forms.CharField(label=pgettext_lazy("reform", "title"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("reform", "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    issued_on = forms.DateField(label=_("issued on"), required=False, **DATE)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_orgs(organizations)


class DeriveForm(OrgChoicesMixin, BootstrapForm):
    org_fields = ("organization",)
    organization = org_field(_("owner of the new plan"))
    title = forms.CharField(label=pgettext_lazy("reform", "title"), max_length=200)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_orgs(organizations)


class ItemForm(OrgChoicesMixin, BootstrapForm):
    org_fields = ("lead_unit", "cooperating_units")
    kind = forms.ChoiceField(label=pgettext_lazy("reform", "kind"), choices=PlanItem.Kind.choices)
    title = forms.CharField(label=pgettext_lazy("reform", "title"), max_length=300)
    description = forms.CharField(
        label=pgettext_lazy("reform", "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    implements = forms.ModelChoiceField(
        label=_("implements (item of the parent plan)"),
        required=False,
        queryset=PlanItem.objects.none(),
        to_field_name="code",
    )
    lead_unit = org_field(_("lead unit"), required=False)
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("cooperating units"),
        required=False,
        queryset=Organization.objects.none(),
        to_field_name="code",
    )
    owner = forms.CharField(
        label=_("responsible person"),
        required=False,
        max_length=150,
        help_text=_("User name of a person in the plan owner's or the lead unit's organizations."),
    )
    start = forms.DateField(label=pgettext_lazy("reform", "start"), required=False, **DATE)
    deadline = forms.DateField(label=pgettext_lazy("reform", "deadline"), required=False, **DATE)
    year = forms.IntegerField(
        label=pgettext_lazy("reform", "year"), required=False, min_value=2000, max_value=2100
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("reform", "status"), choices=PlanItem.Status.choices
    )
    report_cycle = forms.ChoiceField(
        label=_("report cycle"), choices=PlanItem.Cycle.choices, initial=PlanItem.Cycle.QUARTERLY
    )
    tags = forms.CharField(
        label=_("tags"), required=False, max_length=300, help_text=_("Separated by commas.")
    )
    remarks = forms.CharField(label=_("remarks"), required=False, max_length=300)

    def __init__(
        self, *args: Any, organizations: Any = None, parent_items: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_orgs(organizations)
        if parent_items is not None:
            self.fields["implements"].queryset = parent_items
        else:
            del self.fields["implements"]

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.replace("，", ",").split(",") if t.strip()][:20]


class ReportForm(BootstrapForm):
    period = forms.CharField(
        label=pgettext_lazy("reform", "period"),
        max_length=7,
        help_text=_("2018-06 (monthly) or 2018-Q2 (quarterly)"),
    )
    percent = forms.IntegerField(label=_("percent done"), min_value=0, max_value=100)
    text = forms.CharField(
        label=pgettext_lazy("reform", "progress"), widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label=pgettext_lazy("reform", "problems"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_steps = forms.CharField(
        label=_("next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(label=_("evidence file"), required=False)


class ReviewForm(BootstrapForm):
    comment = forms.CharField(
        label=pgettext_lazy("reform", "comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(BootstrapForm):
    file = forms.FileField(label=_("evidence file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["aria-label"] = self.fields["file"].label


class MilestoneForm(BootstrapForm):
    title = forms.CharField(label=pgettext_lazy("reform", "milestone"), max_length=200)
    due = forms.DateField(label=pgettext_lazy("reform", "due"), **DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # shown inline, without labels
            field.widget.attrs.update({"aria-label": field.label, "placeholder": field.label})


class InspectionForm(OrgChoicesMixin, BootstrapForm):
    org_fields = ("organization", "visited")
    organization = org_field(_("inspecting body"))
    title = forms.CharField(label=pgettext_lazy("reform", "title"), max_length=200)
    scope = forms.CharField(
        label=pgettext_lazy("reform", "scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    start = forms.DateField(label=pgettext_lazy("reform", "start"), **DATE)
    end = forms.DateField(label=pgettext_lazy("reform", "end"), **DATE)
    team_note = forms.CharField(label=_("team members (names)"), required=False, max_length=300)
    visited = forms.ModelMultipleChoiceField(
        label=_("organizations visited"), queryset=Organization.objects.none(), to_field_name="code"
    )

    def __init__(
        self, *args: Any, organizations: Any = None, visitable: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_orgs(organizations)
        if visitable is not None:
            self.fields["visited"].queryset = visitable


class FindingForm(BootstrapForm):
    organization = org_field(pgettext_lazy("reform", "organization"))
    severity = forms.ChoiceField(
        label=pgettext_lazy("reform", "severity"),
        choices=Finding.Severity.choices,
        initial="problem",
    )
    text = forms.CharField(label=_("finding"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class RectificationForm(BootstrapForm):
    title = forms.CharField(label=_("rectification"), max_length=300)
    deadline = forms.DateField(label=pgettext_lazy("reform", "deadline"), **DATE)


class ResponseForm(BootstrapForm):
    response = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(OrgChoicesMixin, BootstrapForm):
    org_fields = ("organization",)
    organization = org_field(_("issued by"))
    target = org_field(pgettext_lazy("reform", "to"))
    title = forms.CharField(label=pgettext_lazy("reform", "title"), max_length=200)
    body = forms.CharField(
        label=pgettext_lazy("reform", "request"), widget=forms.Textarea(attrs={"rows": 4})
    )
    reply_deadline = forms.DateField(label=_("reply by"), **DATE)

    def __init__(
        self, *args: Any, organizations: Any = None, targets: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_orgs(organizations)
        if targets is not None:
            self.fields["target"].queryset = targets


class ReplyForm(BootstrapForm):
    reply = forms.CharField(
        label=pgettext_lazy("reform", "reply"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RolloutForm(BootstrapForm):
    organization = org_field(pgettext_lazy("reform", "organization"))
    milestone_type = forms.ModelChoiceField(
        label=pgettext_lazy("reform", "milestone"),
        queryset=MilestoneType.objects.filter(is_active=True),
        to_field_name="code",
    )
    reached_on = forms.DateField(label=_("reached on"), **DATE)
    # two different things, two different labels (both were “文件”)
    document = forms.CharField(
        label=pgettext_lazy("reform", "document title or number"), required=False, max_length=300
    )
    file = forms.FileField(label=pgettext_lazy("reform", "scanned copy"), required=False)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class BulletinForm(BootstrapForm):
    since = forms.DateField(label=pgettext_lazy("reform", "from"), **DATE)
    until = forms.DateField(label=pgettext_lazy("reform", "to"), **DATE)


class SchemeForm(BootstrapForm):
    name = forms.CharField(label=pgettext_lazy("reform", "name"), max_length=100)
    w_completion = forms.IntegerField(label=_("weight: completion"), min_value=0, max_value=100)
    w_timeliness = forms.IntegerField(label=_("weight: timeliness"), min_value=0, max_value=100)
    w_quality = forms.IntegerField(label=_("weight: report quality"), min_value=0, max_value=100)
    w_findings = forms.IntegerField(
        label=_("weight: inspection findings"), min_value=0, max_value=100
    )
    finding_penalty = forms.IntegerField(
        label=_("points off per open problem"), min_value=0, max_value=100
    )
