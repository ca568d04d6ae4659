"""Supervision (督查督办): inspection missions, findings, rectifications, supervision notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import user_or_none
from gongjiang.core.audit import audit_record
from gongjiang.core.duties import DutyConflict, acts_only_for, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import Organization

from ..models import Finding, Inspection, Notification, PlanItem, Rectification, SupervisionNotice
from ..services import notify


@transaction.atomic
def inspection_create(
    *,
    actor: Any,
    organization: Organization,
    title: str,
    start: dt.date,
    end: dt.date,
    scope: str = "",
    team: Iterable[Any] = (),
    team_note: str = "",
    visited: Iterable[Organization] = (),
) -> Inspection:
    access.require(actor, "reform.inspect", organization)
    inspection = Inspection(
        organization=organization,
        title=title,
        start=start,
        end=end,
        scope=scope,
        team_note=team_note,
    )
    inspection.full_clean()
    inspection.save()
    inspection.team.set(list(team))
    inspection.visited.set(list(visited))
    audit_record(
        actor=actor,
        action="reform.inspection.create",
        obj=inspection,
        organization=organization,
        details={"title": title, "visited": [o.name for o in inspection.visited.all()]},
    )
    return inspection


@transaction.atomic
def finding_add(
    *,
    actor: Any,
    inspection: Inspection,
    organization: Organization,
    text: str,
    severity: str = "problem",
    task: PlanItem | None = None,
) -> Finding:
    access.require(actor, "reform.inspect", inspection.organization)
    finding = Finding(
        inspection=inspection, organization=organization, text=text, severity=severity, task=task
    )
    finding.full_clean()
    finding.save()
    audit_record(
        actor=actor,
        action="reform.finding.add",
        obj=finding,
        organization=inspection.organization,
        details={"organization": organization.name, "severity": severity},
    )
    return finding


@transaction.atomic
def rectification_add(
    *,
    actor: Any,
    finding: Finding,
    title: str,
    deadline: dt.date,
    organization: Organization | None = None,
    owner: Any = None,
) -> Rectification:
    access.require(actor, "reform.inspect", finding.inspection.organization)
    item = Rectification(
        finding=finding,
        organization=organization or finding.organization,
        title=title,
        deadline=deadline,
        owner=owner,
    )
    item.full_clean()
    item.save()
    notify(
        organizations=[item.organization],
        kind=Notification.Kind.NOTICE,
        key=f"rectification:{item.code}",
        title=_("Rectification required: %(t)s") % {"t": title},
        url=reverse("reform:inspection_detail", args=[finding.inspection.code]),
    )
    audit_record(
        actor=actor,
        action="reform.rectification.add",
        obj=item,
        organization=item.organization,
        details={"title": title, "deadline": deadline},
    )
    return item


@transaction.atomic
def rectification_submit(
    *, actor: Any, rectification: Rectification, response: str
) -> Rectification:
    """The responsible unit says what it did and asks the inspecting body to close the item."""
    item = Rectification.objects.select_for_update(of=("self",)).get(pk=rectification.pk)
    access.require(actor, "reform.report", item.organization)
    if item.status == Rectification.Status.CLOSED:
        raise ConflictError(_("The rectification is already closed."), code="closed")
    if not response.strip():
        raise ApplicationError(
            _("Say what was done."),
            code="response_required",
            details=[{"field": "response", "error": _("required")}],
        )
    item.response = response
    item.status = Rectification.Status.SUBMITTED
    item.submitted_by = user_or_none(actor)
    item.submitted_at = timezone.now()
    item.save(update_fields=["response", "status", "submitted_by", "submitted_at"])
    audit_record(
        actor=actor, action="reform.rectification.submit", obj=item, organization=item.organization
    )
    return item


def rectification_close_refusal(actor: Any, item: Rectification) -> str | None:
    """Why ``actor`` may not sign a rectification off (None when free to): not the person who
    submitted it, and not someone whose inspecting roles all sit inside the responsible unit."""
    if same_person(actor, item.submitted_by_id):
        return _("You submitted this rectification: someone else must sign it off.")
    unit = item.organization
    if unit.pk != item.finding.inspection.organization_id and acts_only_for(
        actor, "reform.inspect", unit
    ):
        return _(
            "You act for the responsible unit (%(unit)s): the inspecting body signs its "
            "rectification off."
        ) % {"unit": unit.name}
    return None


@audited_refusals
@transaction.atomic
def rectification_close(
    *, actor: Any, rectification: Rectification, accept: bool = True, comment: str = ""
) -> Rectification:
    """The inspecting body closes the item (or reopens it with a comment). Separation of duties:
    see :func:`rectification_close_refusal` (a refusal answers 403 and is audited)."""
    item = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("finding__inspection__organization", "organization")
        .get(pk=rectification.pk)
    )
    refusal = rectification_close_refusal(actor, item)
    if refusal:
        raise DutyConflict(
            refusal,
            action="reform.rectification.close",
            obj=item,
            organization=item.organization,
            reason="own_submission" if same_person(actor, item.submitted_by_id) else "own_unit",
            details={"accept": accept},
        )
    access.require(actor, "reform.inspect", item.finding.inspection.organization)
    if item.status != Rectification.Status.SUBMITTED:
        raise ConflictError(
            _("Only a rectification submitted for closure can be closed."), code="not_submitted"
        )
    item.closing_comment = comment
    if accept:
        item.status = Rectification.Status.CLOSED
        item.closed_by = user_or_none(actor)
        item.closed_at = timezone.now()
    else:
        item.status = Rectification.Status.OPEN
    item.save()
    audit_record(
        actor=actor,
        action="reform.rectification.close" if accept else "reform.rectification.reopen",
        obj=item,
        organization=item.organization,
        details={"comment": comment},
    )
    return item


@transaction.atomic
def notice_issue(
    *,
    actor: Any,
    organization: Organization,
    target: Organization,
    title: str,
    body: str,
    reply_deadline: dt.date,
    task: PlanItem | None = None,
    issued_on: dt.date | None = None,
) -> SupervisionNotice:
    access.require(actor, "reform.inspect", organization)
    if target.pk == organization.pk:
        raise ApplicationError(
            _("A notice goes to another unit."),
            code="self_notice",
            details=[{"field": "target", "error": _("another unit")}],
        )
    notice = SupervisionNotice(
        organization=organization,
        target=target,
        title=title,
        body=body,
        task=task,
        reply_deadline=reply_deadline,
        issued_on=issued_on or timezone.localdate(),
    )
    notice.full_clean()
    notice.save()
    notify(
        organizations=[target],
        kind=Notification.Kind.NOTICE,
        key=f"notice:{notice.code}",
        title=_("Supervision notice: %(t)s (reply by %(d)s)") % {"t": title, "d": reply_deadline},
        body=body,
        url=reverse("reform:notice_detail", args=[notice.code]),
    )
    audit_record(
        actor=actor,
        action="reform.notice.issue",
        obj=notice,
        organization=organization,
        details={"target": target.name, "reply_deadline": reply_deadline},
    )
    return notice


@transaction.atomic
def notice_reply(*, actor: Any, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    notice = SupervisionNotice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
    access.require(actor, "reform.report", notice.target)
    if notice.status == SupervisionNotice.Status.CLOSED:
        raise ConflictError(_("The notice is closed."), code="closed")
    if not reply.strip():
        raise ApplicationError(
            _("Write the reply."),
            code="reply_required",
            details=[{"field": "reply", "error": _("required")}],
        )
    notice.reply = reply
    notice.status = SupervisionNotice.Status.REPLIED
    notice.replied_at = timezone.now()
    notice.save(update_fields=["reply", "status", "replied_at"])
    audit_record(actor=actor, action="reform.notice.reply", obj=notice, organization=notice.target)
    return notice


@transaction.atomic
def notice_close(*, actor: Any, notice: SupervisionNotice) -> SupervisionNotice:
    notice = SupervisionNotice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
    access.require(actor, "reform.inspect", notice.organization)
    if notice.status != SupervisionNotice.Status.REPLIED:
        raise ConflictError(_("Only a replied notice can be closed."), code="not_replied")
    notice.status = SupervisionNotice.Status.CLOSED
    notice.closed_at = timezone.now()
    notice.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor, action="reform.notice.close", obj=notice, organization=notice.organization
    )
    return notice


def may_inspect(actor: Any, inspection: Inspection) -> bool:
    return access.can(actor, "reform.inspect", inspection.organization)
