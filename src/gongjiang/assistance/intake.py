"""A hardship help request (职工服务中心, category 困难帮扶) opened as a hardship application.

The help desk's cadre who handles the request and holds ``assistance.check`` for the worker's union
opens an application on the worker's behalf from the request: the worker is the one who asked (no
search, no citizen ID typed), the household form starts with the worker's own row (relation and
birth date from the registry) and the request's reference in the note. The file and the request are
linked both ways (``HardshipFile.help_request``, one-to-one: one file per request, enforced by a
unique index and by locking the request row). The worker sees on the request that a file was opened
and its status; the thread gets an event line, the worker an in-app notification (no household data,
no internal notes). When the file is decided (filed or refused), the request can be answered and
resolved (``members.helpdesk.help_reply_resolve``); before that, resolving is refused.

Audit: ``assistance.file_from_help`` on the file with the two codes only; the application itself is
audited by ``file_apply`` as any other (category, by whom) — never household data or the request's
text.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.members import helpdesk
from gongjiang.members.models import HelpMessage, HelpRequest
from gongjiang.members.models.helpdesk import Category
from gongjiang.members.notify import notify

from . import services
from .models import HardshipFile

CHECK = services.CHECK


def help_worker(req: HelpRequest) -> Any:
    """The registry's worker who filed the request (None for someone not in the registry)."""
    from gongjiang.workforce.models import Worker

    return (
        Worker.objects.filter(user_id=req.user_id)
        .select_related("organization")
        .order_by("id")
        .first()
    )


def file_of(req: HelpRequest) -> HardshipFile | None:
    """The file opened from the request, if any."""
    return HardshipFile.objects.filter(help_request=req).select_related("organization").first()


def may_open(actor: Any, req: HelpRequest) -> bool:
    """Show the button: a hardship request, not resolved, no file yet, handled by the actor (not
    their own), a registered worker, and the actor may apply for that worker's union."""
    if req.category != Category.HARDSHIP or req.status == HelpRequest.Status.RESOLVED:
        return False
    if req.user_id == getattr(actor, "pk", None) or not helpdesk.can_handle(actor, req):
        return False
    if not access.can(actor, CHECK):
        return False
    worker = help_worker(req)
    if worker is None or not access.can(actor, CHECK, worker.organization):
        return False
    return not HardshipFile.objects.filter(help_request=req).exists()


def prefill(req: HelpRequest, worker: Any) -> dict[str, Any]:
    """What the form starts with: the worker's own row and the request's reference."""
    return {
        "members": [{"relation": "本人", "birth_date": worker.birth_date}],
        "note": _("From help request %(code)s") % {"code": req.code},
    }


def _refuse(code: str, message: str, status: int = 409) -> ApplicationError:
    return ApplicationError(message, code=code, status=status, details=[{"error": message}])


def file_from_help(
    *, actor: Any, req: HelpRequest, household: dict[str, Any], consent: bool
) -> HardshipFile:
    """Open a hardship application on the worker's behalf from their hardship help request.

    The caller fetched ``req`` through ``helpdesk.request_get`` (404 outside the actor's scope).
    Refused: a request of another category (422 ``not_hardship``), one's own or one the actor does
    not handle (403), without ``assistance.check`` for the worker's union (403), a worker not in the
    registry (422 ``no_worker``), a resolved request (409 ``request_resolved``), a request that
    already has a file (409 ``file_exists``, also when two clicks race: the request row is locked and
    the link is unique), a worker with another open file (409 ``file_open``)."""
    if req.category != Category.HARDSHIP:
        raise _refuse(
            "not_hardship", _("Only a hardship request can open a hardship application."), 422
        )
    if req.user_id == getattr(actor, "pk", None) or not helpdesk.can_handle(actor, req):
        raise PermissionDenied(_("Nobody answers their own request."))
    worker = help_worker(req)
    if worker is None:
        raise _refuse(
            "no_worker",
            _("The worker is not in the registry; register them first, then apply."),
            422,
        )
    access.require(actor, CHECK, worker.organization)
    try:
        with transaction.atomic():
            locked = HelpRequest.objects.select_for_update().get(pk=req.pk)
            if locked.status == HelpRequest.Status.RESOLVED:
                raise _refuse("request_resolved", _("The request is already resolved."))
            if HardshipFile.objects.filter(help_request=locked).exists():
                raise ConflictError(
                    _("A hardship application was already opened from this request."),
                    code="file_exists",
                )
            file = services.file_apply(
                actor=actor, worker=worker, household=household, consent=consent
            )
            file.help_request = locked
            file.save(update_fields=["help_request"])
            HelpMessage.objects.create(
                request=locked,
                author=actor,
                kind=HelpMessage.Kind.EVENT,
                text=_("A hardship application was opened from this request (%(code)s).")
                % {"code": file.code},
            )
            audit(
                actor=actor,
                action="assistance.file_from_help",
                obj=file,
                details={"help_request": locked.code},
            )
            notify(
                locked.user,
                _("A hardship application was opened for you"),
                _("Status: %(status)s") % {"status": file.get_status_display()},
                reverse("members:help_detail", args=[locked.code]),
            )
    except IntegrityError:
        # the unique link lost a race the lock did not see (another database session)
        raise ConflictError(
            _("A hardship application was already opened from this request."),
            code="file_exists",
        ) from None
    return file


def decision_reply(file: HardshipFile) -> str:
    """The reply the cadre starts from when the file is decided (the worker sees it)."""
    if file.status == HardshipFile.Status.REFUSED:
        return _("Your hardship application was not approved: %(reason)s") % {
            "reason": file.refusal_reason
        }
    if file.status == HardshipFile.Status.FILED:
        return _(
            "Your hardship application was approved and you are filed as a worker in hardship; "
            "the union's assistance officer will contact you about support."
        )
    return ""
