"""Item statistics in the API: an exam session's and a question bank's, in the shape of
``gongjiang item-stats --json`` (see docs/learning-item-statistics.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from . import selectors
from .statistics import bank_item_statistics, session_item_statistics

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


class ItemStatisticsOut(Schema):
    exam: ExamFiguresOut
    questions: list[QuestionFiguresOut]


class BankFilters(Schema):
    organization: str = Field(..., min_length=1, max_length=20)
    knowledge_point: str = Field("", max_length=100)
    occupation: str = Field("", max_length=20)


@router.get(
    "/sessions/{code}/statistics",
    response=ItemStatisticsOut,
    summary="Item statistics of an exam session's complete attempts",
)
def session_statistics(request: HttpRequest, code: str) -> dict[str, Any]:
    session = selectors.session_get(actor=request.user, code=code)
    return session_item_statistics(session=session).as_json()


@router.get(
    "/statistics/bank",
    response=ItemStatisticsOut,
    summary="Item statistics of an organisation's questions over every exam that used them",
)
def bank_statistics(request: HttpRequest, filters: Query[BankFilters]) -> dict[str, Any]:
    from .api import org_for  # here: api.py mounts this module's router

    org = org_for(request.user, filters.organization, "learning.view_question")
    return bank_item_statistics(
        organization=org,
        knowledge_point=filters.knowledge_point,
        occupation=filters.occupation,
    ).as_json()
