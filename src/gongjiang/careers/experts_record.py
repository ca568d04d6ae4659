"""An expert appointment in the worker's record: an entry of the profile timeline
(workforce.timeline) for each term, and a badge (core.profile_badges) while a term is in force.
Both only for viewers who may read the worker's careers (or the worker themself)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.profile_badges import Badge, register
from gongjiang.workforce.timeline import TimelineEntry, register_timeline_provider

from .experts import not_revoked_on
from .models_experts import ExpertAppointment

KEY = "careers.expert"


def _may_see(viewer: Any, worker: Any) -> bool:
    own = worker.user_id is not None and worker.user_id == getattr(viewer, "pk", None)
    return own or access.can(viewer, "careers.view", worker.organization)


@register_timeline_provider
def expert_entries(worker: Any, actor: Any) -> list[TimelineEntry]:
    if not _may_see(actor, worker):
        return []
    out = []
    for a in ExpertAppointment.objects.filter(worker=worker).select_related("renewed_from"):
        title = (
            _("Expert level renewed: %(level)s") if a.renewed_from_id else _("Appointed %(level)s")
        ) % {"level": a.level_name}
        url = reverse("careers:expert_appointment", args=[a.code])
        out.append(
            TimelineEntry(
                a.term_start,
                "expert",
                title,
                _("term %(start)s to %(end)s") % {"start": a.term_start, "end": a.term_end},
                url=url,
            )
        )
        if a.revoked_on is not None:
            out.append(
                TimelineEntry(
                    a.revoked_on,
                    "expert",
                    _("Expert level revoked: %(level)s") % {"level": a.level_name},
                    a.revocation_reason,
                    url=url,
                )
            )
    return out


@register(KEY)
def expert_badges(viewer: Any, worker: Any) -> list[Badge]:
    if not _may_see(viewer, worker):
        return []
    today = timezone.localdate()
    a = (
        ExpertAppointment.objects.filter(worker=worker, term_start__lte=today, term_end__gte=today)
        .filter(not_revoked_on(today))
        .order_by("level__rank")
        .first()
    )
    if a is None:
        return []
    return [
        Badge(
            KEY,
            _("%(level)s (until %(end)s)") % {"level": a.level_name, "end": a.term_end},
            reverse("careers:expert_appointment", args=[a.code]),
            icon="patch-check",
        )
    ]
