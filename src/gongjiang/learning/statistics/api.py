"""Item statistics in the API: an exam session's and a question bank's, in the shape of
``gongjiang item-stats --json`` (see docs/learning-item-statistics.md).

200 with the figures when they are current (computed in the request below
``stats_jobs.JOB_THRESHOLD`` answer rows, else stored by a background job for the marks as they
are); 202 with the job (``code``, ``status``, ``done``, ``total``, ``percent``, ``message``) while
a background job computes them — ask again until the answer is 200."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .. import selectors
from ..selectors import org_for
from .jobs import StatsOutcome, bank_target, item_statistics_get, session_target

router = Router(tags=["learning"])


class ExamFiguresOut(Schema):
    count: int
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    alpha: float | None = Field(None, description="percent")
    error_ratio: float | None = Field(None, description="percent")
    standard_error: float | None = Field(None, description="marks")


class QuestionFiguresOut(Schema):
    question: str = Field(..., description="question code")
    count: int
    facility: float | None = Field(None, description="fraction 0-1")
    sd: float | None
    discrimination_index: float | None = Field(None, description="percent")
    discriminative_efficiency: float | None = Field(None, description="percent")
    effective_weight: float | None = Field(None, description="percent")
    flag: str | None = Field(
        None, description="null, 'negative_discrimination' or 'low_discriminative_efficiency'"
    )
    reliable: bool = Field(
        ...,
        description="false when the exam or this question has fewer than min_attempts attempts: "
        "its discrimination figures are unreliable",
    )


class ItemStatisticsOut(Schema):
    exam: ExamFiguresOut
    questions: list[QuestionFiguresOut]
    reliable: bool = Field(
        ...,
        description="false below min_attempts complete attempts: alpha, error ratio, standard "
        "error, skewness, kurtosis and every discrimination figure are unreliable",
    )
    min_attempts: int = Field(..., description="attempts needed for reliable figures")
    warnings: list[str] = Field(..., description="why figures are unreliable, for people")


class StatisticsJobOut(Schema):
    code: str = Field(..., description="code of the background job")
    status: str = Field(..., description="queued, running or failed")
    done: int
    total: int
    percent: int
    message: str


class BankFilters(Schema):
    organization: str = Field(..., min_length=1, max_length=20)
    knowledge_point: str = Field("", max_length=100)
    occupation: str = Field("", max_length=20)


def _answer(outcome: StatsOutcome) -> tuple[int, Any]:
    if outcome.job is None and outcome.stats is not None:
        return 200, outcome.stats.api_json()
    return 202, outcome.job


@router.get(
    "/sessions/{code}/statistics",
    response={200: ItemStatisticsOut, 202: StatisticsJobOut},
    summary="Item statistics of an exam session's complete attempts (202 while computed in the background)",
)
def session_statistics(request: HttpRequest, code: str) -> tuple[int, Any]:
    session = selectors.session_get(actor=request.user, code=code)
    target = session_target(session=session)
    return _answer(item_statistics_get(actor=request.user, target=target, previous=False))


@router.get(
    "/statistics/bank",
    response={200: ItemStatisticsOut, 202: StatisticsJobOut},
    summary="Item statistics of an organisation's questions over every exam that used them (202 while computed in the background)",
)
def bank_statistics(request: HttpRequest, filters: Query[BankFilters]) -> tuple[int, Any]:
    org = org_for(request.user, filters.organization, "learning.view_question")
    target = bank_target(
        organization=org, knowledge_point=filters.knowledge_point, occupation=filters.occupation
    )
    return _answer(item_statistics_get(actor=request.user, target=target, previous=False))
