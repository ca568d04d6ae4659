"""Proposal rates (立案率, 答复率, 办结率, 满意率, median days to reply) over a subtree.

* submitted — proposals submitted (every state but draft);
* accepted — accepted at some point (accepted, assigned, replied, rated, closed);
* replied — accepted proposals with at least one written reply;
* closed — closed (办结);
* rated — proposals whose latest reply has a rating; satisfied — rated satisfied or basically so;
* median_reply_days — median of the days from assignment to the first reply (one decimal).

Rates are fractions 0–1, None when the denominator is 0. One aggregate query (plus one for the
median), grouped per session, organisation or category for the breakdowns.
"""

from __future__ import annotations

import statistics
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization

from .models import Session
from .models_proposals import Category, Proposal, Rating

S = Proposal.Status
ACCEPTED = Proposal.ACCEPTED_STATES
SATISFIED = (Rating.SATISFIED, Rating.BASIC)

AGGREGATES = {
    "submitted": Count("id", filter=~Q(status=S.DRAFT)),
    "accepted": Count("id", filter=Q(status__in=ACCEPTED)),
    "replied": Count("id", filter=Q(status__in=ACCEPTED, first_replied_at__isnull=False)),
    "closed": Count("id", filter=Q(status=S.CLOSED)),
    "rated": Count("id", filter=~Q(rating="")),
    "satisfied": Count("id", filter=Q(rating__in=SATISFIED)),
}


def ratio(numerator: int, denominator: int) -> float | None:
    return None if not denominator else float(Fraction(numerator, denominator))


def with_rates(counts: dict[str, Any]) -> dict[str, Any]:
    out = {k: int(counts.get(k) or 0) for k in AGGREGATES}
    out["acceptance_rate"] = ratio(out["accepted"], out["submitted"])
    out["reply_rate"] = ratio(out["replied"], out["accepted"])
    out["closure_rate"] = ratio(out["closed"], out["accepted"])
    out["satisfaction_rate"] = ratio(out["satisfied"], out["rated"])
    return out


def median_reply_days(qs: QuerySet[Proposal]) -> float | None:
    spans = [
        (replied - assigned).total_seconds() / 86400
        for assigned, replied in qs.filter(
            status__in=ACCEPTED, first_replied_at__isnull=False, assigned_at__isnull=False
        ).values_list("assigned_at", "first_replied_at")
    ]
    return round(statistics.median(spans), 1) if spans else None


def rates(qs: QuerySet[Proposal]) -> dict[str, Any]:
    out = with_rates(qs.aggregate(**AGGREGATES))
    out["median_reply_days"] = median_reply_days(qs)
    return out


def rates_by(qs: QuerySet[Proposal], field: str) -> list[dict[str, Any]]:
    """One row of counts and rates per value of ``field`` (``session``, ``organization``, ``category``)."""
    rows = qs.order_by().values(field).annotate(**AGGREGATES).order_by(field)
    return [{"key": row[field], **with_rates(row)} for row in rows]


def rates_by_category(qs: QuerySet[Proposal]) -> list[dict[str, Any]]:
    """One row per category with a proposal in ``qs`` (in the order of ``Category``): the counts,
    the rates and the median days to reply. Two queries."""
    rows = {r["key"]: r for r in rates_by(qs, "category")}
    spans: dict[str, list[float]] = {}
    for category, assigned, replied in qs.filter(
        status__in=ACCEPTED, first_replied_at__isnull=False, assigned_at__isnull=False
    ).values_list("category", "assigned_at", "first_replied_at"):
        spans.setdefault(category, []).append((replied - assigned).total_seconds() / 86400)
    out = []
    for value, label in Category.choices:
        if value in rows:
            median = round(statistics.median(spans[value]), 1) if spans.get(value) else None
            out.append(
                {**rows[value], "category": value, "label": str(label), "median_reply_days": median}
            )
    return out


def scope(
    *,
    actor: Any,
    organization: str,
    session: str | None = None,
    category: str | None = None,
) -> QuerySet[Proposal]:
    """The proposals of an organisation's subtree (404 outside the actor's proposal scope),
    optionally of one session of it and of one category."""
    org = get_visible_or_404(
        Organization.objects, actor, "congress.view_proposal", code=organization
    )
    access.require(actor, "congress.view_proposal", org)
    qs = Proposal.objects.filter(organization__path__startswith=org.path)
    if session:
        found = Session.objects.filter(
            code=session, term__organization__path__startswith=org.path
        ).first()
        if found is None:
            from django.http import Http404

            raise Http404("session")
        qs = qs.filter(session=found)
    if category:
        if category not in Category.values:
            raise ApplicationError(
                _("Unknown category."),
                details=[{"field": "category", "error": _("Select a valid choice.")}],
            )
        qs = qs.filter(category=category)
    return qs


def proposal_rates(
    *, actor: Any, organization: str, session: str | None = None, category: str | None = None
) -> dict[str, Any]:
    """The contract of GET /api/v1/congress/proposal-rates (``category`` optional)."""
    return rates(scope(actor=actor, organization=organization, session=session, category=category))


def proposal_rates_by_category(
    *, actor: Any, organization: str, session: str | None = None
) -> list[dict[str, Any]]:
    """GET /api/v1/congress/proposal-rates/by-category: one row per category."""
    return rates_by_category(scope(actor=actor, organization=organization, session=session))
