"""Page forms of the congress app (the services validate again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm

from .models_affairs import AffairsNotice
from .models_proposals import Category, Outcome, Rating


class ProposalForm(BootstrapForm):
    title = forms.CharField(label=_("title"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    reasons = forms.CharField(
        label=_("reasons"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    measures = forms.CharField(
        label=_("suggested measures"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class DecisionForm(BootstrapForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("accept", _("accept (立案)")),
            ("merge", _("merge with another proposal")),
            ("convert", _("turn into a suggestion")),
        ],
    )
    into = forms.ChoiceField(label=_("merge into"), required=False, choices=[])
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)

    def __init__(self, *args: Any, others: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", "—")] + [
            (p.code, f"{p.number} {p.title}") for p in others
        ]


class AssignForm(BootstrapForm):
    lead = forms.ChoiceField(label=_("lead department"))
    cooperating = forms.MultipleChoiceField(
        label=_("cooperating departments"), required=False, choices=[]
    )
    due = forms.DateField(
        label=_("reply due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(d.code, d.name) for d in departments]
        self.fields["lead"].choices = choices
        self.fields["cooperating"].choices = choices


class ReplyForm(BootstrapForm):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)
    text = forms.CharField(
        label=_("reply"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    plan_date = forms.DateField(
        label=_("to be done by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RateForm(BootstrapForm):
    rating = forms.ChoiceField(label=_("rating"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("comment"), max_length=500, required=False)


class SuggestionForm(BootstrapForm):
    title = forms.CharField(label=_("title"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    body = forms.CharField(
        label=_("text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )


class SuggestionReplyForm(BootstrapForm):
    text = forms.CharField(
        label=_("reply"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class NoticeForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("kind"), choices=AffairsNotice.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(
        label=_("text"), max_length=50000, widget=forms.Textarea(attrs={"rows": 6})
    )
    organization = forms.ChoiceField(label=_("published by"))

    def __init__(self, *args: Any, organizations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.code, o.name) for o in organizations]
