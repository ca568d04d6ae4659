"""Deciding transfer requests: the holding employer's officers see the pending requests for their
workers and accept (the worker moves, through the registry's own transfer service) or decline.
Filing and the neutral reply live in :mod:`transfer_requests`, below the registry's services."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import SystemActor, audit, user_or_none
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError

from .models import TransferRequest
from .services import worker_transfer
from .transfer_requests import PERM


def transfer_requests_pending(*, actor: Any) -> QuerySet[TransferRequest]:
    """Pending requests for workers the actor's organisations hold (their to-do)."""
    return (
        TransferRequest.objects.visible_to(actor, PERM)
        .filter(status=TransferRequest.Status.PENDING)
        .select_related("worker", "worker__organization", "to_organization", "requested_by")
    )


def transfer_request_get(*, actor: Any, code: str) -> TransferRequest:
    return access.get_visible_or_404(
        TransferRequest.objects.select_related("worker", "to_organization"),
        actor,
        PERM,
        code=code,
    )


def _decide(actor: Any, request: TransferRequest, action: str) -> TransferRequest:
    locked = (
        TransferRequest.objects.select_for_update()
        .select_related("worker__organization", "to_organization")
        .get(pk=request.pk)
    )
    access.require(actor, PERM, locked.worker.organization)
    if locked.status != TransferRequest.Status.PENDING:
        raise ApplicationError(_("This request has already been decided."), code="decided")
    if same_person(actor, locked.requested_by_id):
        # separation of duties: the officer who asked for the worker does not decide (403, audited)
        raise DutyConflict(
            _("You filed this request, so someone else decides it."),
            action=action,
            obj=locked,
            organization=locked.worker.organization,
            reason="own_request",
        )
    return locked


@audited_refusals
@transaction.atomic
def transfer_request_accept(*, actor: Any, request: TransferRequest) -> TransferRequest:
    """The holding employer agrees: the worker (with all history) moves to the requester."""
    locked = _decide(actor, request, "worker.transfer_request.accept")
    worker_transfer(
        actor=SystemActor("transfer-request"),
        worker=locked.worker,
        to_organization=locked.to_organization,
        date=timezone.localdate(),
        reason=_("transfer request %(code)s accepted") % {"code": locked.code},
    )
    locked.status = TransferRequest.Status.ACCEPTED
    locked.decided_by = user_or_none(actor)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit(
        actor=actor,
        action="worker.transfer_request.accept",
        obj=locked,
        organization=locked.to_organization,
        details={"to": locked.to_organization.code},
    )
    return locked


@audited_refusals
@transaction.atomic
def transfer_request_decline(*, actor: Any, request: TransferRequest) -> TransferRequest:
    """The holding employer keeps the worker; the requester is not told (the request just never
    turns into a transfer), so a decline discloses nothing either."""
    locked = _decide(actor, request, "worker.transfer_request.decline")
    locked.status = TransferRequest.Status.DECLINED
    locked.decided_by = user_or_none(actor)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit(
        actor=actor,
        action="worker.transfer_request.decline",
        obj=locked,
        organization=locked.worker.organization,
        details={"to": locked.to_organization.code},
    )
    return locked
