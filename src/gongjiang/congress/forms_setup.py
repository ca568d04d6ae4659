"""Page forms to set a congress up: terms with delegations, sessions with agenda items, replying
departments (responders picked with core.pickers) and the per-organisation rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm

from .models import AgendaItem, CongressRules, Term
from .services import RULE_FIELDS
from .sources import RULE_SOURCES


def picker(kind: str, list_id: str, placeholder: str) -> forms.TextInput:
    """A text input searched by core.pickers (``static/gongjiang/picker.js``): it holds the code
    (an organisation's code, a user's login name), never a typed name."""
    return forms.TextInput(
        attrs={
            "data-picker": reverse_lazy("core:pick", args=[kind]),
            "list": list_id,
            "autocomplete": "off",
            "placeholder": placeholder,
        }
    )


class TermForm(BootstrapForm):
    organization = forms.CharField(
        label=_("organization"),
        max_length=20,
        widget=picker("organizations", "pick-term-org", _("search an organisation")),
    )
    number = forms.IntegerField(label=_("term number"), min_value=1, max_value=999)
    kind = forms.ChoiceField(label=_("kind"), choices=Term.Kind.choices)
    starts_on = forms.DateField(label=_("term starts"), widget=forms.DateInput({"type": "date"}))
    ends_on = forms.DateField(label=_("term ends"), widget=forms.DateInput({"type": "date"}))
    delegations = forms.CharField(
        label=_("delegations"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One delegation (代表团, usually a workshop) a line."),
    )


class SessionForm(BootstrapForm):
    number = forms.IntegerField(label=_("session number"), min_value=1, max_value=999)
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("date"), widget=forms.DateInput({"type": "date"}))
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    proposals_from = forms.DateField(
        label=_("proposals from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    proposals_until = forms.DateField(
        label=_("proposals until"), required=False, widget=forms.DateInput({"type": "date"})
    )


class AgendaItemForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", "—"), *AgendaItem.Kind.choices]
    )
    title = forms.CharField(label=_("agenda item"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("title") and not data.get("kind"):
            self.add_error("kind", _("Choose the kind of this agenda item."))
        return data


AgendaFormSet = forms.formset_factory(
    AgendaItemForm, extra=4, max_num=50, absolute_max=50, validate_max=True
)


class DepartmentForm(BootstrapForm):
    organization = forms.CharField(
        label=_("organization"),
        max_length=20,
        widget=picker("organizations", "pick-dept-org", _("search an organisation")),
    )
    name = forms.CharField(label=_("name"), max_length=100)
    responder = forms.CharField(
        label=_("responder"),
        max_length=150,
        required=False,
        widget=picker("users", "pick-dept-user", _("search a user")),
    )


class ResponderForm(BootstrapForm):
    responder = forms.CharField(
        label=_("responder"),
        max_length=150,
        widget=picker("users", "pick-responder", _("search a user")),
    )


class RulesForm(forms.ModelForm):
    """The settings of ``CongressRules``; each field's help names its default (the 2012 rules)."""

    class Meta:
        model = CongressRules
        fields = RULE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            default = CongressRules._meta.get_field(name).default
            field.widget.attrs["class"] = "form-control"
            field.widget.attrs["data-default"] = str(default)
            note = _("Default: %(v)s. Source: %(s)s") % {"v": default, "s": RULE_SOURCES[name]}
            field.widget.attrs["data-source"] = str(RULE_SOURCES[name])
            field.help_text = f"{field.help_text} {note}".strip() if field.help_text else note
