"""Technical-exchange endpoints at /api/v1/innovation/exchange/: the same services as the pages
(``exchange``). Every logged-in user reads what is not hidden; authors show name and employer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from gongjiang.core.models import Occupation
from gongjiang.core.schemas import PageNumber, PageSize, StrictSchema, paginate

from . import exchange
from .models_exchange import Answer, Question

router = Router(tags=["innovation exchange"])


class ExchangeAuthorOut(Schema):
    name: str
    employer: str
    expert: str
    reputation: int


class ExchangeAnswerOut(Schema):
    code: str
    body: str
    score: int
    accepted: bool
    hidden: bool
    author: ExchangeAuthorOut
    created_at: dt.datetime


class ExchangeQuestionRow(Schema):
    code: str
    title: str
    topic: str
    occupation: str | None
    score: int
    answer_count: int
    answered: bool
    author: ExchangeAuthorOut
    created_at: dt.datetime


class ExchangeQuestionOut(ExchangeQuestionRow):
    body: str
    method: str | None
    hidden: bool
    answers: list[ExchangeAnswerOut]


class ExchangeQuestionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ExchangeQuestionRow]


class ExchangeQuestionFilters(Schema):
    q: str = Field("", max_length=50)
    occupation: str = Field("", max_length=20)
    topic: str = Field("", max_length=40)
    unanswered: bool = False
    page: PageNumber = 1
    page_size: PageSize = 20


class ExchangeQuestionIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=5000)
    topic: str = Field("", max_length=40)
    occupation: str | None = Field(None, max_length=20)
    method: str | None = Field(None, max_length=20)


class ExchangeAnswerIn(StrictSchema):
    body: str = Field(..., min_length=1, max_length=5000)


class ExchangeVoteIn(StrictSchema):
    value: int = Field(..., ge=-1, le=1, description="1 up, -1 down, 0 takes the vote back")


class ExchangeVoteOut(Schema):
    score: int


class ExchangeReasonIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=300)


class ExchangeHideIn(StrictSchema):
    hidden: bool
    reason: str = Field("", max_length=300)


def _authors(posts: list[Any]) -> dict[int, dict[str, Any]]:
    ids = [p.author_id for p in posts if p.author_id]
    experts, rep = exchange.expert_reasons(ids), exchange.reputation_of(ids)
    return {
        p.pk: {
            "name": p.author_name,
            "employer": p.author_employer,
            "expert": experts.get(p.author_id, ""),
            "reputation": rep.get(p.author_id, 0),
        }
        for p in posts
    }


def _row(q: Question, author: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": q.code,
        "title": q.title,
        "topic": q.topic,
        "occupation": q.occupation_id,
        "score": q.score,
        "answer_count": q.answer_count,
        "answered": q.accepted_answer_id is not None,
        "author": author,
        "created_at": q.created_at,
    }


def _question_out(request: HttpRequest, q: Question) -> dict[str, Any]:
    answers = list(exchange.answers_of(actor=request.user, question=q))
    authors = _authors(answers)
    out = _row(q, _authors([q])[q.pk])
    out.update(
        body=q.body,
        method=q.method.code if q.method_id else None,
        hidden=q.is_hidden,
        answers=[
            {
                "code": a.code,
                "body": a.body,
                "score": a.score,
                "accepted": a.pk == q.accepted_answer_id,
                "hidden": a.is_hidden,
                "author": authors[a.pk],
                "created_at": a.created_at,
            }
            for a in answers
        ],
    )
    return out


@router.get("/questions", response=ExchangeQuestionPage, summary="Questions (search by pinyin too)")
def question_list_api(request: HttpRequest, filters: Query[ExchangeQuestionFilters]) -> Any:
    qs = exchange.question_list(
        actor=request.user,
        q=filters.q,
        occupation=filters.occupation,
        topic=filters.topic,
        unanswered=filters.unanswered,
    )
    page = paginate(qs, filters.page, filters.page_size)
    authors = _authors(page["items"])
    page["items"] = [_row(q, authors[q.pk]) for q in page["items"]]
    return page


@router.post("/questions", response={201: ExchangeQuestionOut}, summary="Ask a question")
def question_ask_api(request: HttpRequest, payload: ExchangeQuestionIn) -> Any:
    occupation = None
    if payload.occupation:
        occupation = Occupation.objects.filter(code=payload.occupation).first()
        if occupation is None:
            from gongjiang.core.errors import field_error

            raise field_error("occupation", "unknown occupation code", "unknown", status=422)
    method = None
    if payload.method:
        method = exchange.methods().filter(code=payload.method).first()
        if method is None:
            raise Http404("method")
    q = exchange.question_ask(
        actor=request.user,
        title=payload.title,
        body=payload.body,
        topic=payload.topic,
        occupation=occupation,
        method=method,
    )
    return 201, _question_out(request, q)


@router.get("/questions/{code}", response=ExchangeQuestionOut, summary="A question and answers")
def question_get_api(request: HttpRequest, code: str) -> Any:
    return _question_out(request, exchange.question_get(actor=request.user, code=code[:20]))


@router.post(
    "/questions/{code}/answers", response={201: ExchangeAnswerOut}, summary="Answer a question"
)
def answer_post_api(request: HttpRequest, code: str, payload: ExchangeAnswerIn) -> Any:
    q = exchange.question_get(actor=request.user, code=code[:20])
    a = exchange.answer_post(actor=request.user, question=q, body=payload.body)
    return 201, {
        "code": a.code,
        "body": a.body,
        "score": a.score,
        "accepted": False,
        "hidden": False,
        "author": _authors([a])[a.pk],
        "created_at": a.created_at,
    }


def _post(request: HttpRequest, kind: str, code: str) -> Question | Answer:
    if kind == "questions":
        return exchange.question_get(actor=request.user, code=code[:20])
    return exchange.answer_get(actor=request.user, code=code[:20])


PostKind = Literal["questions", "answers"]


@router.post("/{kind}/{code}/vote", response=ExchangeVoteOut, summary="Vote (+1, -1, 0 to undo)")
def vote_api(request: HttpRequest, kind: PostKind, code: str, payload: ExchangeVoteIn) -> Any:
    post = _post(request, kind, code)
    return {"score": exchange.post_vote(actor=request.user, post=post, value=payload.value)}


@router.post("/answers/{code}/accept", response=ExchangeQuestionOut, summary="Accept an answer")
def accept_api(request: HttpRequest, code: str) -> Any:
    answer = exchange.answer_get(actor=request.user, code=code[:20])
    q = exchange.answer_accept(actor=request.user, answer=answer)
    return _question_out(request, exchange.question_get(actor=request.user, code=q.code))


@router.post("/{kind}/{code}/report", response={201: None}, summary="Report to the moderators")
def report_api(request: HttpRequest, kind: PostKind, code: str, payload: ExchangeReasonIn) -> Any:
    exchange.post_report(actor=request.user, post=_post(request, kind, code), reason=payload.reason)
    return 201, None


@router.post("/{kind}/{code}/hide", response={204: None}, summary="Hide or show (moderators)")
def hide_api(request: HttpRequest, kind: PostKind, code: str, payload: ExchangeHideIn) -> Any:
    exchange.post_hide(
        actor=request.user,
        post=_post(request, kind, code),
        reason=payload.reason,
        hide=payload.hidden,
    )
    return 204, None
