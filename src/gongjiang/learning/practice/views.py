"""Practice pages (网上练兵), phone-first: one question per screen, big buttons at the bottom."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization

from ..answers import keys_to_labels
from ..exams.presenters import answer_text, fill_blanks, ordered_options
from ..models import Paper, WrongBookEntry
from . import services as practice


@login_required
def practice_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "learning/practice_home.html",
        {
            "summary": practice.practice_summary(user),
            "knowledge_points": practice.knowledge_points(user),
            "papers": practice.practice_papers(user),
            "boards": practice.leaderboard_organizations(user)[:20],
        },
    )


def _response_from_post(qtype: str, post: Any) -> Any:
    if qtype == "multiple":
        return post.getlist("choice")
    if qtype == "fill":
        return post.getlist("blank")
    if qtype == "true_false":
        value = post.get("choice")
        return None if value is None else value == "true"
    return post.get("choice")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@login_required
def practice_question(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("mode", "sequential")
    if mode not in practice.MODES:
        mode = "sequential"
    kp = request.GET.get("kp", "")[:100]
    feedback = None
    if request.method == "POST":
        question = practice.practice_question_get(
            actor=request.user, code=request.POST.get("question", "")
        )
        version = question.current
        # the page sends the displayed labels; the bank keys never reach the browser
        shown = _response_from_post(question.qtype, request.POST)
        feedback = practice.practice_answer(
            actor=request.user, question=question, response=shown, mode=mode
        )
        feedback["response"] = shown
        feedback["answer_labels"] = _as_list(
            keys_to_labels(question.qtype, version.options, None, feedback["answer"])
        )
        feedback["response_labels"] = _as_list(shown)
    else:
        question = practice.practice_next(actor=request.user, mode=mode, knowledge_point=kp)
    if question is None:
        return render(
            request, "learning/practice_question.html", {"question": None, "mode": mode, "kp": kp}
        )
    version = question.current
    answer_keys: Any = None
    if feedback is not None:
        answer_keys = answer_text(version, feedback["answer"])
    return render(
        request,
        "learning/practice_question.html",
        {
            "question": question,
            "version": version,
            "mode": mode,
            "kp": kp,
            "feedback": feedback,
            "options": ordered_options(version, None),
            "blanks": range(fill_blanks(version)),
            "answer_json": answer_keys,
            "summary": practice.practice_summary(request.user),
        },
    )


@login_required
def wrong_book(request: HttpRequest) -> HttpResponse:
    entries = (
        WrongBookEntry.objects.filter(user=request.user)
        .select_related("question__current")
        .order_by("resolved", "-updated_at")[:200]
    )
    return render(request, "learning/wrong_book.html", {"entries": entries})


@login_required
def leaderboard(request: HttpRequest, code: str) -> HttpResponse:
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise Http404("organization")
    rows = practice.leaderboard(actor=request.user, organization=org)
    return render(request, "learning/leaderboard.html", {"organization": org, "rows": rows})


@login_required
@require_POST
def mock_start(request: HttpRequest, code: str) -> HttpResponse:
    paper = Paper.objects.filter(code=code).first()
    if paper is None:
        raise Http404("paper")
    try:
        attempt = practice.practice_mock_start(actor=request.user, paper=paper)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("learning:practice_home")
    return redirect("learning:attempt_take", code=attempt.code)
