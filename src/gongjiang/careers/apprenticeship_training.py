"""Services of an apprentice's training: the plan (courses of the learning system with their hours,
workplace tasks, assessments), the monthly progress, the completion, and the skill-level evaluation
it leads into. Re-exported by :mod:`apprenticeship`.

The level is never written here: the apprentice is enrolled as a candidate of an evaluation plan of
the certification app, whose certificate raises the level in the registry once
(``certification.issuing.certificate_issue``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ConflictError, field_error

from .apprenticeship_common import MANAGE, Status, lock, may_train, month_start
from .form_values import bounded_text
from .models_apprentice import Apprentice, ApprenticePlanItem, ApprenticeProgress

Kind = ApprenticePlanItem.Kind


def _hours(value: Any, field: str) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Give the hours as a number.")) from None
    if not hours.is_finite() or not Decimal(0) <= hours <= Decimal(2000):
        raise field_error(field, _("Give the hours as a number from 0 to 2000."))
    if hours != hours.quantize(Decimal("0.1")):
        raise field_error(field, _("Hours have at most one decimal."))
    return hours


def _require_trainer(actor: Any, apprentice: Apprentice) -> None:
    if not may_train(actor, apprentice):
        raise PermissionDenied(MANAGE)


# ------------------------------------------------------------------------------------ plan
@transaction.atomic
def apprentice_plan_item_add(
    *,
    actor: Any,
    apprentice: Apprentice,
    kind: str,
    title: str = "",
    hours: Any = None,
    due_on: dt.date | None = None,
    course: Any = None,
) -> ApprenticePlanItem:
    """An item of the training plan (by the apprentice's managers or the institution teacher). A
    course item names a course of the learning system and carries its hours."""
    a = lock(apprentice, Status.TRAINING)
    if not (
        access.can(actor, MANAGE, a.cohort.pilot.organization)
        or (a.teacher_id and getattr(actor, "pk", None) == a.teacher_id)
    ):
        raise PermissionDenied(MANAGE)
    if kind not in Kind.values:
        raise field_error("kind", _("A course, a workplace task or an assessment."))
    if kind == Kind.COURSE:
        if course is None or not course.is_active:
            raise field_error("course", _("Choose a course of the learning system."))
        title = title or course.title
        hours = course.hours if hours in (None, "") else hours
    else:
        course = None
    title = bounded_text(title, "title", 200)
    if not title:
        raise field_error("title", _("Give the item a title."))
    if due_on is not None and not a.starts_on <= due_on <= a.ends_on:
        raise field_error("due_on", _("The item falls due within the training period."))
    item = ApprenticePlanItem(
        apprentice=a,
        kind=kind,
        title=title,
        course=course,
        hours=_hours(hours if hours not in (None, "") else 0, "hours"),
        due_on=due_on,
        recorded_by=user_or_none(actor),
    )
    item.full_clean(exclude=["code", "apprentice", "course"])
    item.save()
    audit(
        actor=actor,
        action="careers.apprentice_plan_item_add",
        obj=a,
        organization=a.cohort.pilot.organization,
        details={"item": item.code, "kind": kind, "hours": str(item.hours)},
    )
    return item


def _course_completed(item: ApprenticePlanItem, apprentice: Apprentice) -> dt.date | None:
    """The day the apprentice completed the item's course in the learning system, if they did."""
    from gongjiang.learning.models import Enrollment

    user_id = apprentice.worker.user_id
    if item.course_id is None or user_id is None:
        return None
    done = (
        Enrollment.objects.filter(course_id=item.course_id, user_id=user_id)
        .exclude(completed_at=None)
        .values_list("completed_at", flat=True)
        .first()
    )
    return timezone.localdate(done) if done else None


@transaction.atomic
def apprentice_plan_item_done(
    *, actor: Any, item: ApprenticePlanItem, done_on: dt.date, result: str = ""
) -> ApprenticePlanItem:
    """A task done or an assessment passed, recorded by the mentor, the teacher or a manager. A
    course is done when the apprentice completed it in the learning system (its hours credited
    then: :func:`apprentice_courses_credit`)."""
    a = lock(item.apprentice, Status.TRAINING)
    _require_trainer(actor, a)
    row = ApprenticePlanItem.objects.select_for_update().get(pk=item.pk)
    if row.done_on:
        raise ConflictError(_("The item is already done."), code="done")
    if row.kind == Kind.COURSE:
        raise ConflictError(
            _("A course is done when the apprentice completes it in the learning system."),
            code="course_in_learning",
        )
    if not a.starts_on <= done_on <= timezone.localdate():
        raise field_error("done_on", _("The date lies between the start and today."))
    row.done_on = done_on
    row.result = bounded_text(result, "result", 60)
    row.recorded_by = user_or_none(actor)
    row.save(update_fields=["done_on", "result", "recorded_by"])
    audit(
        actor=actor,
        action="careers.apprentice_plan_item_done",
        obj=a,
        organization=a.cohort.pilot.organization,
        details={"item": row.code, "result": row.result},
    )
    return row


@transaction.atomic
def apprentice_courses_credit(*, actor: Any, apprentice: Apprentice) -> int:
    """Mark the plan's courses the apprentice completed in the learning system as done (their
    hours credited), once each. Returns how many were credited now."""
    a = lock(apprentice)
    if not may_train(actor, a) and not (getattr(actor, "pk", None) == a.worker.user_id):
        raise PermissionDenied(MANAGE)
    credited = 0
    items = ApprenticePlanItem.objects.select_for_update().filter(
        apprentice=a, kind=Kind.COURSE, done_on=None
    )
    for row in items:
        done = _course_completed(row, a)
        if done is None:
            continue
        row.done_on = max(done, a.starts_on)
        row.result = _("completed online")
        row.save(update_fields=["done_on", "result"])
        credited += 1
    if credited:
        audit(
            actor=actor,
            action="careers.apprentice_courses_credit",
            obj=a,
            organization=a.cohort.pilot.organization,
            details={"credited": credited},
        )
    return credited


# --------------------------------------------------------------------------------- progress
@transaction.atomic
def apprentice_progress_record(
    *,
    actor: Any,
    apprentice: Apprentice,
    month: dt.date,
    workplace_hours: Any,
    institution_hours: Any,
    summary: str,
    mentor_comment: str = "",
) -> ApprenticeProgress:
    """The month's progress (one entry a month; recording a month again replaces its entry), by
    the mentor, the teacher or a manager, for a month of the training up to this one."""
    a = lock(apprentice, Status.TRAINING)
    _require_trainer(actor, a)
    month = month_start(month)
    last = month_start(min(timezone.localdate(), a.ends_on))
    if not month_start(a.starts_on) <= month <= last:
        raise field_error("month", _("The month lies between the start and this month."))
    summary = bounded_text(summary, "summary", 500)
    if not summary:
        raise field_error("summary", _("Say what was learnt this month."))
    row, created = ApprenticeProgress.objects.update_or_create(
        apprentice=a,
        month=month,
        defaults={
            "workplace_hours": _hours(workplace_hours, "workplace_hours"),
            "institution_hours": _hours(institution_hours, "institution_hours"),
            "summary": summary,
            "mentor_comment": bounded_text(mentor_comment, "mentor_comment", 500),
            "recorded_by": user_or_none(actor),
        },
    )
    audit(
        actor=actor,
        action="careers.apprentice_progress",
        obj=a,
        organization=a.cohort.pilot.organization,
        details={"month": month.strftime("%Y-%m"), "replaced": not created},
    )
    return row


# ------------------------------------------------------------------------ completion, evaluation
@transaction.atomic
def apprentice_complete(*, actor: Any, apprentice: Apprentice, completed_on: dt.date) -> Apprentice:
    """The training is completed when every item of the plan is done (courses completed in the
    learning system are credited first). The mentor's place is free again."""
    access.require(actor, MANAGE, apprentice.cohort.pilot.organization)
    apprentice_courses_credit(actor=actor, apprentice=apprentice)
    a = lock(apprentice, Status.TRAINING)
    if not a.starts_on <= completed_on <= timezone.localdate():
        raise field_error("completed_on", _("The date lies between the start and today."))
    items = list(ApprenticePlanItem.objects.filter(apprentice=a))
    if not items:
        raise ConflictError(_("The training plan has no items yet."), code="no_plan")
    open_items = [i.title for i in items if i.done_on is None]
    if open_items:
        raise ConflictError(
            _("Not done yet: %(items)s") % {"items": "、".join(open_items[:10])},
            code="plan_open",
            details=[{"field": "plan", "error": t} for t in open_items[:50]],
        )
    a.status = Status.COMPLETED
    a.ended_on = completed_on
    a.save(update_fields=["status", "ended_on"])
    audit(
        actor=actor,
        action="careers.apprentice_complete",
        obj=a,
        organization=a.cohort.pilot.organization,
        details={"on": completed_on.isoformat(), "items": len(items)},
    )
    return a


@transaction.atomic
def apprentice_evaluation_enrol(*, actor: Any, apprentice: Apprentice, plan: Any) -> Apprentice:
    """Lead a completed apprentice into skill-level evaluation: enrol them as a candidate of an
    open plan of their occupation and target level (certification's own service checks the plan
    and the actor's right to run it). Once a candidate, never again — unless the evaluation was
    failed, when another plan may follow."""
    from gongjiang.certification import services as certification

    access.require(actor, MANAGE, apprentice.cohort.pilot.organization)
    a = lock(apprentice, Status.COMPLETED)
    previous = a.candidate
    if previous is not None and previous.passed is not False:
        raise ConflictError(
            _("The apprentice is already a candidate of “%(plan)s”.") % {"plan": previous.plan},
            code="already_candidate",
        )
    if plan.occupation_id != a.cohort.occupation_id or plan.level_id != a.cohort.level_id:
        raise field_error(
            "plan", _("Choose a plan of the apprentice's occupation and target level.")
        )
    candidate = certification.candidate_enrol(actor=actor, plan=plan, worker=a.worker)
    a.candidate = candidate
    a.save(update_fields=["candidate"])
    audit(
        actor=actor,
        action="careers.apprentice_evaluation",
        obj=a,
        organization=a.cohort.pilot.organization,
        details={"plan": plan.code, "candidate": candidate.code},
    )
    return a
