"""Scoped reads of the congress app: terms, delegates and their composition, sessions, votes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from . import rules as R
from .models import (
    Attendance,
    Choice,
    Delegate,
    OpenBallot,
    SecretParticipation,
    SecretTally,
    Session,
    Term,
    Vote,
)

VIEW = "congress.view"


def organization_get(*, actor: Any, code: str, perm: str = VIEW) -> Organization:
    return get_visible_or_404(Organization.objects, actor, perm, code=code)


def term_list(*, actor: Any) -> QuerySet[Term]:
    return (
        Term.objects.visible_to(actor, VIEW)
        .select_related("organization")
        .annotate(serving=Count("delegates", filter=Q(delegates__active=True)))
    )


def terms_of_delegate(*, actor: Any) -> QuerySet[Term]:
    """Terms in which the user holds a seat."""
    if not getattr(actor, "is_authenticated", False):
        return Term.objects.none()
    return Term.objects.filter(delegates__worker__user=actor, delegates__active=True).distinct()


def term_get(*, actor: Any, code: str) -> Term:
    """A term for its union's staff, or for one of its delegates."""
    term = Term.objects.filter(code=code).select_related("organization").first()
    if term is not None:
        if Term.objects.visible_to(actor, VIEW).filter(pk=term.pk).exists():
            return term
        if terms_of_delegate(actor=actor).filter(pk=term.pk).exists():
            return term
    from django.http import Http404

    raise Http404("term")


def session_get(*, actor: Any, code: str) -> Session:
    session = Session.objects.filter(code=code).select_related("term__organization").first()
    if session is not None:
        term_get(actor=actor, code=session.term.code)
        return session
    from django.http import Http404

    raise Http404("session")


def vote_get(*, actor: Any, code: str) -> Vote:
    vote = Vote.objects.filter(code=code).select_related("session__term__organization").first()
    if vote is not None:
        term_get(actor=actor, code=vote.session.term.code)
        return vote
    from django.http import Http404

    raise Http404("vote")


def serving(term: Term) -> QuerySet[Delegate]:
    return Delegate.objects.filter(term=term, active=True)


def term_counts(term: Term) -> R.Counts:
    """The workforce of the term's union subtree and the serving delegates, by the rules' groups
    (two COUNT queries)."""
    workforce = Worker.objects.filter(
        organization__path__startswith=term.organization.path, status=Worker.Status.ACTIVE
    ).aggregate(
        total=Count("id"),
        women=Count("id", filter=Q(gender=Worker.Gender.FEMALE)),
        dispatched=Count("id", filter=Q(employment_type=Worker.EmploymentType.DISPATCHED)),
    )
    seats = serving(term).aggregate(
        total=Count("id"),
        management=Count("id", filter=Q(category__in=Delegate.MANAGEMENT)),
        women=Count("id", filter=Q(worker__gender=Worker.Gender.FEMALE)),
        dispatched=Count("id", filter=Q(worker__employment_type=Worker.EmploymentType.DISPATCHED)),
    )
    return R.Counts(
        workforce=workforce["total"],
        workforce_women=workforce["women"],
        workforce_dispatched=workforce["dispatched"],
        delegates=seats["total"],
        management=seats["management"],
        women=seats["women"],
        dispatched=seats["dispatched"],
    )


def term_composition(term: Term) -> tuple[R.Counts, list[R.Check]]:
    counts = term_counts(term)
    return counts, R.composition_checks(
        counts, R.rules_for(term.organization), assembly=term.kind == Term.Kind.ASSEMBLY
    )


def vote_result(vote: Vote) -> dict[str, Any]:
    """The public result of a vote (the contract of GET /api/v1/congress/votes/{code}): all
    delegates of the term and those signed in to the session — frozen when the vote closed."""
    term = vote.session.term
    if vote.status == Vote.Status.CLOSED and vote.delegates_at_close is not None:
        delegates = vote.delegates_at_close
        present = vote.present_at_close or 0
    else:
        delegates = serving(term).count()
        present = Attendance.objects.filter(session=vote.session, delegate__active=True).count()
    if vote.secret:
        tally = dict(SecretTally.objects.filter(vote=vote).values_list("choice", "count"))
    else:
        tally = dict(
            OpenBallot.objects.filter(vote=vote)
            .values("choice")
            .annotate(n=Count("id"))
            .values_list("choice", "n")
        )
    counts = {c: int(tally.get(c, 0)) for c in Choice.values}
    rules = R.rules_for(term.organization)
    return {
        "delegates": delegates,
        "present": present,
        "for": counts["for"],
        "against": counts["against"],
        "abstain": counts["abstain"],
        "quorate": R.quorate(present, delegates, rules),
        "passed": R.passed(counts["for"], present, delegates, rules),
        "secret": vote.secret,
    }


def has_voted(vote: Vote, delegate: Delegate | None) -> bool:
    if delegate is None:
        return False
    model = SecretParticipation if vote.secret else OpenBallot
    return model.objects.filter(vote=vote, delegate=delegate).exists()


def votes_open_for(*, actor: Any) -> QuerySet[Vote]:
    """Open votes of sessions the user signed in to as a delegate and has not voted in yet."""
    if not getattr(actor, "is_authenticated", False):
        return Vote.objects.none()
    seats = Delegate.objects.filter(worker__user=actor, active=True)
    return (
        Vote.objects.filter(
            status=Vote.Status.OPEN,
            session__attendance__delegate__in=seats,
        )
        .exclude(open_ballots__delegate__in=seats)
        .exclude(participations__delegate__in=seats)
        .distinct()
    )


def unions_without_session(*, actor: Any, year: int | None = None) -> QuerySet[Organization]:
    """Unions in scope with a serving term and no session held this year (flagged on the dashboard)."""
    year = year or timezone.localdate().year
    held = Session.objects.filter(held_on__year=year).values("term__organization_id")
    return (
        Organization.objects.filter(
            pk__in=Term.objects.visible_to(actor, VIEW)
            .filter(status=Term.Status.ACTIVE)
            .values("organization_id")
        )
        .exclude(pk__in=held)
        .order_by("path")
    )
