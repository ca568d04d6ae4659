"""Exam attempts and results on the worker's profile timeline (workforce.timeline).

The workforce profile is shown only to those who may see the worker; the entries show the exam,
the status and, once released, the result (to the worker themself only when the session's review
options show marks).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Attempt


def exam_entries(worker: Any, actor: Any) -> list[Any]:
    from gongjiang.workforce.timeline import TimelineEntry

    if not getattr(worker, "user_id", None):
        return []
    attempts = (
        Attempt.objects.filter(user_id=worker.user_id, session__is_mock=False)
        .select_related("session")
        .order_by("-started_at")[:50]
    )
    entries = []
    own = getattr(actor, "pk", None) == worker.user_id
    for a in attempts:
        # the candidate sees their marks as the session's review options allow; managers always
        if a.status == Attempt.Status.COMPLETE and (not own or a.marks_visible):
            detail = _("%(percent)s%% · %(verdict)s") % {
                "percent": a.percent,
                "verdict": _("passed") if a.passed else _("not passed"),
            }
        else:
            detail = a.get_status_display()
        entries.append(
            TimelineEntry(
                date=timezone.localdate(a.submitted_at or a.started_at),
                kind="exam",
                title=_("Exam: %(title)s") % {"title": a.session.title},
                detail=str(detail),
            )
        )
    return entries


def register() -> None:
    try:
        from gongjiang.workforce.timeline import register_timeline_provider
    except ImportError:
        return
    register_timeline_provider(exam_entries)
