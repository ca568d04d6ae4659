"""Management grades held by workers (管理职级): recording, ending and reading them.

The grades a worker may hold are the management grades named by the enterprise's career table in
force on the grade's first day (or the policy defaults). HR (``careers.manage`` on the worker's
enterprise subtree) records and ends them, as they record professional titles; nobody records or
ends their own grade (core.duties, refused and audited). A new grade ends the open one on the new
grade's first day; a grade's day, grade and document are never rewritten."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.workforce.models import Worker

from .models_grades import ManagementGrade
from .registry import table_in_force

MANAGE = "careers.manage"


def grade_choices(organization: Any, on: dt.date) -> list[str]:
    """The management grades of the enterprise's table in force on ``on``, lowest first."""
    out: list[str] = []
    for row in table_in_force(organization, on).equivalences:
        name = (row.management_grade or "").strip()
        if name and name not in out:
            out.append(name)
    return out


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", details=[{"field": field, "error": message}])


def _not_oneself(actor: Any, worker: Worker, action: str, obj: Any) -> None:
    if worker.user_id is not None and same_person(actor, worker.user_id):
        raise DutyConflict(
            _("Nobody records or ends their own management grade."),
            action=action,
            obj=obj,
            organization=worker.organization,
            reason="own_grade",
        )


@audited_refusals
@transaction.atomic
def management_grade_record(
    *, actor: Any, worker: Worker, grade: str, since: dt.date, document: str
) -> ManagementGrade:
    """Record the management grade a worker holds from ``since`` (not in the future), appointed
    by ``document``. The grade must be one the enterprise's table names on that day. The grade
    held before ends on ``since`` (it must have started earlier)."""
    access.require(actor, MANAGE, worker.organization)
    worker = Worker.objects.select_for_update().select_related("organization").get(pk=worker.pk)
    _not_oneself(actor, worker, "careers.management_grade_record", worker)
    grade = (grade or "").strip()
    document = (document or "").strip()
    if since > timezone.localdate():
        raise _invalid("since", _("The date is in the future."))
    choices = grade_choices(worker.organization, since)
    if grade not in choices:
        raise _invalid(
            "grade",
            _("“%(grade)s” is not a management grade of the enterprise's table (%(choices)s).")
            % {"grade": grade[:30], "choices": "、".join(choices) or "—"},
        )
    if not document or len(document) > 60:
        raise _invalid("document", _("Give the appointing document's number (at most 60)."))
    previous = ManagementGrade.objects.filter(worker=worker, ended_on__isnull=True).first()
    if previous is not None:
        if previous.since >= since:
            raise ConflictError(
                _("The grade held now started on %(day)s; a new grade starts after it.")
                % {"day": previous.since.isoformat()},
                code="not_after_current",
                details=[{"field": "since", "error": _("On or before the current grade's day.")}],
            )
        previous.ended_on = since
        previous.end_reason = _("superseded by a new grade")[:200]
        previous.ended_by = user_or_none(actor)
        previous.save(update_fields=["ended_on", "end_reason", "ended_by"])
    elif ManagementGrade.objects.filter(worker=worker, ended_on__gt=since).exists():
        raise ConflictError(
            _("A grade held before ended after that day; a new grade starts on or after its end."),
            code="overlaps_history",
            details=[{"field": "since", "error": _("Overlaps an earlier grade.")}],
        )
    record = ManagementGrade(
        worker=worker,
        organization=worker.organization,
        grade=grade,
        since=since,
        document=document,
        recorded_by=user_or_none(actor),
    )
    record.full_clean(exclude=["code"], validate_constraints=False)
    record.save()
    audit(
        actor=actor,
        action="careers.management_grade_record",
        obj=worker,
        organization=worker.organization,
        details={
            "grade": grade,
            "since": since,
            "document": document,
            "record": record.code,
            "ended": previous.code if previous else "",
        },
    )
    return record


@audited_refusals
@transaction.atomic
def management_grade_end(
    *, actor: Any, record: ManagementGrade, ended_on: dt.date, reason: str
) -> ManagementGrade:
    """End the grade a worker holds (removal, retirement, leaving a post) on ``ended_on`` — after
    its first day, not in the future — with the reason."""
    locked = (
        ManagementGrade.objects.select_for_update()
        .select_related("worker", "worker__organization")
        .get(pk=record.pk)
    )
    access.require(actor, MANAGE, locked.worker.organization)
    _not_oneself(actor, locked.worker, "careers.management_grade_end", locked)
    if locked.ended_on is not None:
        raise ConflictError(_("This grade has already ended."), code="ended")
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise _invalid("reason", _("Say why, in at most 200 characters."))
    if ended_on <= locked.since:
        raise _invalid("ended_on", _("A grade ends after the day it started."))
    if ended_on > timezone.localdate():
        raise _invalid("ended_on", _("The date is in the future."))
    locked.ended_on = ended_on
    locked.end_reason = reason
    locked.ended_by = user_or_none(actor)
    locked.save(update_fields=["ended_on", "end_reason", "ended_by"])
    audit(
        actor=actor,
        action="careers.management_grade_end",
        obj=locked.worker,
        organization=locked.worker.organization,
        details={
            "record": locked.code,
            "grade": locked.grade,
            "ended_on": ended_on,
            "reason": reason,
        },
    )
    return locked


# ---------------------------------------------------------------------------- reads
def grades_of(worker: Worker) -> QuerySet[ManagementGrade]:
    """The worker's management grades, newest first (ended ones included)."""
    return ManagementGrade.objects.filter(worker=worker).order_by("-since", "-id")


def grade_on(worker: Worker, on: dt.date) -> ManagementGrade | None:
    """The management grade the worker holds on ``on`` (None when none)."""
    return (
        grades_of(worker)
        .filter(since__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .first()
    )


def grade_get(actor: Any, code: str) -> ManagementGrade:
    """A grade record of a worker in the actor's careers subtree (404 otherwise)."""
    qs = ManagementGrade.objects.select_related("worker", "worker__organization")
    return access.get_visible_or_404(qs, actor, "careers.view", code=code)
