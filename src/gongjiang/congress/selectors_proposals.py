"""Scoped reads of proposals, suggestions and replying departments."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from gongjiang.core.access import get_visible_or_404

from .models import Delegate
from .models_proposals import Department, Proposal, Suggestion

S = Proposal.Status


def proposal_list(
    *,
    actor: Any,
    status: str = "",
    category: str = "",
    organization: Any = None,
    session: Any = None,
    q: str = "",
) -> QuerySet[Proposal]:
    qs = (
        Proposal.objects.visible_to(actor)
        .select_related("organization", "proposer__worker", "lead_department", "session")
        .annotate(cosigners=Count("cosignatures", distinct=True))
    )
    # a draft is seen by its term's delegates (to co-sign) and by nobody else
    qs = qs.exclude(Q(status=S.DRAFT) & ~Q(term__delegates__worker__user=actor))
    if status == "accepted":
        qs = qs.filter(status__in=Proposal.ACCEPTED_STATES)
    elif status == "replied":
        qs = qs.filter(status__in=Proposal.ACCEPTED_STATES, first_replied_at__isnull=False)
    elif status == "rated":
        qs = qs.exclude(rating="")
    elif status == "satisfied":
        qs = qs.filter(rating__in=("satisfied", "basic"))
    elif status == "submitted":
        qs = qs.exclude(status=S.DRAFT)
    elif status == "overdue":
        qs = qs.filter(status=S.ASSIGNED, escalated_at__isnull=False)
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if session is not None:
        qs = qs.filter(session=session)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q))
    return qs.distinct().order_by("-created_at", "-id")


def proposal_get(*, actor: Any, code: str) -> Proposal:
    proposal = get_visible_or_404(Proposal.objects, actor, None, code=code)
    if (
        proposal.status == S.DRAFT
        and not Delegate.objects.filter(term=proposal.term, worker__user=actor).exists()
        and not getattr(actor, "is_superuser", False)
    ):
        from django.http import Http404

        raise Http404("proposal")
    return proposal


def proposals_to_review(*, actor: Any) -> QuerySet[Proposal]:
    """Submitted proposals (and accepted ones without departments) in the committee's scope."""
    return Proposal.objects.visible_to(actor, "congress.review_proposal").filter(
        status__in=(S.SUBMITTED, S.ACCEPTED, S.RATED)
    )


def replies_due(*, actor: Any) -> QuerySet[Proposal]:
    """Proposals waiting for a reply from a department the user answers for."""
    if not getattr(actor, "is_authenticated", False):
        return Proposal.objects.none()
    return Proposal.objects.filter(status=S.ASSIGNED, lead_department__responders=actor)


def to_rate(*, actor: Any) -> QuerySet[Proposal]:
    if not getattr(actor, "is_authenticated", False):
        return Proposal.objects.none()
    return Proposal.objects.filter(status=S.REPLIED, proposer__worker__user=actor)


def is_responder(user: Any) -> bool:
    """Whether the user answers for a replying department; read once per request (the menu and
    the home page's to-dos both ask) and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_gj_congress_responder", None)
    if cached is None:
        cached = Department.objects.filter(responders=user).exists()
        user._gj_congress_responder = cached
    return cached


def overdue_for(*, actor: Any) -> QuerySet[Proposal]:
    """Escalated proposals still waiting for a reply, in the user's scope: the committee of the
    organisation and the union one level up (or higher) see them among their to-dos."""
    return Proposal.objects.visible_to(actor, "congress.view_proposal").filter(
        status=S.ASSIGNED, escalated_at__isnull=False
    )


def departments_of(organization: Any) -> QuerySet[Department]:
    """Departments that may handle a proposal of ``organization`` (its own and its ancestors')."""
    step = organization.SEGMENT
    prefixes = [organization.path[:i] for i in range(step, len(organization.path) + 1, step)]
    return Department.objects.filter(organization__path__in=prefixes).order_by("name")


def suggestion_list(*, actor: Any, status: str = "") -> QuerySet[Suggestion]:
    qs = Suggestion.objects.visible_to(actor).select_related("organization", "author")
    return qs.filter(status=status) if status else qs


def suggestion_get(*, actor: Any, code: str) -> Suggestion:
    return get_visible_or_404(Suggestion.objects, actor, None, code=code)


def suggestions_to_reply(*, actor: Any) -> QuerySet[Suggestion]:
    return Suggestion.objects.visible_to(actor, "congress.reply_suggestion").filter(
        status__in=(Suggestion.Status.SUBMITTED, Suggestion.Status.RATED)
    )
