"""Answering a survey on a phone: a worker with a login (from the home to-do) or anyone holding an
anonymous link's token. The page never shows who answered what, and answers once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from gongjiang.core.errors import ApplicationError

from . import selectors, services
from .forms import answers_from_post
from .models import Invitation, Survey
from .questions import SCALE


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    invitations = selectors.surveys_to_answer(actor=request.user)
    return render(request, "surveys/mine.html", {"invitations": invitations})


def _answer_page(
    request: HttpRequest, invitation: Invitation, submit: Any, *, blind: bool = False
) -> HttpResponse:
    """``blind`` (a re-issued link): the page is the same whether or not the invitation was
    already answered — the form, then the same thanks (services.response_submit_by_token)."""
    survey = invitation.survey
    version = survey.published_version()
    if invitation.completed_on is not None and not blind:
        return render(request, "surveys/thanks.html", {"survey": survey, "already": True})
    if survey.status != Survey.Status.OPEN or version is None:
        return render(request, "surveys/thanks.html", {"survey": survey, "closed": True})
    errors: dict[str, list[str]] = {}
    given: dict[str, Any] = {}
    if request.method == "POST":
        given = answers_from_post(version.questions, request.POST)
        try:
            submit(given)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "message_dict") else {"": exc.messages}
        except ApplicationError as exc:
            errors = {"": [exc.message]}
        else:
            return render(request, "surveys/thanks.html", {"survey": survey, "blind": blind})
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "questions": version.questions,
            "given": given,
            "errors": errors,
            "scale": SCALE,
        },
        status=400 if errors else 200,
    )


@login_required
@never_cache
def answer(request: HttpRequest, code: str) -> HttpResponse:
    invitation = selectors.invitation_for(actor=request.user, code=code)
    return _answer_page(
        request,
        invitation,
        lambda given: services.response_submit(
            actor=request.user, survey=invitation.survey, answers=given
        ),
    )


@never_cache
def answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_by_token(token)
    if invitation is None:
        raise Http404("survey")
    return _answer_page(
        request,
        invitation,
        lambda given: services.response_submit_by_token(token=token, answers=given),
        blind=services.is_reissued(token),
    )
