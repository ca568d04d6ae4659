"""Reads of public notices. A notice is seen by the members of its audience subtree (and by the
roles above it) only while it is open; its owner's officers see all of theirs. Anything else
answers like missing (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .. import access
from ..models import Organization
from .models import NoticeObjection, PublicNotice

MANAGE = "core.change_publicnotice"


def _prefixes(path: str) -> list[str]:
    step = Organization.SEGMENT
    return [path[: i + step] for i in range(0, len(path), step)]


def audience_q(actor: Any) -> Q:
    """Notices whose audience covers one of the actor's organisations (the audience is the
    organisation itself or above it), or lies inside one (an officer above the audience)."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return Q()
    q = Q(pk__in=[])
    for _role, path, _org in access.memberships_of(actor):
        q |= Q(audience__path__in=_prefixes(path)) | Q(audience__path__startswith=path)
    return q


def is_in_audience(actor: Any, notice: PublicNotice) -> bool:
    return PublicNotice.objects.filter(audience_q(actor), pk=notice.pk).exists()


def notices_current_for(*, actor: Any, on: dt.date | None = None) -> QuerySet[PublicNotice]:
    """The notices open today (or on ``on``) for the actor: started, not past their last day, not
    withdrawn. Ended and withdrawn notices are never listed here."""
    day = on or timezone.localdate()
    if not getattr(actor, "is_authenticated", False):
        return PublicNotice.objects.none()
    return (
        PublicNotice.objects.filter(audience_q(actor))
        .filter(starts_on__lte=day, ends_on__gte=day, withdrawn_at__isnull=True)
        .select_related("organization", "audience")
        .order_by("ends_on", "id")
    )


def notices_managed(*, actor: Any) -> QuerySet[PublicNotice]:
    """Every notice (open, scheduled, ended, withdrawn) of the organisations the actor manages."""
    return PublicNotice.objects.visible_to(actor, MANAGE).select_related("organization", "audience")


def public_notice_get(*, actor: Any, code: str) -> PublicNotice:
    """A notice the actor manages, or one currently open for them; otherwise 404."""
    notice = notices_managed(actor=actor).filter(code=code).first()
    if notice is None:
        notice = notices_current_for(actor=actor).filter(code=code).first()
    if notice is None:
        raise Http404("notice")
    return notice


def notice_objections(*, actor: Any, notice: PublicNotice) -> QuerySet[NoticeObjection]:
    """All objections for the notice's managers; one's own for anyone else."""
    qs = NoticeObjection.objects.filter(notice=notice).select_related("user", "replied_by")
    if access.can(actor, MANAGE, notice.organization):
        return qs
    return qs.filter(user=actor) if getattr(actor, "is_authenticated", False) else qs.none()
