"""Page forms of the innovation award."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm

from .models import GRADES


class AwardRoundForm(BootstrapForm):
    organization = forms.ModelChoiceField(label=_("organiser"), queryset=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("title of the round"), max_length=200)
    bands = forms.CharField(
        label=_("last rank of each grade"),
        max_length=40,
        initial="1,3,6,10",
        help_text=_("一等奖, 二等奖, 三等奖, 优秀奖: the last rank of each, e.g. 1,3,6,10"),
    )
    notice_days = forms.IntegerField(
        label=_("working days of the public notice"), min_value=1, max_value=30, initial=5
    )
    fund = forms.ModelChoiceField(label=_("reward fund"), queryset=None, required=False)

    def __init__(self, *args: Any, orgs: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs
        self.fields["fund"].queryset = funds
        for i, grade in enumerate(GRADES):
            self.fields[f"amount_{i}"] = forms.DecimalField(
                label=_("reward for %(grade)s (yuan)") % {"grade": grade},
                max_digits=14,
                decimal_places=2,
                min_value=0,
                required=False,
            )
            self.fields[f"amount_{i}"].widget.attrs["class"] = "form-control"

    def clean_bands(self) -> list[int]:
        try:
            bands = [int(x) for x in self.cleaned_data["bands"].replace("，", ",").split(",")]
        except ValueError as exc:
            raise forms.ValidationError(_("Four whole numbers separated by commas.")) from exc
        if len(bands) != 4 or bands != sorted(bands) or bands[0] < 1:
            raise forms.ValidationError(_("Four increasing whole numbers from 1."))
        return bands

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["grade_amounts"] = {
            g: data[f"amount_{i}"]
            for i, g in enumerate(GRADES)
            if data.get(f"amount_{i}") not in (None, Decimal(0))
        }
        return data


class QuotaForm(BootstrapForm):
    organization = forms.ChoiceField(label=_("unit"))
    quota = forms.IntegerField(label=_("quota"), min_value=0, max_value=1000)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.code, o.name) for o in orgs]


class NominateForm(BootstrapForm):
    unit = forms.ChoiceField(label=_("nominating unit"))
    result = forms.ChoiceField(label=_("result"))
    spread = forms.BooleanField(
        label=_("spread to other units"),
        required=False,
        help_text=_("The result has been adopted by other enterprises (推广应用)."),
    )

    def __init__(self, *args: Any, units: list[Any], results: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            (q.organization.code, f"{q.organization.name}（{q.quota}）") for q in units
        ]
        self.fields["result"].choices = [(r.code, r.title) for r in results]


class PanelAddForm(BootstrapForm):
    username = forms.CharField(label=_("user name of the expert"), max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.urls import reverse

        # the scoped user picker (core.pickers): only users the manager's roles cover
        self.fields["username"].widget.attrs.update(
            {
                "data-picker": reverse("core:pick", args=["users"]),
                "list": "pick-panel-user",
                "autocomplete": "off",
                "placeholder": _("search an expert"),
            }
        )
