"""Pages of the technical exchange (技术交流): questions, a question with its answers, asking,
acting on posts (vote, accept, report, hide), 先进操作法 pages and the moderators' queue.
Thin: the rules are in ``exchange``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Occupation
from gongjiang.core.views import form_errors_from, page

from . import exchange, selectors
from .models import Result
from .models_exchange import MODERATE, Answer, Question


class AskForm(BootstrapForm):
    title = forms.CharField(label=pgettext_lazy("exchange", "question"), max_length=120)
    topic = forms.CharField(
        label=pgettext_lazy("exchange", "topic"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("A few words, e.g. 焊接变形, 数控编程."),
    )
    occupation = forms.CharField(
        label=gettext_lazy("occupation (code or name)"), max_length=200, required=False
    )
    body = forms.CharField(
        label=pgettext_lazy("exchange", "details"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    method = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def clean_occupation(self) -> Occupation | None:
        raw = self.cleaned_data["occupation"].strip()
        if not raw:
            return None
        occupation = (
            Occupation.objects.filter(code=raw).first()
            or Occupation.objects.filter(name=raw).first()
        )
        if occupation is None:
            raise forms.ValidationError(_("No occupation with this code or name."))
        return occupation


class AnswerForm(BootstrapForm):
    body = forms.CharField(
        label=gettext_lazy("your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _people(posts: list[Any]) -> dict[str, Any]:
    """Mark each post's author: ``expert`` (why, or '') and ``reputation``."""
    ids = [p.author_id for p in posts if p.author_id]
    experts, reputation = exchange.expert_reasons(ids), exchange.reputation_of(ids)
    for p in posts:
        p.expert = experts.get(p.author_id, "")
        p.reputation = reputation.get(p.author_id, 0)
    return {}


@login_required
def question_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    occupation = request.GET.get("occupation", "").strip()[:20]
    topic = request.GET.get("topic", "").strip()[:40]
    unanswered = request.GET.get("open") == "1"
    mine = request.GET.get("mine") == "1"
    qs = exchange.question_list(
        actor=request.user,
        q=q,
        occupation=occupation,
        topic=topic,
        unanswered=unanswered,
        mine=mine,
    )
    page_obj = page(request, qs, 20)
    return render(
        request,
        "innovation/exchange/list.html",
        {
            "page_obj": page_obj,
            "q": q,
            "occupation": occupation,
            "topic": topic,
            "unanswered": unanswered,
            "mine": mine,
            "topics": exchange.topics(),
            "moderates": access.can(request.user, MODERATE),
            **_people(list(page_obj)),
        },
    )


@login_required
def question_ask(request: HttpRequest) -> HttpResponse:
    method_code = request.GET.get("method", "")[:20]
    form = AskForm(request.POST or None, initial={"method": method_code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        method = None
        if d["method"]:
            method = exchange.methods().filter(code=d["method"]).first()
            if method is None:
                raise Http404("method")
        try:
            question = exchange.question_ask(
                actor=request.user,
                title=d["title"],
                topic=d["topic"],
                body=d["body"],
                occupation=d["occupation"],
                method=method,
            )
        except (ApplicationError, ValidationError) as exc:
            form_errors_from(exc, form)
        else:
            return redirect("innovation:exchange_question", question.code)
    return render(request, "innovation/exchange/ask.html", {"form": form})


@login_required
def question_detail(request: HttpRequest, code: str) -> HttpResponse:
    question = exchange.question_get(actor=request.user, code=code)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exchange.answer_post(
                actor=request.user, question=question, body=form.cleaned_data["body"]
            )
        except (ApplicationError, ValidationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Your answer is posted."))
            return redirect("innovation:exchange_question", question.code)
    answers = list(exchange.answers_of(actor=request.user, question=question))
    answers.sort(key=lambda a: (a.pk != question.accepted_answer_id, -a.score, a.created_at))
    mine = exchange.my_votes(actor=request.user, question=question, answers=answers)
    return render(
        request,
        "innovation/exchange/question.html",
        {
            "question": question,
            "answers": answers,
            "form": form,
            "mine": mine,
            "is_asker": question.author_id == request.user.pk,
            "moderates": access.can(request.user, MODERATE, question.organization),
            "moderated": {
                a.pk for a in answers if access.can(request.user, MODERATE, a.organization)
            },
            "method_visible": question.method_id
            and selectors.result_list(actor=request.user).filter(pk=question.method_id).exists(),
            **_people([question, *answers]),
        },
    )


@login_required
@require_POST
def post_act(request: HttpRequest, code: str) -> HttpResponse:
    """``act`` = vote (value 1/-1/0) · accept · report (reason) · hide (reason) · unhide, on the
    question itself or on one of its answers (``answer`` = its code)."""
    question = exchange.question_get(actor=request.user, code=code)
    post: Question | Answer = question
    if request.POST.get("answer"):
        post = exchange.answer_get(actor=request.user, code=request.POST["answer"])
        if post.question_id != question.pk:
            raise Http404("answer")
    act = request.POST.get("act", "")
    reason = request.POST.get("reason", "")  # whole: the service refuses past 300
    try:
        if act == "vote":
            try:
                value = int(request.POST.get("value", ""))
            except ValueError as exc:
                raise ApplicationError(_("A vote is 1, -1 or 0."), code="invalid") from exc
            exchange.post_vote(actor=request.user, post=post, value=value)
        elif act == "accept" and isinstance(post, Answer):
            exchange.answer_accept(actor=request.user, answer=post)
            messages.success(request, _("Answer accepted."))
        elif act == "report":
            exchange.post_report(actor=request.user, post=post, reason=reason)
            messages.success(request, _("Thank you: the moderators will look at it."))
        elif act in ("hide", "unhide"):
            exchange.post_hide(actor=request.user, post=post, reason=reason, hide=act == "hide")
            messages.success(request, _("Done."))
        else:
            raise Http404(act)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if act == "hide" and post is question:
        return redirect("innovation:exchange")
    return redirect("innovation:exchange_question", question.code)


@login_required
def method_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "innovation/exchange/methods.html",
        {"page_obj": page(request, exchange.methods(q=q), 20), "q": q},
    )


@login_required
def method_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A 先进操作法's page: the method, its team, a link to its result, questions about it."""
    try:
        method = exchange.methods().get(code=code)
    except Result.DoesNotExist as exc:
        raise Http404("method") from exc
    questions = Question.objects.filter(method=method, is_hidden=False)[:50]
    return render(
        request,
        "innovation/exchange/method.html",
        {
            "result": method,
            "names": [m.worker.name for m in method.members.select_related("worker")],
            "questions": questions,
            "result_visible": selectors.result_list(actor=request.user)
            .filter(pk=method.pk)
            .exists(),
        },
    )


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports = exchange.reports_open(actor=request.user)
    return render(
        request,
        "innovation/exchange/reports.html",
        {"page_obj": page(request, reports, 50)},
    )
