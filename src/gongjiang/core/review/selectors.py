"""Reads of review rounds: the rounds an officer manages, the rounds a panel member sits on, and a
member's worksheet (items with their conflicts). Anything else answers like missing (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .conflicts import affiliations, review_conflict_reason
from .models import ReviewItem, ReviewRound

VIEW = "core.view_reviewround"


def review_rounds_managed(*, actor: Any) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.visible_to(actor, VIEW).select_related("organization")


def review_rounds_on_panel(*, actor: Any) -> QuerySet[ReviewRound]:
    if not getattr(actor, "is_authenticated", False):
        return ReviewRound.objects.none()
    return ReviewRound.objects.filter(panel__user=actor).select_related("organization")


def review_round_get(*, actor: Any, code: str) -> ReviewRound:
    """A round the actor manages or sits on the panel of; otherwise 404."""
    managed = ReviewRound.objects.visible_to(actor, VIEW).values("pk")
    on_panel = ReviewRound.objects.filter(panel__user_id=getattr(actor, "pk", None)).values("pk")
    round_ = (
        ReviewRound.objects.filter(Q(pk__in=managed) | Q(pk__in=on_panel), code=code)
        .select_related("organization")
        .first()
    )
    if round_ is None:
        raise Http404("review round")
    return round_


def review_items(*, actor: Any, round: ReviewRound) -> QuerySet[ReviewItem]:  # noqa: A002
    """The round's items in rank order, for its managers and panel (404 for anyone else)."""
    round_ = review_round_get(actor=actor, code=round.code)
    return round_.items.select_related("organization", "round__organization").order_by("rank", "id")


def panel_worksheet(*, actor: Any, round: ReviewRound) -> list[dict[str, Any]]:  # noqa: A002
    """For a panel member: each item with why they may not score it (None when they may)."""
    items = review_items(actor=actor, round=round)
    memberships = affiliations(actor)  # once, not once an item
    return [
        {"item": item, "conflict": review_conflict_reason(actor, item, memberships=memberships)}
        for item in items
    ]
