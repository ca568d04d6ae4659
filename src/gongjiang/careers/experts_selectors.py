"""Reads of expert-level selection, scoped: a call is seen by the managers and appointers of its
enterprise's subtree (and by its reviewers), an application by cadres over the worker's union and
by the worker, an appointment like every careers read of a worker. Anything else answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongjiang.core import access
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.notices.selectors import is_in_audience
from gongjiang.core.scoping import prefix_q
from gongjiang.workforce.models import Worker

from . import experts_rules
from .experts import APPLY, APPOINT, MANAGE, conditions_for
from .models_experts import ExpertApplication, ExpertAppointment, ExpertCall

VIEW = "careers.view"


def _scope(actor: Any, perm: str, field: str) -> Q | None:
    paths = access.scope_paths(actor, perm)
    if paths is None:
        return None
    return prefix_q(field, paths) if paths else Q(pk__in=[])


def calls(actor: Any) -> QuerySet[ExpertCall]:
    qs = ExpertCall.objects.select_related("organization", "level", "notice")
    manage = _scope(actor, MANAGE, "organization__path")
    appoint = _scope(actor, APPOINT, "organization__path")
    if manage is None or appoint is None:
        return qs.order_by("-year", "-id")
    return qs.filter(manage | appoint).order_by("-year", "-id")


def call_get(actor: Any, code: str) -> ExpertCall:
    found = calls(actor).filter(code=code).first()
    if found is None:
        raise Http404("expert call")
    return found


def call_get_for_panel(actor: Any, code: str) -> ExpertCall:
    """A call whose review the actor sits on, or one they may see; 404 otherwise."""
    uid = getattr(actor, "pk", None)
    if uid is not None:
        found = (
            ExpertCall.objects.select_related("organization", "level", "notice")
            .filter(code=code, review__panel__user_id=uid)
            .first()
        )
        if found is not None:
            return found
    return call_get(actor, code)


def is_reviewer(actor: Any, call: ExpertCall) -> bool:
    uid = getattr(actor, "pk", None)
    return bool(uid and call.review_id and call.review.panel.filter(user_id=uid).exists())


def manages(actor: Any, call: ExpertCall) -> bool:
    return access.can(actor, MANAGE, call.organization)


def applications(actor: Any, call: ExpertCall) -> QuerySet[ExpertApplication]:
    """The call's applications the actor may see (withdrawn ones left out)."""
    return (
        ExpertApplication.objects.visible_to(actor, APPLY)
        .filter(call=call)
        .exclude(status=ExpertApplication.Status.WITHDRAWN)
        .select_related("worker", "worker__organization", "organization", "unit", "review_item")
        .order_by("review_item__rank", "id")
    )


def application_get(actor: Any, code: str) -> ExpertApplication:
    """Seen by cadres over the worker's union and by the worker themself."""
    qs = ExpertApplication.objects.select_related(
        "call", "call__level", "call__organization", "worker", "organization", "review_item"
    )
    uid = getattr(actor, "pk", None)
    found = qs.visible_to(actor, APPLY).filter(code=code).first()
    if found is None and uid is not None:
        found = qs.filter(code=code, worker__user_id=uid).first()
    if found is None:
        raise Http404("expert application")
    return found


def appointments(actor: Any) -> QuerySet[ExpertAppointment]:
    return ExpertAppointment.objects.visible_to(actor, VIEW).select_related(
        "worker", "worker__organization", "level", "organization"
    )


def appointment_get(actor: Any, code: str) -> ExpertAppointment:
    found = appointments(actor).filter(code=code).first()
    uid = getattr(actor, "pk", None)
    if found is None and uid is not None:
        found = ExpertAppointment.objects.filter(code=code, worker__user_id=uid).first()
    if found is None:
        raise Http404("expert appointment")
    return found


# ------------------------------------------------------------------ the worker's own
def my_worker(actor: Any) -> Worker | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Worker.objects.select_related("organization").filter(user=actor).first()


def open_calls_for(worker: Worker, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The calls of the worker's enterprise taking applications, each with the worker's
    conditions and their own application, if any."""
    on = on or timezone.localdate()
    prefixes = _ancestors(worker.organization.path)
    rows = (
        ExpertCall.objects.filter(
            state=ExpertCall.State.OPEN, closes_on__gte=on, organization__path__in=prefixes
        )
        .select_related("level", "organization")
        .order_by("level__rank")
    )
    mine = {
        a.call_id: a
        for a in ExpertApplication.objects.filter(worker=worker).exclude(
            status=ExpertApplication.Status.WITHDRAWN
        )
    }
    out = []
    for call in rows:
        conditions = conditions_for(call.level, worker, on)
        out.append(
            {
                "call": call,
                "conditions": conditions,
                "eligible": all(c["met"] for c in conditions),
                "application": mine.get(call.pk),
            }
        )
    return out


def _ancestors(path: str) -> list[str]:
    from gongjiang.core.models import Organization

    step = Organization.SEGMENT
    return [path[:i] for i in range(step, len(path) + 1, step)]


def notices_for(actor: Any, worker: Worker) -> list[ExpertCall]:
    """Calls of the worker's enterprise in public notice that the actor may read and object to."""
    prefixes = _ancestors(worker.organization.path)
    rows = ExpertCall.objects.filter(
        state=ExpertCall.State.NOTICE, organization__path__in=prefixes
    ).select_related("notice", "level")
    return [c for c in rows if c.notice_id and is_in_audience(actor, c.notice)]


def my_applications(worker: Worker) -> QuerySet[ExpertApplication]:
    return (
        ExpertApplication.objects.filter(worker=worker)
        .select_related("call", "call__level", "review_item")
        .order_by("-submitted_at")
    )


def my_appointments(worker: Worker) -> QuerySet[ExpertAppointment]:
    return ExpertAppointment.objects.filter(worker=worker).select_related("level", "renewal")


# --------------------------------------------------------------------------- to-dos
def calls_to_score(actor: Any) -> QuerySet[ExpertCall]:
    uid = getattr(actor, "pk", None)
    return ExpertCall.objects.filter(state=ExpertCall.State.REVIEWING, review__panel__user_id=uid)


def calls_with_open_objections(actor: Any) -> QuerySet[ExpertCall]:
    open_ = NoticeObjection.objects.filter(notice_id=OuterRef("notice_id"), replied_at__isnull=True)
    qs = ExpertCall.objects.filter(state=ExpertCall.State.NOTICE).filter(Exists(open_))
    where = _scope(actor, MANAGE, "organization__path")
    return qs.filter(where) if where is not None else qs


def calls_to_appoint(actor: Any, on: dt.date | None = None) -> QuerySet[ExpertCall]:
    """Calls whose notice has ended, in the actor's scope, that the actor did not organise."""
    on = on or timezone.localdate()
    qs = ExpertCall.objects.filter(state=ExpertCall.State.NOTICE, notice__ends_on__lt=on).exclude(
        created_by_id=getattr(actor, "pk", None)
    )
    where = _scope(actor, APPOINT, "organization__path")
    return qs.filter(where) if where is not None else qs


def terms_due(actor: Any, on: dt.date | None = None) -> QuerySet[ExpertAppointment]:
    """Appointments in their re-evaluation window, not yet re-evaluated."""
    on = on or timezone.localdate()
    qs = ExpertAppointment.objects.filter(
        reevaluated_on__isnull=True,
        revoked_on__isnull=True,
        term_end__gte=on,
        term_end__lte=on + dt.timedelta(days=experts_rules.REEVALUATION_DAYS),
    )
    where = _scope(actor, APPOINT, "worker__organization__path")
    return qs.filter(where) if where is not None else qs
