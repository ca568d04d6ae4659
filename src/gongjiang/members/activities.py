"""Activities: publishing, sign-up with a waiting list that moves up by itself, QR check-in,
feedback and attendance per union.

No overbooking under concurrent sign-ups: every sign-up and cancellation locks the activity row
(``select_for_update``) and keeps the count of confirmed places on it; the database refuses a count
above the capacity (``members_activity_not_overbooked``)."""

from __future__ import annotations

import hmac
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization

from .audience import audience_q
from .models import Activity, ActivityFeedback, ActivitySignup
from .notify import notify

MANAGE = "members.manage_activity"
Status = ActivitySignup.Status


# --------------------------------------------------------------------------------- reads
def activities_for(*, actor: Any, upcoming: bool = True) -> QuerySet[Activity]:
    """The activities offered to the actor (their units and those above), or managed by them."""
    qs = Activity.objects.filter(audience_q(actor)).select_related("organization")
    if upcoming:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at", "id")


def activity_get(*, actor: Any, code: str) -> Activity:
    """An activity offered to the actor or managed by them; 404 otherwise."""
    activity = (
        Activity.objects.filter(audience_q(actor), code=code).select_related("organization").first()
    )
    if activity is None:
        raise Http404("activity")
    return activity


def activities_managed(*, actor: Any) -> QuerySet[Activity]:
    return Activity.objects.visible_to(actor, MANAGE).select_related("organization")


def activity_managed_get(*, actor: Any, code: str) -> Activity:
    return access.get_visible_or_404(Activity.objects.all(), actor, MANAGE, code=code)


def my_signup(*, actor: Any, activity: Activity) -> ActivitySignup | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return ActivitySignup.objects.filter(activity=activity, user=actor).first()


def waiting_position(signup: ActivitySignup) -> int | None:
    if signup.status != Status.WAITING:
        return None
    return (
        ActivitySignup.objects.filter(
            activity_id=signup.activity_id, status=Status.WAITING, sequence__lt=signup.sequence
        ).count()
        + 1
    )


def attendance_report(*, actor: Any) -> list[dict[str, Any]]:
    """Per activity the actor manages: places, sign-ups, waiting, attended, mean rating."""
    rows = (
        activities_managed(actor=actor)
        .annotate(
            signed=Count("signups", filter=Q(signups__status=Status.CONFIRMED), distinct=True),
            waiting=Count("signups", filter=Q(signups__status=Status.WAITING), distinct=True),
            attended=Count(
                "signups", filter=Q(signups__checked_in_at__isnull=False), distinct=True
            ),
            rating=Avg("feedback__stars"),
        )
        .order_by("-starts_at")
    )
    return [
        {
            "activity": a,
            "signed": a.signed,
            "waiting": a.waiting,
            "attended": a.attended,
            "rate": round(100 * a.attended / a.signed) if a.signed else None,
            "rating": round(a.rating, 1) if a.rating is not None else None,
        }
        for a in rows[:500]
    ]


def attendance_by_union(*, actor: Any) -> list[dict[str, Any]]:
    """Per organising union inside the actor's scope: activities, places taken, attended (and the
    rate), feedback count and mean rating — counted in the database, not from the capped list."""
    acts = (
        activities_managed(actor=actor)
        .values("organization_id", "organization__name", "organization__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    signups = (
        ActivitySignup.objects.visible_to(actor, MANAGE)
        .values("activity__organization_id")
        .annotate(
            signed=Count("id", filter=Q(status=Status.CONFIRMED)),
            attended=Count("id", filter=Q(checked_in_at__isnull=False)),
        )
        .order_by()
    )
    feedback = (
        ActivityFeedback.objects.visible_to(actor, MANAGE)
        .values("activity__organization_id")
        .annotate(k=Count("id"), rating=Avg("stars"))
        .order_by()
    )
    by_signups = {r["activity__organization_id"]: r for r in signups}
    by_feedback = {r["activity__organization_id"]: r for r in feedback}
    out = []
    for a in sorted(acts, key=lambda r: r["organization__path"]):
        s = by_signups.get(a["organization_id"], {"signed": 0, "attended": 0})
        f = by_feedback.get(a["organization_id"], {"k": 0, "rating": None})
        out.append(
            {
                "union": a["organization__name"],
                "activities": a["n"],
                "signed": s["signed"],
                "attended": s["attended"],
                "rate": round(100 * s["attended"] / s["signed"]) if s["signed"] else None,
                "feedback": f["k"],
                "rating": round(f["rating"], 1) if f["rating"] is not None else None,
            }
        )
    return out[:500]


# ------------------------------------------------------------------------------ services
def activity_create(*, actor: Any, organization: Organization, **fields: Any) -> Activity:
    access.require(actor, MANAGE, organization)
    with transaction.atomic():
        activity = Activity(
            organization=organization, created_by=actor if actor.pk else None, **fields
        )
        activity.full_clean()
        activity.save()
        audit(actor=actor, action="members.activity_create", obj=activity)
    return activity


def activity_signup(*, actor: Any, activity: Activity) -> ActivitySignup:
    """Take a place, or a place on the waiting list when the activity is full."""
    if not access.can(actor, "members.use"):
        raise PermissionDenied
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if locked.starts_at <= timezone.now():
            raise ApplicationError(_("Sign-up closed when the activity began."), code="closed")
        existing = ActivitySignup.objects.filter(activity=locked, user=actor).first()
        if existing is not None and existing.status != Status.CANCELLED:
            raise ApplicationError(_("You have already signed up."), code="already_signed_up")
        last = ActivitySignup.objects.filter(activity=locked).aggregate(m=Max("sequence"))["m"] or 0
        status = Status.CONFIRMED if locked.confirmed < locked.capacity else Status.WAITING
        signup = existing or ActivitySignup(activity=locked, user=actor)
        signup.status, signup.sequence = status, last + 1
        signup.save()
        if status == Status.CONFIRMED:
            Activity.objects.filter(pk=locked.pk).update(confirmed=locked.confirmed + 1)
        audit(
            actor=actor,
            action="members.activity_signup",
            obj=locked,
            details={"status": status},
        )
    return signup


def activity_cancel(*, actor: Any, activity: Activity) -> ActivitySignup:
    """Give up one's place; the first on the waiting list moves up and is told."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        signup = ActivitySignup.objects.filter(activity=locked, user=actor).first()
        if signup is None or signup.status == Status.CANCELLED:
            raise ApplicationError(_("You have no sign-up to cancel."), code="not_signed_up")
        was_confirmed = signup.status == Status.CONFIRMED
        signup.status = Status.CANCELLED
        signup.save(update_fields=["status"])
        audit(actor=actor, action="members.activity_cancel", obj=locked)
        confirmed = locked.confirmed - (1 if was_confirmed else 0)
        confirmed += _promote(locked, free=locked.capacity - confirmed)
        Activity.objects.filter(pk=locked.pk).update(confirmed=confirmed)
    return signup


def _promote(activity: Activity, free: int) -> int:
    """Move the first ``free`` people of the waiting list up (inside the caller's row lock)."""
    if free <= 0:
        return 0
    moved = list(
        ActivitySignup.objects.filter(activity=activity, status=Status.WAITING)
        .select_related("user")
        .order_by("sequence")[:free]
    )
    for signup in moved:
        signup.status = Status.CONFIRMED
        signup.save(update_fields=["status"])
        audit(actor=signup.user, action="members.activity_promote", obj=activity)
        url = reverse("members:activity_detail", args=[activity.code])
        notify(signup.user, _("You have a place: %(t)s") % {"t": activity.title}, "", url)
    return len(moved)


def activity_capacity_change(*, actor: Any, activity: Activity, capacity: int) -> Activity:
    """A larger room: the waiting list moves up into the new places."""
    access.require(actor, MANAGE, activity.organization)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if capacity < locked.confirmed:
            raise ApplicationError(_("More people have places than that."), code="below_confirmed")
        locked.capacity = capacity
        locked.full_clean()
        locked.save(update_fields=["capacity"])
        locked.confirmed += _promote(locked, free=capacity - locked.confirmed)
        Activity.objects.filter(pk=locked.pk).update(confirmed=locked.confirmed)
        audit(
            actor=actor,
            action="members.activity_create",
            obj=locked,
            details={"capacity": capacity},
        )
    return locked


def activity_checkin(*, actor: Any, activity: Activity, token: str) -> ActivitySignup:
    """Scan the activity's QR code on the day: only people with a confirmed place."""
    if not hmac.compare_digest(token, activity.checkin_secret):
        raise ApplicationError(_("This QR code is not this activity's."), code="bad_qr_code")
    with transaction.atomic():
        signup = (
            ActivitySignup.objects.select_for_update().filter(activity=activity, user=actor).first()
        )
        if signup is None or signup.status != Status.CONFIRMED:
            raise ApplicationError(_("Only people with a place can check in."), code="no_place")
        if signup.checked_in_at is None:
            signup.checked_in_at = timezone.now()
            signup.save(update_fields=["checked_in_at"])
            audit(actor=actor, action="members.activity_checkin", obj=activity)
    return signup


def activity_feedback_add(
    *, actor: Any, activity: Activity, stars: int, text: str = ""
) -> ActivityFeedback:
    if not ActivitySignup.objects.filter(
        activity=activity, user=actor, checked_in_at__isnull=False
    ).exists():
        raise ApplicationError(
            _("Only people who came can rate the activity."), code="not_attended"
        )
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Give one to five stars.")})
    text = (text or "").strip()
    if len(text) > 500:
        raise ValidationError({"text": _("A comment is at most 500 characters.")})
    with transaction.atomic():
        item, _created = ActivityFeedback.objects.update_or_create(
            activity=activity, user=actor, defaults={"stars": stars, "text": text}
        )
        audit(
            actor=actor, action="members.activity_feedback", obj=activity, details={"stars": stars}
        )
    return item
