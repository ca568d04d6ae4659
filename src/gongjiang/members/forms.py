"""Forms of member services pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm

from .models import Activity
from .models.helpdesk import Category
from .models.stations import Service


class NearForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90)
    lon = forms.FloatField(min_value=-180, max_value=180)
    radius = forms.FloatField(min_value=0.1, max_value=200, required=False)
    all = forms.BooleanField(required=False)


class StationFeedbackForm(forms.Form):
    kind = forms.ChoiceField(choices=[("rating", _("rating")), ("problem", _("problem report"))])
    stars = forms.IntegerField(label=_("stars"), min_value=1, max_value=5, required=False)
    text = forms.CharField(
        label=_("text"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StationForm(BootstrapForm):
    name = forms.CharField(label=_("station name"), max_length=120)
    region = forms.CharField(label=_("region code"), max_length=6, min_length=6)
    address = forms.CharField(label=_("address"), max_length=200)
    latitude = forms.DecimalField(
        label=_("latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    services = forms.MultipleChoiceField(
        label=_("services"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekdays = forms.CharField(
        label=_("weekday hours"),
        max_length=20,
        required=False,
        help_text=_("e.g. 08:00-20:00; empty: closed"),
    )
    weekends = forms.CharField(label=_("weekend hours"), max_length=20, required=False)
    holidays = forms.CharField(label=_("holiday hours"), max_length=20, required=False)
    contact = forms.CharField(label=_("contact person"), max_length=60, required=False)
    phone = forms.CharField(label=_("telephone"), max_length=30, required=False)


class ActivityForm(BootstrapForm, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "title", "description", "place", "starts_at", "ends_at", "capacity"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class HelpForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    subject = forms.CharField(label=_("subject"), max_length=200)
    text = forms.CharField(
        label=_("what happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    region = forms.CharField(
        label=_("region code where you work"),
        max_length=6,
        required=False,
        help_text=_("Only needed when your employer has no union."),
    )


class HelpReplyForm(forms.Form):
    text = forms.CharField(
        label=_("text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal = forms.BooleanField(
        label=_("internal note (the worker does not see it)"), required=False
    )


class CampaignForm(BootstrapForm):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_at = forms.DateTimeField(
        label=_("starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
