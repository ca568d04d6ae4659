"""Page forms of the competitions app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm, CodeChoiceField
from gongjiang.core.models import Occupation, Organization, SkillLevel

from .models import Competition


class CompetitionForm(BootstrapForm):
    organization = forms.ModelChoiceField(
        label=_("organiser"), queryset=Organization.objects.none()
    )
    name = forms.CharField(label=_("name"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=1949, max_value=2100)
    level = forms.ChoiceField(label=_("level"), choices=Competition.Level.choices)
    klass = forms.ChoiceField(label=_("class"), choices=Competition.Klass.choices)
    theory_weight = forms.DecimalField(
        label=_("theory weight"),
        min_value=0,
        max_value=1,
        initial="0.3",
        help_text=_("Total = theory × w + practical × (1 − w); 0.3 is the national 3:7."),
    )
    scaler = forms.ChoiceField(
        label=_("standardisation"),
        choices=[("none", _("none")), ("worldskills", _("WorldSkills (median 700)"))],
    )
    blind_judging = forms.BooleanField(
        label=_("blind judging"),
        required=False,
        initial=True,
        help_text=_(
            "Judges see entrants only by their draw number until the stage's results are published."
        ),
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class TradeForm(BootstrapForm):
    name = forms.CharField(label=_("trade"), max_length=100)
    occupation = CodeChoiceField(Occupation, label=_("occupation code"), max_length=20)
    skill_level = forms.ModelChoiceField(
        label=_("level assessed"), queryset=SkillLevel.objects.all()
    )
    min_age = forms.IntegerField(label=_("minimum age"), required=False, min_value=16, max_value=70)
    max_age = forms.IntegerField(label=_("maximum age"), required=False, min_value=16, max_value=70)
    excluded_titles = forms.CharField(
        label=_("excluded previous titles"),
        required=False,
        help_text=_("Separate several with commas, e.g. 全国技术能手"),
    )


class StageForm(BootstrapForm):
    order = forms.IntegerField(label=_("order"), min_value=1, max_value=20)
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(
        label=_("run by organisations of kind"), choices=Organization.Kind.choices
    )
    start_date = forms.DateField(
        label=_("start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("end date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("reason"), max_length=300)
