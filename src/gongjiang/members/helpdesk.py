"""The help desk (职工网上服务中心): requests routed to a union, replies, internal notes, hand-over,
escalation one level up when the first reply is overdue, the worker's rating, reports per union.

Routing: a request goes to the union of the worker's employer; legal advice and psychological
support go to the city (or county) federation above it, which runs the legal aid and counselling
services. A worker without an employer's union is routed by the region they give: the city
federation of that city, else the provincial federation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import SYSTEM, audit
from gongjiang.core.errors import ApplicationError, field_error
from gongjiang.core.models import Organization

from .audience import home_organization
from .models import HelpMessage, HelpRequest
from .models.helpdesk import Category, deadline_for
from .notify import notify

HANDLE = "members.handle_help"
FEDERATION_KINDS = ("city", "county")
Status = HelpRequest.Status


# ------------------------------------------------------------------------------- routing
def route(*, actor: Any, category: str, region_code: str = "") -> Organization:
    unit = home_organization(actor)
    if unit is not None:
        if category in (Category.LEGAL, Category.PSYCHOLOGICAL):
            federation = (
                Organization.objects.filter(
                    path__in=[
                        unit.path[:i]
                        for i in range(
                            Organization.SEGMENT, len(unit.path) + 1, Organization.SEGMENT
                        )
                    ],
                    kind__in=FEDERATION_KINDS,
                    is_active=True,
                )
                .order_by("-depth")
                .first()
            )
            return federation or unit
        return unit
    code = (region_code or "").strip()
    if len(code) == 6 and code.isdigit():
        for kind, region in (("city", code[:4] + "00"), ("provincial", code[:2] + "0000")):
            org = (
                Organization.objects.filter(kind=kind, region_id=region, is_active=True)
                .order_by("depth", "id")
                .first()
            )
            if org is not None:
                return org
    raise ApplicationError(
        _("No union covers that place; choose the region you work in."),
        code="no_route",
        details=[{"field": "region", "error": _("no union found")}],
    )


# --------------------------------------------------------------------------------- reads
def my_requests(*, actor: Any) -> QuerySet[HelpRequest]:
    if not getattr(actor, "is_authenticated", False):
        return HelpRequest.objects.none()
    return HelpRequest.objects.filter(user=actor).select_related("organization")


def requests_handled(*, actor: Any) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.visible_to(actor, HANDLE).select_related("organization", "user")


def request_get(*, actor: Any, code: str) -> HelpRequest:
    """One's own request, or one routed to a union the actor handles for; 404 otherwise."""
    req = (
        HelpRequest.objects.filter(code=code)
        .filter(Q(user=actor) | Q(pk__in=requests_handled(actor=actor).values("pk")))
        .select_related("organization", "user")
        .first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if req is None:
        raise Http404("help request")
    return req


def can_handle(actor: Any, req: HelpRequest) -> bool:
    return access.can(actor, HANDLE, req.organization)


def linked_file(req: HelpRequest) -> Any | None:
    """The hardship application opened from this request (``assistance.intake``), if any."""
    try:
        return req.assistance_file  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def messages_for(*, actor: Any, req: HelpRequest) -> QuerySet[HelpMessage]:
    qs = req.messages.select_related("author")
    if can_handle(actor, req):
        return qs
    return qs.exclude(kind=HelpMessage.Kind.NOTE)


def report(*, actor: Any) -> list[dict[str, Any]]:
    """Per union: volume, answered in time, mean time to the first reply, resolved, satisfaction."""
    first = ExpressionWrapper(F("first_reply_at") - F("opened_at"), output_field=DurationField())
    rows = (
        requests_handled(actor=actor)
        .values("organization__name", "organization__path")
        .annotate(
            volume=Count("id"),
            replied=Count("id", filter=Q(first_reply_at__isnull=False)),
            in_time=Count("id", filter=Q(first_reply_at__lte=F("due_at"))),
            resolved=Count("id", filter=Q(status=Status.RESOLVED)),
            escalated=Count("id", filter=Q(escalations__gt=0)),
            mean_first=Avg(first, filter=Q(first_reply_at__isnull=False)),
            rating=Avg("rating"),
        )
        .order_by("organization__path")
    )
    out = []
    for r in rows[:1000]:
        mean = r["mean_first"]
        out.append(
            {
                **r,
                "mean_first_hours": round(mean.total_seconds() / 3600, 1) if mean else None,
                "rating": round(r["rating"], 1) if r["rating"] is not None else None,
            }
        )
    return out


# ------------------------------------------------------------------------------ services
def help_file(
    *, actor: Any, category: str, subject: str, text: str, region_code: str = ""
) -> HelpRequest:
    if not access.can(actor, "members.use") and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if category not in Category.values:
        raise ApplicationError(
            _("Choose a category."),
            code="invalid",
            details=[{"field": "category", "error": _("unknown")}],
        )
    union = route(actor=actor, category=category, region_code=region_code)
    now = timezone.now()
    with transaction.atomic():
        req = HelpRequest(
            user=actor,
            organization=union,
            category=category,
            subject=subject,
            opened_at=now,
            due_at=deadline_for(category, now),
        )
        req.full_clean()
        req.save()
        message = HelpMessage(request=req, author=actor, kind=HelpMessage.Kind.QUESTION, text=text)
        message.full_clean()
        message.save()
        audit(actor=actor, action="members.help_file", obj=req, details={"category": category})
    return req


def _require_handler(actor: Any, req: HelpRequest) -> None:
    if not can_handle(actor, req):
        raise PermissionDenied
    if req.user_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("Nobody answers their own request."))


MAX_TEXT = 5000


def help_reply(*, actor: Any, req: HelpRequest, text: str, internal: bool = False) -> HelpMessage:
    _require_handler(actor, req)
    if len((text or "").strip()) > MAX_TEXT:
        raise field_error(
            "text", _("A message is at most %(n)d characters.") % {"n": MAX_TEXT}, "too_long"
        )
    with transaction.atomic():
        req = HelpRequest.objects.select_for_update().get(pk=req.pk)
        kind = HelpMessage.Kind.NOTE if internal else HelpMessage.Kind.REPLY
        message = HelpMessage(request=req, author=actor, kind=kind, text=text)
        message.full_clean()
        message.save()
        if not internal:
            if req.first_reply_at is None:
                req.first_reply_at = message.at
            if req.status == Status.OPEN:
                req.status = Status.ANSWERED
            req.save(update_fields=["first_reply_at", "status"])
            notify(
                req.user,
                _("Your help request was answered"),
                req.subject,
                reverse("members:help_detail", args=[req.code]),
            )
        audit(
            actor=actor, action="members.help_note" if internal else "members.help_reply", obj=req
        )
    return message


def help_handover(*, actor: Any, req: HelpRequest, to: Organization, reason: str) -> HelpRequest:
    """Pass the request to another union the actor also handles for (the right one)."""
    _require_handler(actor, req)
    if not access.can(actor, HANDLE, to):
        raise Http404("organization")
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise field_error("reason", _("A reason is at most 500 characters."), "too_long")
    with transaction.atomic():
        req = HelpRequest.objects.select_for_update().get(pk=req.pk)
        before = req.organization.name
        req.organization = to
        req.save(update_fields=["organization"])
        HelpMessage.objects.create(
            request=req,
            author=actor,
            kind=HelpMessage.Kind.EVENT,
            text=f"{before} → {to.name}: {reason}"[:5000],
        )
        audit(actor=actor, action="members.help_handover", obj=req, details={"to": to.code})
    return req


def help_resolve(*, actor: Any, req: HelpRequest) -> HelpRequest:
    _require_handler(actor, req)
    with transaction.atomic():
        req = HelpRequest.objects.select_for_update().get(pk=req.pk)
        if req.first_reply_at is None:
            raise ApplicationError(_("Reply before closing the request."), code="no_reply")
        file = linked_file(req)
        if file is not None and file.in_progress:
            raise ApplicationError(
                _("The hardship application opened from this request is not decided yet."),
                code="file_pending",
                status=409,
            )
        req.status, req.resolved_at = Status.RESOLVED, timezone.now()
        req.save(update_fields=["status", "resolved_at"])
        audit(actor=actor, action="members.help_resolve", obj=req)
    return req


def help_reply_resolve(*, actor: Any, req: HelpRequest, text: str) -> HelpRequest:
    """Answer and resolve in one step (e.g. telling the worker how their hardship application was
    decided); if the request may not be resolved, the answer is not sent either."""
    with transaction.atomic():
        help_reply(actor=actor, req=req, text=text)
        return help_resolve(actor=actor, req=req)


def help_rate(*, actor: Any, req: HelpRequest, stars: int) -> HelpRequest:
    if req.user_id != getattr(actor, "pk", None):
        raise Http404("help request")
    if not 1 <= stars <= 5:
        raise ApplicationError(
            _("Give one to five stars."),
            code="invalid",
            details=[{"field": "stars", "error": "1-5"}],
        )
    with transaction.atomic():
        req = HelpRequest.objects.select_for_update().get(pk=req.pk)
        if req.first_reply_at is None:
            raise ApplicationError(_("Rate the answer once you have one."), code="no_reply")
        req.rating = stars
        req.save(update_fields=["rating"])
        audit(actor=actor, action="members.help_rate", obj=req, details={"stars": stars})
    return req


def help_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Move every request still without a first reply past its deadline one level up the tree,
    with a new deadline; the national level keeps it. Run by the scheduler (tasks.py)."""
    now = now or timezone.now()
    moved = 0
    due = (
        HelpRequest.objects.filter(status=Status.OPEN, first_reply_at__isnull=True, due_at__lt=now)
        .exclude(organization__parent__isnull=True)
        .select_related("organization__parent")
        .order_by("due_at")[:1000]
    )
    for req in due:
        with transaction.atomic():
            locked = (
                HelpRequest.objects.select_for_update(of=("self",))
                .select_related("organization__parent")
                .get(pk=req.pk)
            )
            if locked.first_reply_at is not None or locked.due_at >= now:
                continue
            parent = locked.organization.parent
            HelpMessage.objects.create(
                request=locked,
                kind=HelpMessage.Kind.EVENT,
                text=_("%(from)s → %(to)s: no reply within the deadline")
                % {"from": locked.organization.name, "to": parent.name},
            )
            locked.organization = parent
            locked.escalations += 1
            locked.due_at = deadline_for(locked.category, now)
            locked.save(update_fields=["organization", "escalations", "due_at"])
            audit(
                actor=SYSTEM,
                action="members.help_escalate",
                obj=locked,
                details={"to": parent.code},
            )
            moved += 1
    return moved
