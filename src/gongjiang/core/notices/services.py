"""Acts on public notices (公示): publish, withdraw, file an objection, reply to it.

A notice runs a number of working days (``workdays``), names people only masked (张*三), is seen
by its audience subtree, and takes objections only while it is open. Whoever filed an objection
never answers it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..actors import user_or_none
from ..audit import audit_record
from ..duties import DutyConflict, audited_refusals, same_person
from ..errors import ApplicationError, field_error
from ..models import Organization
from ..references import reference_of
from ..validators import mask_name
from .models import NoticeObjection, PublicNotice
from .selectors import MANAGE, is_in_audience
from .workdays import MAX_WORKING_DAYS, working_day_end

MAX_NAMES = 2000


@transaction.atomic
def public_notice_publish(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    working_days: int = 5,
    body: str = "",
    names: Sequence[str] = (),
    audience: Organization | None = None,
    starts_on: dt.date | None = None,
    about: models.Model | None = None,
) -> PublicNotice:
    """Publish a notice of ``organization`` to ``audience`` (itself or a unit below it) for
    ``working_days`` working days from ``starts_on`` (today by default)."""
    access.require(actor, MANAGE, organization)
    audience = audience or organization
    if not audience.path.startswith(organization.path):
        raise field_error(
            "audience", _("The audience must be the organisation itself or a unit below it.")
        )
    today = timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today:
        raise field_error("starts_on", _("A notice cannot start in the past."))
    if isinstance(working_days, bool) or not isinstance(working_days, int):
        raise field_error("working_days", _("Give the number of working days as a whole number."))
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise field_error(
            "working_days",
            _("A notice runs 1 to %(max)d working days.") % {"max": MAX_WORKING_DAYS},
        )
    if len(names) > MAX_NAMES:
        raise field_error("names", _("At most %(max)d names per notice.") % {"max": MAX_NAMES})
    content_type, object_code = reference_of(about)
    notice = PublicNotice(
        organization=organization,
        audience=audience,
        content_type=content_type,
        object_code=object_code,
        title=(title or "").strip(),
        body=(body or "").strip(),
        masked_names=[mask_name(n) for n in names if (n or "").strip()],
        starts_on=starts_on,
        working_days=working_days,
        ends_on=working_day_end(starts_on, working_days),
        created_by=user_or_none(actor),
    )
    notice.full_clean(exclude=["content_type", "created_by"])
    notice.save()
    audit_record(
        actor=actor,
        action="notice.publish",
        obj=notice,
        details={
            "audience": audience.code,
            "starts_on": starts_on,
            "ends_on": notice.ends_on,
            "working_days": working_days,
            "names": len(notice.masked_names),
        },
    )
    return notice


@transaction.atomic
def public_notice_withdraw(*, actor: Any, notice: PublicNotice, reason: str) -> PublicNotice:
    access.require(actor, MANAGE, notice.organization)
    notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state in (PublicNotice.State.WITHDRAWN, PublicNotice.State.ENDED):
        raise ApplicationError(
            _("Only a scheduled or open notice can be withdrawn."), code="notice_closed"
        )
    reason = (reason or "").strip()
    if not reason:
        raise field_error(
            "reason", _("Give the reason for withdrawing the notice."), "reason_required"
        )
    notice.withdrawn_at = timezone.now()
    notice.withdrawn_reason = reason[:500]
    notice.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    audit_record(actor=actor, action="notice.withdraw", obj=notice, details={"reason": reason})
    return notice


@transaction.atomic
def notice_objection_file(*, actor: Any, notice: PublicNotice, text: str) -> NoticeObjection:
    """A member of the audience objects while the notice is open (recorded, answered later)."""
    if not getattr(actor, "is_authenticated", False) or not is_in_audience(actor, notice):
        raise Http404("notice")
    notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != PublicNotice.State.OPEN:
        raise ApplicationError(
            _("Objections are taken only while the notice is open (until %(day)s).")
            % {"day": notice.ends_on.isoformat()},
            code="notice_not_open",
            status=409,
        )
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("Write the objection."), "required")
    if len(text) > 5000:
        raise field_error("text", _("An objection is at most 5,000 characters."))
    objection = NoticeObjection.objects.create(notice=notice, user=actor, text=text)
    audit_record(
        actor=actor,
        action="notice.objection",
        obj=objection,
        organization=notice.organization,
        details={"notice": notice.code},
    )
    return objection


@audited_refusals
@transaction.atomic
def notice_objection_reply(
    *, actor: Any, objection: NoticeObjection, reply: str
) -> NoticeObjection:
    """The notice's owner answers an objection, once; the objector never answers their own (403,
    audited)."""
    notice = objection.notice
    access.require(actor, MANAGE, notice.organization)
    objection = NoticeObjection.objects.select_for_update().get(pk=objection.pk)
    if same_person(actor, objection.user_id):
        raise DutyConflict(
            _("An objection is answered by someone other than the person who filed it."),
            action="notice.objection_reply",
            obj=objection,
            organization=notice.organization,
            reason="own_objection",
        )
    if objection.replied_at is not None:
        raise ApplicationError(_("This objection has already been answered."), code="replied")
    reply = (reply or "").strip()
    if not reply:
        raise field_error("reply", _("Write the reply."), "required")
    if len(reply) > 5000:
        raise field_error("reply", _("A reply is at most 5,000 characters."))
    objection.reply = reply
    objection.replied_by = user_or_none(actor)
    objection.replied_at = timezone.now()
    objection.save(update_fields=["reply", "replied_by", "replied_at"])
    audit_record(
        actor=actor,
        action="notice.objection_reply",
        obj=objection,
        organization=notice.organization,
        details={"notice": notice.code},
    )
    return objection
