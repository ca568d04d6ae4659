"""Page forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Organization, SkillLevel

from .models import Difficulty, QuestionType, ReviewWhen, ScoringRule


class OrgChoiceForm(BootstrapForm):
    organization = forms.ModelChoiceField(
        label=_("owner organization"), queryset=Organization.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class QuestionForm(OrgChoiceForm):
    qtype = forms.ChoiceField(label=_("question type"), choices=QuestionType.choices)
    stem = forms.CharField(
        label=_("stem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text=_("Simple HTML is allowed (bold, lists, tables, images); scripts are removed."),
    )
    options = forms.CharField(
        label=_("options"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Choice questions: one option per line (A, B, C … in order, at most 8)."),
    )
    answer = forms.CharField(
        label=_("answer"),
        max_length=2000,
        required=False,
        help_text=_(
            "Choice: letters such as B or ACD. True/false: 对 or 错. Fill in the blank: "
            "blanks separated by ；, alternatives within a blank by |. "
            "Short answer: the reference answer."
        ),
    )
    explanation = forms.CharField(
        label=_("explanation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    rubric = forms.CharField(
        label=_("rubric"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Short answer: what markers give points for."),
    )
    checklist = forms.CharField(
        label=_("checklist"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Practical task: one item per line as “item, points”."),
    )
    scoring_rule = forms.ChoiceField(
        label=_("scoring rule"), choices=ScoringRule.choices, required=False
    )
    score = forms.DecimalField(
        label=_("score"), min_value=0.01, max_value=1000, decimal_places=2, initial=1
    )
    difficulty = forms.TypedChoiceField(
        label=_("difficulty"), choices=Difficulty.choices, coerce=int, initial=3
    )
    knowledge_point = forms.CharField(label=_("knowledge point"), max_length=100, required=False)
    occupation = forms.CharField(
        label=_("occupation code"),
        max_length=20,
        required=False,
        help_text=_("职业分类大典 code, e.g. 6-18-01-01"),
    )
    skill_level = forms.ModelChoiceField(
        label=_("skill level"), queryset=SkillLevel.objects.all(), required=False
    )


class PaperForm(OrgChoiceForm):
    title = forms.CharField(label=_("title"), max_length=200)
    mode = forms.ChoiceField(
        label=_("mode"),
        choices=[("fixed", _("fixed paper")), ("blueprint", _("drawn from a blueprint"))],
    )
    questions = forms.CharField(
        label=_("question codes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Fixed paper: question codes separated by spaces or lines, in order."),
    )
    blueprint = forms.CharField(
        label=_("blueprint"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "One cell per line: type, knowledge point, difficulty, count[, score] — e.g. "
            "“single choice, 识图, 3, 10, 1”; leave the knowledge point or difficulty empty "
            "for any. Types: single choice, multiple choice, true/false, fill in the blank, "
            "short answer, practical task."
        ),
    )
    is_practice = forms.BooleanField(label=_("usable for practice mock exams"), required=False)
    practice_minutes = forms.IntegerField(
        label=_("mock exam minutes"), min_value=1, max_value=600, initial=30
    )


class SessionForm(OrgChoiceForm):
    paper = forms.ModelChoiceField(label=_("paper"), queryset=None, to_field_name="code")  # type: ignore[arg-type]
    title = forms.CharField(label=_("title"), max_length=200)
    opens_at = forms.DateTimeField(
        label=_("opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=1, max_value=1440, initial=60
    )
    attempts_allowed = forms.IntegerField(
        label=_("attempts allowed"), min_value=1, max_value=20, initial=1
    )
    pass_percent = forms.DecimalField(
        label=_("pass mark (%)"), min_value=0, max_value=100, initial=60
    )
    shuffle_questions = forms.BooleanField(
        label=_("shuffle questions"), required=False, initial=True
    )
    shuffle_options = forms.BooleanField(label=_("shuffle options"), required=False, initial=True)
    double_marking = forms.BooleanField(label=_("double marking"), required=False)
    marking_tolerance = forms.DecimalField(
        label=_("marking tolerance (points)"), min_value=0, initial=2
    )
    candidate_organizations = forms.ModelMultipleChoiceField(
        label=_("candidate organizations (all their workers)"),
        queryset=Organization.objects.none(),
        to_field_name="code",
        required=False,
    )
    candidates = forms.CharField(
        label=_("individual candidates (user names)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    invigilation = forms.CharField(
        label=_("invigilation information"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    review_marks = forms.ChoiceField(
        label=_("marks shown"),
        choices=ReviewWhen.choices,
        initial=ReviewWhen.AFTER_ATTEMPT,
        required=False,
    )
    review_correctness = forms.ChoiceField(
        label=_("right or wrong shown"),
        choices=ReviewWhen.choices,
        initial=ReviewWhen.AFTER_CLOSE,
        required=False,
    )
    review_answers = forms.ChoiceField(
        label=_("correct answers shown"),
        choices=ReviewWhen.choices,
        initial=ReviewWhen.AFTER_CLOSE,
        required=False,
        help_text=_("Never while a candidate may still start another attempt."),
    )
    review_explanations = forms.ChoiceField(
        label=_("explanations shown"),
        choices=ReviewWhen.choices,
        initial=ReviewWhen.AFTER_CLOSE,
        required=False,
    )

    def __init__(self, *args: Any, papers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paper"].queryset = papers
        self.fields["candidate_organizations"].queryset = self.fields["organization"].queryset


class MarkForm(BootstrapForm):
    score = forms.DecimalField(label=_("score"), min_value=0, decimal_places=2, required=False)
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("reason"), max_length=500)
