"""Page forms of surveys: a survey, one question of the builder, sending, and the answer form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm

from .models import Dimension, Survey
from .questions import TYPES


class SurveyForm(BootstrapForm):
    organization = forms.ChoiceField(label=_("organizing union"))
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    threshold = forms.IntegerField(
        label=_("smallest group shown"),
        min_value=5,
        max_value=1000,
        required=False,
        help_text=_("Empty: the organisation's setting (10 unless set)."),
    )
    previous = forms.ChoiceField(label=_("previous round"), required=False)
    weight_by = forms.ChoiceField(
        label=_("weight back to the registry by"), choices=Dimension.choices
    )

    def __init__(self, *args: Any, organizations: Any, surveys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.code, o.name) for o in organizations]
        self.fields["previous"].choices = [("", "—")] + [(s.code, s.title) for s in surveys]


class QuestionForm(BootstrapForm):
    type = forms.ChoiceField(label=_("question type"), choices=list(TYPES.items()))
    text = forms.CharField(label=_("question"), max_length=500)
    section = forms.CharField(label=_("section"), max_length=100, required=False)
    required = forms.BooleanField(label=_("answer required"), required=False)
    options = forms.CharField(
        label=_("choices (one a line)"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For single, multiple and ranking questions."),
    )
    rows = forms.CharField(
        label=_("rows (one a line)"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For matrix questions: each row is answered on 1–5."),
    )
    low = forms.CharField(label=_("meaning of 1"), max_length=40, required=False)
    high = forms.CharField(label=_("meaning of 5"), max_length=40, required=False)
    show_if_question = forms.ChoiceField(label=_("ask only if question"), required=False)
    show_if_values = forms.CharField(
        label=_("was answered with (numbers of the choices, e.g. 1,2)"),
        max_length=100,
        required=False,
    )

    def __init__(self, *args: Any, earlier: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earlier = {
            q["key"]: q for q in earlier if q["type"] in ("single", "multiple", "scale")
        }
        self.fields["show_if_question"].choices = [("", "—")] + [
            (k, f"{k} · {q['text'][:40]}") for k, q in self.earlier.items()
        ]

    def question(self, key: str) -> dict[str, Any]:
        d = self.cleaned_data
        q: dict[str, Any] = {
            "key": key,
            "type": d["type"],
            "text": d["text"],
            "section": d["section"],
            "required": d["required"],
        }
        lines = [t.strip() for t in d["options"].splitlines() if t.strip()]
        if d["type"] in ("single", "multiple", "ranking"):
            q["options"] = [{"key": f"o{i}", "text": t} for i, t in enumerate(lines, start=1)]
        if d["type"] == "matrix":
            rows = [t.strip() for t in d["rows"].splitlines() if t.strip()]
            q["rows"] = [{"key": f"r{i}", "text": t} for i, t in enumerate(rows, start=1)]
        if d["type"] == "scale":
            q["low"], q["high"] = d["low"], d["high"]
        target = self.earlier.get(d["show_if_question"] or "")
        if target:
            numbers = [
                v.strip() for v in d["show_if_values"].replace("，", ",").split(",") if v.strip()
            ]
            prefix = "" if target["type"] == "scale" else "o"
            q["show_if"] = {"question": target["key"], "in": [f"{prefix}{n}" for n in numbers]}
        return q


class DistributeForm(BootstrapForm):
    audience = forms.ChoiceField(label=_("audience"))
    mode = forms.ChoiceField(label=_("distribution"), choices=Survey.Mode.choices)
    strata = forms.MultipleChoiceField(
        label=_("sampling strata"),
        choices=Dimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    margin = forms.DecimalField(
        label=_("margin of error"),
        min_value=Decimal("0.005"),
        max_value=Decimal("0.2"),
        max_digits=4,
        decimal_places=3,
        required=False,
        initial=Decimal("0.03"),
        help_text=_("At 95 percent confidence, e.g. 0.03 for ±3 percentage points."),
    )
    response_rate = forms.DecimalField(
        label=_("expected response rate"),
        min_value=Decimal("0.05"),
        max_value=Decimal("1"),
        max_digits=4,
        decimal_places=3,
        initial=Decimal("0.8"),
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [(o.code, o.name) for o in organizations]
        self.fields["strata"].widget.attrs["class"] = ""


def answers_from_post(questions: list[dict[str, Any]], data: Any) -> dict[str, Any]:
    """The answer form's fields as the answers ``questions.clean_answers`` checks."""
    out: dict[str, Any] = {}
    for q in questions:
        key, qtype = q["key"], q["type"]
        if qtype == "multiple":
            out[key] = data.getlist(key)
        elif qtype == "matrix":
            out[key] = {r["key"]: data.get(f"{key}__{r['key']}", "") for r in q["rows"]}
            if not any(out[key].values()):
                out[key] = {}
        elif qtype == "ranking":
            ranks = {o["key"]: data.get(f"{key}__{o['key']}", "") for o in q["options"]}
            if all(v == "" for v in ranks.values()):
                out[key] = []
            else:
                ordered = sorted(ranks, key=lambda k: (ranks[k] or "99").zfill(2))
                valid = sorted(ranks.values(), key=lambda v: v.zfill(2)) == [
                    str(i) for i in range(1, len(ranks) + 1)
                ]
                out[key] = ordered if valid else ["?"]
        else:
            out[key] = data.get(key, "")
    return out


def _worker_picker(list_id: str) -> forms.TextInput:
    """The scoped worker picker (core.pickers): workers of the subtree where one manages surveys,
    found by name, pinyin or code; the value put in is the registry code."""
    return forms.TextInput(
        attrs={
            "data-picker": reverse_lazy("core:pick", args=["survey_workers"]),
            "list": list_id,
            "autocomplete": "off",
            "placeholder": _("name, pinyin or registry code"),
        }
    )


class LinkReissueForm(BootstrapForm):
    worker = forms.CharField(
        label=_("registry code of the worker"),
        max_length=20,
        widget=_worker_picker("pick-reissue-worker"),
        help_text=_(
            "As on the list of links given out at sending, or search by name. The old link stops "
            "working at once."
        ),
    )


class LinkReissueBulkForm(BootstrapForm):
    """A list of workers: pasted codes (chosen with the picker, which adds them here) and/or an
    uploaded sheet with a 职工编号 column."""

    codes = forms.CharField(
        label=_("registry codes of the workers"),
        required=False,
        max_length=400_000,  # 20,000 codes of 20 characters; longer is refused, never cut
        widget=forms.Textarea(attrs={"rows": 4, "id": "id_bulk_codes"}),
        help_text=_("One per line, or separated by spaces or commas."),
    )
    pick = forms.CharField(
        label=_("add a worker by name"),
        required=False,
        max_length=20,
        widget=_worker_picker("pick-bulk-worker"),
    )
    file = forms.FileField(
        label=_("or upload a list (.xlsx, .xls, .csv)"),
        required=False,
        help_text=_("The column headed 职工编号 is read; every bad row is named."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("codes") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Paste registry codes or upload a list."))
        return data
