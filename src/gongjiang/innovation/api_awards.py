"""Innovation-award endpoints at /api/v1/innovation/awards/: rounds, nominations, the panel
member's own score sheet, ranking and the published list. The same services as the pages
(``awards``, ``core.review``); a round out of the caller's sight answers 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from gongjiang.core import access
from gongjiang.core.review.conflicts import review_conflict_reason
from gongjiang.core.review.models import PanelMember, ReviewItem, ReviewScore
from gongjiang.core.review.services import review_score_save
from gongjiang.core.schemas import StrictSchema, page_query

from . import awards
from .listing import TOTAL_HEADER, page_slice
from .models import AwardRound, Result

router = Router(tags=["innovation awards"])


class InnovationAwardRoundRow(Schema):
    code: str
    title: str
    year: int
    state: str
    organization: str
    organization_name: str


class InnovationAwardNominationOut(Schema):
    code: str
    result: str
    title: str
    employer_name: str
    unit: str
    spread: bool
    total: Decimal | None
    rank: int | None
    grade: str


class InnovationAwardRoundOut(InnovationAwardRoundRow):
    manages: bool
    on_panel: bool
    nominations: list[InnovationAwardNominationOut]


class InnovationAwardNominateIn(StrictSchema):
    result: str = Field(..., min_length=1, max_length=20)
    unit: str = Field(..., min_length=1, max_length=20)
    spread: bool = False


class InnovationAwardCriterionOut(Schema):
    id: int
    name: str
    weight: Decimal
    max_score: Decimal


class InnovationAwardSheetItem(Schema):
    item: str
    label: str
    conflict: str | None
    scores: dict[str, Decimal | None]


class InnovationAwardSheetOut(Schema):
    round: str
    open: bool
    criteria: list[InnovationAwardCriterionOut]
    items: list[InnovationAwardSheetItem]


class InnovationAwardScoreIn(StrictSchema):
    item: str = Field(..., min_length=1, max_length=20)
    criterion: int = Field(..., ge=1, le=2**31 - 1)
    score: Decimal = Field(..., ge=0, le=Decimal("9999.99"), max_digits=6, decimal_places=2)


class InnovationAwardScoresIn(StrictSchema):
    scores: list[InnovationAwardScoreIn] = Field(..., min_length=1, max_length=500)


class InnovationAwardWinnerOut(Schema):
    rank: int | None
    grade: str
    title: str
    employer_name: str
    names: list[str]


class InnovationAwardPublishedOut(Schema):
    code: str
    title: str
    published_on: dt.date | None
    winners: list[InnovationAwardWinnerOut]


def _round(request: HttpRequest, code: str) -> AwardRound:
    try:
        return (
            AwardRound.objects.visible_to(request.user)
            .select_related("organization", "review")
            .get(code=code[:20])
        )
    except AwardRound.DoesNotExist as exc:
        raise Http404("award round") from exc


def _manages(user: Any, round_: AwardRound) -> bool:
    return awards.manages(user, round_)


def _units(user: Any, round_: AwardRound) -> list[Any]:
    return [q.organization for q in awards.nominating_quotas(user, round_)]


def _row(r: AwardRound) -> dict[str, Any]:
    return {
        "code": r.code,
        "title": r.title,
        "year": r.year,
        "state": r.state,
        "organization": r.organization.code,
        "organization_name": r.organization.name,
    }


def _nomination(n: Any, show_scores: bool) -> dict[str, Any]:
    item = n.item if show_scores else None
    return {
        "code": n.code,
        "result": n.result.code,
        "title": n.result.title,
        "employer_name": n.result.employer.name,
        "unit": n.organization.code,
        "spread": n.spread,
        "total": item.total if item else None,
        "rank": item.rank if item else None,
        "grade": item.grade if item else "",
    }


def _round_out(request: HttpRequest, r: AwardRound) -> dict[str, Any]:
    ranked = r.state not in (AwardRound.State.NOMINATING, AwardRound.State.REVIEWING)
    return {
        **_row(r),
        "manages": _manages(request.user, r),
        "on_panel": r.review.panel.filter(user=request.user).exists(),
        "nominations": [
            _nomination(n, ranked) for n in awards.nominations_visible(request.user, r)
        ],
    }


#: rounds per page of ``GET /awards``
ROUND_PAGE = 200


@router.get(
    "",
    response=list[InnovationAwardRoundRow],
    summary="Award rounds the caller sees",
    description=(
        f"At most {ROUND_PAGE} rounds a page, newest year first; `page` (from 1) gives the next "
        "ones and the header `X-Total-Count` tells how many there are in all."
    ),
)
def round_list_api(request: HttpRequest, response: HttpResponse, page: int = page_query()) -> Any:
    visible = (
        AwardRound.objects.visible_to(request.user)
        .select_related("organization")
        .order_by("-year", "-id")
    )
    rounds = list(page_slice(response, visible, page, ROUND_PAGE))
    if not (access.can(request.user, "innovation.view_award") or response[TOTAL_HEADER] != "0"):
        raise PermissionDenied("innovation.view_award")
    return [_row(r) for r in rounds]


@router.get("/{code}", response=InnovationAwardRoundOut, summary="A round with its nominations")
def round_get_api(request: HttpRequest, code: str) -> Any:
    return _round_out(request, _round(request, code))


@router.post(
    "/{code}/nominations", response={201: InnovationAwardRoundOut}, summary="Nominate a result"
)
def nominate_api(request: HttpRequest, code: str, payload: InnovationAwardNominateIn) -> Any:
    round_ = _round(request, code)
    unit = next((u for u in _units(request.user, round_) if u.code == payload.unit), None)
    if unit is None:
        raise Http404("unit")
    result = Result.objects.adopted().filter(code=payload.result).first()
    if result is None:
        raise Http404("result")
    awards.nomination_add(
        actor=request.user, round=round_, result=result, organization=unit, spread=payload.spread
    )
    return 201, _round_out(request, round_)


def _member(request: HttpRequest, round_: AwardRound) -> PanelMember:
    member = PanelMember.objects.filter(round=round_.review, user=request.user).first()
    if member is None:
        raise Http404("panel")
    return member


@router.get("/{code}/sheet", response=InnovationAwardSheetOut, summary="My score sheet (panel)")
def sheet_api(request: HttpRequest, code: str) -> Any:
    round_ = _round(request, code)
    member = _member(request, round_)
    criteria = list(round_.review.criteria.all())
    items = ReviewItem.objects.filter(round=round_.review).select_related(
        "organization", "round__organization"
    )
    mine = {(s.item_id, s.criterion_id): s.score for s in ReviewScore.objects.filter(member=member)}
    return {
        "round": round_.code,
        "open": round_.review.state == "open",
        "criteria": [
            {"id": c.pk, "name": c.name, "weight": c.weight, "max_score": c.max_score}
            for c in criteria
        ],
        "items": [
            {
                "item": i.code,
                "label": i.label,
                "conflict": review_conflict_reason(request.user, i) or None,
                "scores": {str(c.pk): mine.get((i.pk, c.pk)) for c in criteria},
            }
            for i in items
        ],
    }


@router.post("/{code}/scores", response=InnovationAwardSheetOut, summary="Save my scores (panel)")
def scores_api(request: HttpRequest, code: str, payload: InnovationAwardScoresIn) -> Any:
    """All or nothing: one refused score (conflict, above the maximum) saves none."""
    from django.db import transaction

    round_ = _round(request, code)
    _member(request, round_)
    items = {i.code: i for i in ReviewItem.objects.filter(round=round_.review)}
    criteria = {c.pk: c for c in round_.review.criteria.all()}
    with transaction.atomic():
        for s in payload.scores:
            if s.item not in items or s.criterion not in criteria:
                raise Http404("item or criterion")
            review_score_save(
                actor=request.user,
                item=items[s.item],
                criterion=criteria[s.criterion],
                score=s.score,
            )
    return sheet_api(request, code)


@router.post("/{code}/finalise", response=InnovationAwardRoundOut, summary="Rank and grade")
def finalise_api(request: HttpRequest, code: str) -> Any:
    round_ = _round(request, code)
    if not _manages(request.user, round_):
        raise PermissionDenied(awards.MANAGE)
    awards.award_round_finalise(actor=request.user, round=round_)
    return _round_out(request, _round(request, code))


@router.get("/{code}/ranking", response=list[InnovationAwardNominationOut], summary="Ranking")
def ranking_api(request: HttpRequest, code: str) -> Any:
    """Every ranked nomination: the managers once ranked, others once published."""
    round_ = _round(request, code)
    ranked = round_.state not in (AwardRound.State.NOMINATING, AwardRound.State.REVIEWING)
    if not ranked or (
        not _manages(request.user, round_) and round_.state != AwardRound.State.PUBLISHED
    ):
        raise Http404("ranking")
    rows = (
        round_.nominations.select_related("result", "result__employer", "organization", "item")
        .filter(item__isnull=False)
        .order_by("item__rank", "id")
    )
    return [_nomination(n, True) for n in rows]


@router.get("/{code}/published", response=InnovationAwardPublishedOut, summary="Published list")
def published_api(request: HttpRequest, code: str) -> Any:
    round_ = _round(request, code)
    if round_.state != AwardRound.State.PUBLISHED:
        raise Http404("published list")
    winners = awards.winners(round_)
    names: dict[int, list[str]] = {}
    for n in winners:
        names[n.pk] = [m.worker.name for m in n.result.members.select_related("worker")]
    return {
        "code": round_.code,
        "title": round_.title,
        "published_on": round_.published_on,
        "winners": [
            {
                "rank": n.item.rank,
                "grade": n.item.grade,
                "title": n.result.title,
                "employer_name": n.result.employer.name,
                "names": names[n.pk],
            }
            for n in winners
        ],
    }
