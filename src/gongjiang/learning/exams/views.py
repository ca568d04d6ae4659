"""Candidate pages (my exams, take an exam, result) and the marker's blind queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError

from .. import selectors
from ..forms import MarkForm
from ..practice import services as practice
from . import marking
from . import services as exams
from .api import marking_item_view
from .presenters import attempt_for_candidate, attempt_result


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    sessions = list(
        exams.candidate_sessions(user)
        .filter(closes_at__gt=now, is_mock=False)
        .order_by("opens_at")[:20]
    )
    return render(
        request,
        "learning/home.html",
        {
            "sessions": sessions,
            "attempts": selectors.my_attempts(actor=user)[:10],
            "now": now,
            "summary": practice.practice_summary(user),
            "is_manager": access.can(user, "learning.view_question"),
            "is_marker": access.can(user, "learning.mark"),
        },
    )


@login_required
def exam_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sessions = (
        exams.candidate_sessions(request.user).filter(is_mock=False).order_by("-opens_at")[:100]
    )
    return render(
        request,
        "learning/exam_list.html",
        {
            "sessions": sessions,
            "now": now,
            "attempts": selectors.my_attempts(actor=request.user)[:100],
        },
    )


@login_required
def exam_start(request: HttpRequest, code: str) -> HttpResponse:
    session = exams.candidate_sessions(request.user).filter(code=code).first()
    if session is None:
        raise Http404("exam session")
    if request.method == "POST":
        try:
            attempt = exams.exam_attempt_start(actor=request.user, session=session)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("learning:attempt_take", code=attempt.code)
    attempts = session.attempts.filter(user=request.user).order_by("number")
    return render(
        request,
        "learning/exam_start.html",
        {"session": session, "attempts": attempts, "now": timezone.now()},
    )


@login_required
def attempt_take(request: HttpRequest, code: str) -> HttpResponse:
    attempt = exams.attempt_get_for_candidate(actor=request.user, code=code)
    if attempt.status != "in_progress":
        return redirect("learning:attempt_result", code=attempt.code)
    return render(
        request,
        "learning/attempt_take.html",
        {"attempt": attempt, "data": attempt_for_candidate(attempt)},
    )


@login_required
@require_POST
def attempt_submit(request: HttpRequest, code: str) -> HttpResponse:
    attempt = exams.attempt_get_for_candidate(actor=request.user, code=code)
    exams.exam_attempt_submit(actor=request.user, attempt=attempt)
    return redirect("learning:attempt_result", code=attempt.code)


@login_required
def attempt_result_page(request: HttpRequest, code: str) -> HttpResponse:
    attempt = exams.attempt_get_for_candidate(actor=request.user, code=code)
    if attempt.status == "in_progress":
        return redirect("learning:attempt_take", code=attempt.code)
    return render(
        request,
        "learning/attempt_result.html",
        {"attempt": attempt, "result": attempt_result(attempt)},
    )


# -------------------------------------------------------------------------------- marking
@login_required
def marking_queue(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "learning.mark"):
        raise PermissionDenied
    items = [marking_item_view(i) for i in marking.marking_queue(actor=request.user)[:100]]
    return render(request, "learning/marking_queue.html", {"items": items})


@login_required
def marking_item(request: HttpRequest, code: str) -> HttpResponse:
    item = marking.marking_item_get(actor=request.user, code=code)
    form = MarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticked: Any = None
        if item.version.qtype == "practical":
            ticked = [int(t) for t in request.POST.getlist("ticked") if t.isdigit()]
        try:
            marking.item_mark(
                actor=request.user,
                item=item,
                score=form.cleaned_data["score"],
                ticked=ticked,
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error(None, _("You may not mark this answer."))
            else:
                from gongjiang.core.views import form_errors_from

                form_errors_from(exc, form)
        else:
            messages.success(request, _("Mark saved."))
            return redirect("learning:marking_queue")
    return render(
        request,
        "learning/marking_item.html",
        {"item": marking_item_view(item), "form": form, "marks_done": item.marks.count()},
    )
