"""Adopted results on each team member's worker timeline (workforce.timeline provider)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.workforce.timeline import TimelineEntry, register_timeline_provider

from .models import Result, TeamMember


@register_timeline_provider
def innovation_entries(worker: Any, actor: Any) -> list[TimelineEntry]:
    rows = (
        TeamMember.objects.filter(worker=worker, result__status__in=Result.ADOPTED_STATES)
        .select_related("result")
        .order_by("-result__reviewed_on")
    )
    visible = set(
        Result.objects.visible_to(actor).filter(members__worker=worker).values_list("pk", flat=True)
    )
    out = []
    for m in rows:
        r = m.result
        out.append(
            TimelineEntry(
                r.reviewed_on or r.created_at.date(),
                "innovation",
                _("Innovation result: %(title)s") % {"title": r.title},
                " · ".join(
                    (
                        r.get_kind_display(),
                        r.get_status_display(),
                        _("contribution %(c)s %%") % {"c": m.contribution},
                    )
                ),
                url=reverse("innovation:result_detail", args=[r.code]) if r.pk in visible else "",
            )
        )
    return out
