"""Reads of honours selection, scoped: a round is seen by the organiser's officers (and the roles
above them, who approve) and by the officers of a unit with places in it; a nomination by the
officers of its nominating unit and above. Anything else answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from gongjiang.core import access
from gongjiang.core.models import Organization

from .honours import MANAGE, NOMINATE, composition_of, may_approve
from .models_honours import HonourNomination, HonourQuota, HonourRound

ACTIVE = [s for s in HonourNomination.Status.values if s != "withdrawn"]


def _paths_q(actor: Any, perm: str, field: str) -> Q | None:
    """A filter for ``field`` (an organisation path) inside the actor's scope; None = everything."""
    paths = access.scope_paths(actor, perm)
    if paths is None:
        return None
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def rounds(actor: Any) -> QuerySet[HonourRound]:
    qs = HonourRound.objects.select_related("organization", "notice")
    manage = _paths_q(actor, MANAGE, "organization__path")
    nominate = _paths_q(actor, NOMINATE, "quotas__organization__path")
    if manage is None or nominate is None:
        return qs.order_by("-year", "-id")
    ids = HonourRound.objects.filter(manage | nominate).values("pk")
    return qs.filter(pk__in=ids).order_by("-year", "-id")


def round_get(actor: Any, code: str) -> HonourRound:
    found = rounds(actor).filter(code=code).first()
    if found is None:
        raise Http404("honours round")
    return found


def round_get_for_panel(actor: Any, code: str) -> HonourRound:
    """A round whose review the actor sits on as a panel member (experts may come from anywhere),
    or one they may see; 404 otherwise."""
    uid = getattr(actor, "pk", None)
    found = (
        HonourRound.objects.filter(code=code, review__panel__user_id=uid).first()
        if uid is not None
        else None
    )
    return found or round_get(actor, code)


def manages(actor: Any, round_: HonourRound) -> bool:
    return access.can(actor, MANAGE, round_.organization)


def units(actor: Any, round_: HonourRound) -> list[HonourQuota]:
    """The round's quotas of the units the actor may nominate for."""
    qs = HonourQuota.objects.filter(round=round_).select_related("organization")
    where = _paths_q(actor, NOMINATE, "organization__path")
    if where is not None:
        qs = qs.filter(where)
    return list(qs.order_by("organization__path"))


def nominations(
    actor: Any, round_: HonourRound, unit: Organization | None = None
) -> QuerySet[HonourNomination]:
    """The round's standing nominations the actor may see (of one unit when given)."""
    qs = (
        HonourNomination.objects.visible_to(actor, NOMINATE)
        .filter(round=round_, status__in=ACTIVE)
        .select_related("worker", "worker__organization", "organization", "review_item")
    )
    if unit is not None:
        qs = qs.filter(organization=unit)
    return qs.order_by("organization__path", "id")


def nomination_get(actor: Any, code: str) -> HonourNomination:
    return access.get_visible_or_404(
        HonourNomination.objects.select_related("round", "organization", "worker"),
        actor,
        NOMINATE,
        code=code,
    )


def composition_view(
    actor: Any, round_: HonourRound, unit: Organization | None = None
) -> list[dict[str, Any]]:
    """The composition bars of the list the actor sees: one unit's, or — for the organiser —
    the whole round's (every count inside the actor's scope)."""
    rows = list(nominations(actor, round_, unit))
    if round_.state in (HonourRound.State.NOTICE, HonourRound.State.APPROVED):
        rows = [n for n in rows if n.status in ("selected", "honoured")]
    out = []
    for rule, state in composition_of(round_, rows):
        out.append(
            {
                "rule": rule,
                "categories": rule.category_list(),
                "bound": rule.bound,
                "percent": rule.percent,
                "count": state.count,
                "total": state.total,
                "share": round(state.share, 1),
                "met": state.met,
            }
        )
    return out


def rounds_to_approve(actor: Any) -> QuerySet[HonourRound]:
    """Rounds in notice whose organiser's parent lies in the actor's approval scope."""
    qs = HonourRound.objects.filter(state=HonourRound.State.NOTICE)
    where = _paths_q(actor, "careers.honours_approve", "organization__parent__path")
    return qs.filter(where) if where is not None else qs


__all__ = ["may_approve"]


def rounds_returned(actor: Any) -> QuerySet[HonourRound]:
    """Rounds the level above returned that take nominations again, organised in the actor's
    management scope (the organiser's to-do: revise and resubmit)."""
    from gongjiang.core.models import AuditEvent

    from .honours import RETURN

    returned = AuditEvent.objects.filter(action=RETURN).values("object_code")
    qs = HonourRound.objects.filter(state=HonourRound.State.NOMINATING, code__in=returned)
    where = _paths_q(actor, MANAGE, "organization__path")
    return qs.filter(where) if where is not None else qs


def rounds_open_for(actor: Any) -> QuerySet[HonourRound]:
    """Rounds taking nominations in which a unit in the actor's scope has places."""
    qs = HonourRound.objects.filter(state=HonourRound.State.NOMINATING)
    where = _paths_q(actor, NOMINATE, "quotas__organization__path")
    if where is None:
        return qs
    return qs.filter(pk__in=HonourRound.objects.filter(where).values("pk"))
