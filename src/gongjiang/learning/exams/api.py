"""Candidate and marker endpoints: my sessions, attempts (start/resume, autosave, submit, result),
the blind marking queue."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Path, Router, Schema
from ninja.utils import check_csrf
from pydantic import field_validator

from gongjiang.core.auth import FastCookieSessionAuth, TokenAuth, session_pins
from gongjiang.core.schemas import StrictSchema

from ..answers import (
    ANSWER_BODY_MAX_BYTES,
    FILL_BLANK_MAX_CHARS,
    TEXT_ANSWER_MAX_CHARS,
    answer_fit,
)
from ..models import ExamSession
from . import marking
from . import services as exams
from .presenters import attempt_for_candidate, attempt_result, ordered_options

MAX_POSITION = 10_000  # a paper never has this many questions; bounds the path parameter

router = Router(tags=["learning"])


class MySessionOut(Schema):
    code: str
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    duration_minutes: int
    attempts_allowed: int
    invigilation: str


@router.get(
    "/my/sessions",
    response=list[MySessionOut],
    summary="Exam sessions the caller is a candidate of",
)
def my_sessions(request: HttpRequest) -> Any:
    return exams.candidate_sessions(request.user).filter(is_mock=False).order_by("-opens_at")[:200]


def _candidate_session(request: HttpRequest, code: str) -> ExamSession:
    session = exams.candidate_sessions(request.user).filter(code=code).first()
    if session is None:
        raise Http404("exam session")
    return session


class AttemptOut(Schema):
    code: str
    session: str
    title: str
    status: str
    deadline: dt.datetime
    seconds_left: int
    last_position: int
    items: list[dict[str, Any]]


@router.post(
    "/sessions/{code}/start",
    response=AttemptOut,
    summary="Start an attempt, or resume the open one",
)
def attempt_start(request: HttpRequest, code: str) -> dict[str, Any]:
    session = _candidate_session(request, code)
    attempt = exams.exam_attempt_start(actor=request.user, session=session)
    return attempt_for_candidate(attempt)


@router.get(
    "/attempts/{code}",
    response=AttemptOut,
    summary="The caller's attempt with its saved answers and the time left",
)
def attempt_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return attempt_for_candidate(exams.attempt_get_for_candidate(actor=request.user, code=code))


class AnswerIn(StrictSchema):
    response: Any = Field(
        None,
        description='single choice: the label shown ("B"); multiple: labels (["A", "C"]); '
        "true/false: a boolean; fill in: one text per blank (at most "
        f"{FILL_BLANK_MAX_CHARS} characters each); short answer: text (at most "
        f"{TEXT_ANSWER_MAX_CHARS} characters). Labels are those shown in this attempt, never bank "
        "keys.",
    )
    seq: int = Field(
        ..., ge=1, le=2**62, description="per item, increasing; a retry sends the same number"
    )

    @field_validator("response")
    @classmethod
    def _an_answer(cls, value: Any) -> Any:
        if not answer_fit(value).fits_any:
            raise ValueError("not an answer to any question type, or longer than any may be")
        return value


class AnswerOut(Schema):
    saved: bool
    seq: int
    seconds_left: int


@router.put(
    "/attempts/{code}/answers/{position}",
    response=AnswerOut,
    summary="Save one answer (idempotent by seq; 409 deadline_passed after the deadline)",
    auth=[TokenAuth(), FastCookieSessionAuth(csrf=True)],
)
def answer_save(
    request: HttpRequest,
    code: str,
    payload: AnswerIn,
    position: int = Path(..., ge=1, le=MAX_POSITION),
) -> dict[str, Any]:
    # no attempt read first: the save's one statement checks ownership, status and deadline
    return exams.exam_answer_save_by_code(
        actor=request.user,
        code=code,
        position=position,
        response=payload.response,
        seq=payload.seq,
    )


# ------------------------------------------------------------------ the answer save's fast path
# A save from a phone whose session this process has already checked in full (on PostgreSQL, with
# the CSRF token, a plain body) is ONE statement that re-checks the session and stores the answer
# (``exams.exam_answer_save_pinned``), answered by ``AnswerSaveMiddleware`` near the top of the
# middleware stack. Everything else — the first save of a session, bearer tokens, SQLite, a refused
# save, any body that is not plainly valid — reaches ``answer_save_view`` (routed by
# ``gongjiang.urls`` ahead of the API), which hands it to the API operation above (``answer_save``)
# to decide and answer exactly as it always has, and pins the session once that operation accepted
# it.

ANSWER_SAVE_PATH = re.compile(
    r"^/api/v1/learning/attempts/(?P<code>[^/]+)/answers/(?P<position>[0-9]{1,9})$"
)


def _plain_answer(body: bytes) -> tuple[Any, int] | None:
    """(response, seq) from a body that ``AnswerIn`` would accept unchanged; None for anything
    else (the API operation then validates it and names the error)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if type(data) is not dict or not data.keys() <= {"response", "seq"}:
        return None
    seq = data.get("seq")
    if type(seq) is not int or not 1 <= seq <= 2**62:
        return None
    return data.get("response"), seq


def answer_save_pinned(request: HttpRequest, code: str, position: int) -> HttpResponse | None:
    """Answer a save on a pinned session in one statement; None when the full path must decide
    (nothing has been changed then)."""
    if connection.vendor != "postgresql" or "HTTP_AUTHORIZATION" in request.META:
        return None
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    pin = session_pins.get(key) if key else None
    if pin is None or check_csrf(request) is not None:
        return None
    plain = _plain_answer(request.body)
    if plain is None:
        return None
    result = exams.exam_answer_save_pinned(
        pin=pin, code=code, position=position, response=plain[0], seq=plain[1]
    )
    if result == exams.SESSION_REFUSED:
        session_pins.forget(pin.key)
        return None
    if result is None:
        return None
    return HttpResponse(json.dumps(result), content_type="application/json; charset=utf-8")


def answer_body_too_large(request: HttpRequest) -> HttpResponse | None:
    """413 for a save whose body is larger than any answer may be (``answers.ANSWER_BODY_MAX_BYTES``),
    decided from its declared length before a byte of it is read or parsed; None otherwise."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = ANSWER_BODY_MAX_BYTES + 1
    if length <= ANSWER_BODY_MAX_BYTES:
        return None
    body = {
        "code": "answer_too_large",
        "message": f"An answer may be at most {ANSWER_BODY_MAX_BYTES} bytes.",
        "details": [{"field": "response", "error": "too large"}],
    }
    return HttpResponse(json.dumps(body), status=413, content_type="application/json")


class AnswerSaveMiddleware:
    """The answer save's fast path (``answer_save_pinned``), ahead of the session, locale, CSRF,
    authentication and message middleware it does not need; it checks the CSRF token itself.
    Anything it does not answer continues down the stack unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "PUT":
            match = ANSWER_SAVE_PATH.match(request.path_info)
            if match is not None:
                too_large = answer_body_too_large(request)
                if too_large is not None:
                    return too_large
            # an out-of-range position takes the full path, which answers it with a 422
            if match is not None and 1 <= int(match["position"]) <= MAX_POSITION:
                response = answer_save_pinned(request, match["code"], int(match["position"]))
                if response is not None:
                    return response
        return self.get_response(request)


@functools.cache
def _api_resolver() -> URLResolver:
    from gongjiang.api import api

    patterns, app_name, namespace = api.urls
    return URLResolver(RoutePattern("api/v1/"), patterns, app_name=app_name, namespace=namespace)


@csrf_exempt
def answer_save_view(request: HttpRequest, code: str, position: int) -> HttpResponse:
    """The full path of a save: the API operation decides; a session it accepted is pinned."""
    match = _api_resolver().resolve(request.path_info.lstrip("/"))
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code == 200 and request.method == "PUT":
        session_pins.remember_accepted(request)
    return response


class ExamResultOut(Schema):
    code: str
    status: str
    released: bool
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None
    submitted_at: dt.datetime | None
    auto_submitted: bool
    review: dict[str, bool] = Field(
        ...,
        description="parts of the review shown now (the session's review options): marks, "
        "correctness, answers, explanations",
    )
    items: list[dict[str, Any]]


@router.post("/attempts/{code}/submit", response=ExamResultOut)
def attempt_submit(request: HttpRequest, code: str) -> dict[str, Any]:
    attempt = exams.attempt_get_for_candidate(actor=request.user, code=code)
    return attempt_result(exams.exam_attempt_submit(actor=request.user, attempt=attempt))


@router.get("/attempts/{code}/result", response=ExamResultOut)
def attempt_result_view(request: HttpRequest, code: str) -> dict[str, Any]:
    return attempt_result(exams.attempt_get_for_candidate(actor=request.user, code=code))


# -------------------------------------------------------------------------------- marking
class MarkingItemOut(Schema):
    code: str
    blind_code: str
    session: str
    qtype: str
    stem: str
    rubric: str
    reference_answer: Any
    checklist: list[dict[str, Any]]
    options: list[dict[str, Any]]
    response: Any
    max_score: Decimal
    stage: str


def marking_item_view(item: Any) -> dict[str, Any]:
    v = item.version
    return {
        "code": item.code,
        "blind_code": item.attempt.blind_code,
        "session": item.attempt.session.title,
        "qtype": v.qtype,
        "stem": v.stem,
        "rubric": v.rubric,
        "reference_answer": v.answer,
        "checklist": v.checklist,
        "options": ordered_options(v, item.option_order),
        "response": item.response,
        "max_score": item.max_score,
        "stage": item.marking,
    }


@router.get(
    "/marking/queue",
    response=list[MarkingItemOut],
    summary="Answers waiting for the caller to mark (blind)",
)
def marking_queue(request: HttpRequest) -> list[dict[str, Any]]:
    return [marking_item_view(i) for i in marking.marking_queue(actor=request.user)[:100]]


@router.get("/marking/items/{code}", response=MarkingItemOut)
def marking_item(request: HttpRequest, code: str) -> dict[str, Any]:
    return marking_item_view(marking.marking_item_get(actor=request.user, code=code))


class ExamMarkIn(StrictSchema):
    score: Decimal | None = Field(None, ge=0, le=1000)
    ticked: list[Annotated[int, Field(ge=0, le=1000)]] | None = Field(
        None, max_length=100, description="practical task: indexes of checklist items met"
    )
    comment: str = Field("", max_length=2000)


@router.post("/marking/items/{code}", response=MarkingItemOut)
def marking_mark(request: HttpRequest, code: str, payload: ExamMarkIn) -> dict[str, Any]:
    item = marking.marking_item_get(actor=request.user, code=code)
    item = marking.item_mark(
        actor=request.user,
        item=item,
        score=payload.score,
        ticked=payload.ticked,
        comment=payload.comment,
    )
    return marking_item_view(item)
