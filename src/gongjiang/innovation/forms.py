"""Page forms of the innovation app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm, CodeChoiceField
from gongjiang.core.models import Occupation

from .models import Patent, Result
from .patents import normalise_patent_number
from .split import HUNDRED

TEAM_ROWS = 6


class ResultForm(BootstrapForm):
    """A result with up to six team members (worker and contribution share) and one patent."""

    kind = forms.ChoiceField(label=_("kind of result"), choices=Result.Kind.choices)
    title = forms.CharField(label=_("title of the result"), max_length=200)
    method_name = forms.CharField(
        label=_("name of the operating method"),
        max_length=60,
        required=False,
        help_text=_("An advanced operating method is named after its worker, e.g. 李斌操作法."),
    )
    problem = forms.CharField(
        label=_("problem"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    solution = forms.CharField(
        label=_("solution"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    occupation = CodeChoiceField(
        Occupation,
        label=_("occupation code"),
        max_length=20,
        required=False,
        help_text=_("Code of the occupation classification, e.g. 6-18-02-04"),
    )
    started_on = forms.DateField(
        label=_("started on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    completed_on = forms.DateField(
        label=_("completed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    patent_number = forms.CharField(
        label=_("patent number"),
        max_length=30,
        required=False,
        help_text=_("ZL or CN, 12 digits, a point and the check character, e.g. ZL201710601862.3"),
    )
    patent_status = forms.ChoiceField(
        label=_("patent status"), choices=Patent.Status.choices, required=False
    )
    publish_consent = forms.BooleanField(
        label=_("the team agrees to show it publicly"),
        required=False,
        help_text=_("Only names and the employer are shown, once the result is adopted."),
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {w.code: w for w in candidates}
        choices = [("", "—")] + [
            (w.code, f"{w.name} {w.employee_number}".strip()) for w in candidates
        ]
        for i in range(1, TEAM_ROWS + 1):
            self.fields[f"member_{i}"] = forms.ChoiceField(
                label=_("team member %(n)s") % {"n": i}, choices=choices, required=i == 1
            )
            self.fields[f"contribution_{i}"] = forms.DecimalField(
                label=_("contribution (%%) of member %(n)s") % {"n": i},
                max_digits=5,
                decimal_places=2,
                min_value=Decimal("0.01"),
                max_value=HUNDRED,
                required=i == 1,
            )
            for name in (f"member_{i}", f"contribution_{i}"):
                css = "form-select" if name.startswith("member") else "form-control"
                self.fields[name].widget.attrs["class"] = css

    def team_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"member_{i}"], self[f"contribution_{i}"]) for i in range(1, TEAM_ROWS + 1)]

    def main_fields(self) -> list[Any]:
        return [f for f in self if not f.name.startswith(("member_", "contribution_"))]

    def clean_patent_number(self) -> str:
        value = self.cleaned_data.get("patent_number", "")
        return normalise_patent_number(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        members = []
        for i in range(1, TEAM_ROWS + 1):
            code, share = data.get(f"member_{i}"), data.get(f"contribution_{i}")
            if code and share is None:
                self.add_error(f"contribution_{i}", _("Give this member's contribution."))
            elif share is not None and not code:
                self.add_error(f"member_{i}", _("Choose the worker of this contribution."))
            elif code:
                members.append((self.candidates[code], share))
        total = sum((s for _w, s in members), Decimal(0))
        if members and total != HUNDRED:
            raise ValidationError(
                _("The contributions add up to %(total)s %%, not 100 %%.") % {"total": total}
            )
        data["members"] = members
        return data


class ReviewForm(BootstrapForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("adopt", _("adopt")), ("reject", _("do not adopt"))],
    )
    reason = forms.CharField(
        label=_("reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImplementForm(BootstrapForm):
    on = forms.DateField(label=_("implemented on"), widget=forms.DateInput(attrs={"type": "date"}))


class EffectForm(BootstrapForm):
    savings = forms.DecimalField(
        label=_("yearly savings (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    output = forms.CharField(label=_("effect on output"), max_length=300, required=False)
    quality = forms.CharField(label=_("effect on quality"), max_length=300, required=False)
    safety = forms.CharField(label=_("effect on safety"), max_length=300, required=False)
