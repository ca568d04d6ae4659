"""Transfer requests: how the register keeps one record per person without disclosing it.

A citizen ID is registered once (keyed hash, unique). When an officer registers, edits or imports a
number that is held by a worker outside their organisations, nothing about that worker may reach
them — not an error, not a row marked differently. Instead a :class:`TransferRequest` is filed,
routed to the employer that holds the record, and the officer is answered with
:data:`NEUTRAL_REPLY`: *the registration is handed on for confirmation*. The officer gets the same
reply when they file a transfer request themselves (:func:`transfer_request_file`) for any number,
registered or not, so the reply carries no information about other provinces.

The holding employer's officers see pending requests (a to-do) and accept — the worker moves to the
requesting employer with a transfer history row — or decline. The officer who filed a request never
decides it (separation of duties), and nobody outside the holding organisation sees the request.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.validators import normalize_citizen_id

from . import personal
from .models import TransferRequest, Worker

PERM = "workforce.change_worker"

NEUTRAL_REPLY = gettext_lazy(
    "The registration has been handed on for confirmation. If this person is already registered "
    "with another employer, that employer is asked to transfer them to yours; the worker appears in "
    "your list once the transfer is confirmed."
)


class HeldElsewhere(Exception):
    """The citizen ID belongs to a worker the actor may not see (raised inside a service's
    transaction; the caller files the request after rolling it back)."""

    def __init__(self, worker_id: int) -> None:
        super().__init__("held elsewhere")
        self.worker_id = worker_id


def neutral_error() -> ApplicationError:
    """The answer to a registration of a number held elsewhere (HTTP 202-like, but an error so
    nothing of the attempted registration is saved)."""
    return ApplicationError(
        str(NEUTRAL_REPLY),
        code="registration_handed_on",
        details=[{"field": "citizen_id", "error": str(NEUTRAL_REPLY)}],
        status=202,
    )


def _file(*, actor: Any, worker_id: int, to_organization: Organization, name: str) -> None:
    """Record a pending request (once per worker and requesting employer); silent otherwise."""
    worker = Worker.objects.get(pk=worker_id)
    if worker.organization_id == to_organization.pk:
        return
    try:
        with transaction.atomic():
            request = TransferRequest.objects.create(
                worker=worker,
                to_organization=to_organization,
                name_given=(name or "")[:50],
                requested_by=user_or_none(actor),
            )
    except IntegrityError:  # one pending request per worker and employer already exists
        return
    audit(
        actor=actor,
        action="worker.transfer_request.file",
        obj=request,
        organization=worker.organization,
        details={"to": to_organization.code},
    )


@transaction.atomic
def transfer_request_file(
    *, actor: Any, to_organization: Organization, citizen_id: str, name: str = ""
) -> str:
    """Ask for the worker with ``citizen_id`` to be transferred to ``to_organization``.

    Answers :data:`NEUTRAL_REPLY` whether the number is registered elsewhere, registered inside
    the actor's own organisations, or not registered at all; only a malformed number is an error."""
    access.require(actor, PERM, to_organization)
    try:
        number = normalize_citizen_id(citizen_id)
    except ValidationError as exc:
        raise ValidationError({"citizen_id": exc.messages}) from exc
    holder = (
        Worker.objects.filter(citizen_id_hash__in=personal.citizen_id_hashes(number))
        .values_list("pk", "organization__path")
        .first()
    )
    if holder is not None and not _visible(actor, holder[1]):
        _file(actor=actor, worker_id=holder[0], to_organization=to_organization, name=name)
    return str(NEUTRAL_REPLY)


def file_for_held_worker(
    *, actor: Any, worker_id: int, to_organization: Organization, name: str
) -> None:
    """File the request for a registration that found the number held elsewhere (called after the
    registration's own transaction was rolled back)."""
    with transaction.atomic():
        _file(actor=actor, worker_id=worker_id, to_organization=to_organization, name=name)


def _visible(actor: Any, path: str) -> bool:
    paths = access.scope_paths(actor, "workforce.view_worker")
    return paths is None or any(path.startswith(p) for p in paths)
