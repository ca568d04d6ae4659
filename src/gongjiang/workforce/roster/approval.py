"""Roster imports that need approval (separation of duties).

With ``settings.ROSTER_IMPORT_APPROVAL`` on (env ``GONGJIANG_ROSTER_IMPORT_APPROVAL=1``), whoever
uploaded and checked a roster does not write it: they *request* the import of the valid rows, and
another admin or officer whose roles cover the enterprise (``workforce.approve_import``) approves
it — the import then runs as the requester's job, as without approval — or rejects it with a
reason. The requester approving or rejecting their own request is refused (403, audited).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.audit import audit_record
from gongjiang.core.duties import DutyConflict, audited_refusals, same_person
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import Job, Organization

from .approval_models import RosterImportApproval
from .jobs import roster_import_again

APPROVE = "workforce.approve_import"


@transaction.atomic
def roster_import_request(
    *,
    actor: Any,
    job: Job,
    organization: Organization,
    mapping: dict[str, int | None] | None,
) -> RosterImportApproval:
    """Ask for the valid rows of a checked file to be imported into ``organization``."""
    access.require(actor, "workforce.change_worker", organization)
    result = job.result or {}
    if not job.finished or result.get("headers") is None or not job.params.get("dry_run", True):
        raise ApplicationError(
            _("Check the file first: only a checked roster can be sent for approval."),
            code="not_checked",
        )
    if not result.get("valid"):
        raise ApplicationError(_("The file has no valid rows to import."), code="nothing_valid")
    # the approver approves what was checked: the columns are read as the check read them
    checked = {k: v for k, v in (result.get("mapping") or {}).items() if v is not None}
    if mapping is not None and {k: v for k, v in mapping.items() if v is not None} != checked:
        raise ApplicationError(
            _(
                "The column mapping differs from the one the file was checked with: check the "
                "file again with this mapping, then send it for approval."
            ),
            code="mapping_not_checked",
        )
    mapping = result.get("mapping") or mapping
    if RosterImportApproval.objects.filter(
        checked_job=job, status=RosterImportApproval.Status.PENDING
    ).exists():
        raise ConflictError(
            _("This file is already waiting for approval."), code="already_requested"
        )
    approval = RosterImportApproval(
        organization=organization,
        checked_job=job,
        mapping=mapping,
        filename=str(job.params.get("filename", ""))[:200],
        valid_rows=int(result.get("valid") or 0),
        requested_by=actor,
    )
    approval.full_clean()
    approval.save()
    audit_record(
        actor=actor,
        action="workforce.import.request",
        obj=approval,
        organization=organization,
        details={"job": job.code, "file": approval.filename, "valid": approval.valid_rows},
    )
    return approval


def _decide(actor: Any, approval: RosterImportApproval, approve: bool) -> RosterImportApproval:
    row = (
        RosterImportApproval.objects.select_for_update(of=("self",))
        .select_related("organization", "checked_job", "requested_by")
        .get(pk=approval.pk)
    )
    if same_person(actor, row.requested_by_id):
        raise DutyConflict(
            _("You asked for this import: another officer approves or rejects it."),
            action="workforce.import.approve" if approve else "workforce.import.reject",
            obj=row,
            organization=row.organization,
            reason="own_import",
            details={"file": row.filename},
        )
    access.require(actor, APPROVE, row.organization)
    if row.status != RosterImportApproval.Status.PENDING:
        raise ConflictError(_("This import was already decided."), code="already_decided")
    return row


@audited_refusals
@transaction.atomic
def roster_import_approve(
    *, actor: Any, approval: RosterImportApproval, comment: str = ""
) -> RosterImportApproval:
    """Approve: the import of the valid rows starts, as the requester's job."""
    row = _decide(actor, approval, True)
    requester = row.requested_by
    if requester is None:
        raise ApplicationError(_("The requester's account is gone."), code="no_requester")
    access.forget(requester)
    job = roster_import_again(
        actor=requester,
        job=row.checked_job,
        organization=row.organization,
        dry_run=False,
        mapping=row.mapping,
        approved=True,
    )
    row.status = RosterImportApproval.Status.APPROVED
    row.decided_by, row.decided_at, row.comment = actor, timezone.now(), comment[:300]
    row.import_job = job
    row.save(update_fields=["status", "decided_by", "decided_at", "comment", "import_job"])
    audit_record(
        actor=actor,
        action="workforce.import.approve",
        obj=row,
        organization=row.organization,
        details={"job": job.code, "requested_by": requester.get_username()},
    )
    return row


@audited_refusals
@transaction.atomic
def roster_import_reject(
    *, actor: Any, approval: RosterImportApproval, comment: str
) -> RosterImportApproval:
    row = _decide(actor, approval, False)
    if not comment.strip():
        raise ApplicationError(
            _("Say why the import is rejected."),
            code="comment_required",
            details=[{"field": "comment", "error": _("required")}],
        )
    row.status = RosterImportApproval.Status.REJECTED
    row.decided_by, row.decided_at, row.comment = actor, timezone.now(), comment[:300]
    row.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    audit_record(
        actor=actor,
        action="workforce.import.reject",
        obj=row,
        organization=row.organization,
        details={"comment": comment},
    )
    return row


def approvals_for(*, actor: Any) -> Any:
    """Requests the actor may decide or made (scoped to the enterprises their roles cover)."""
    return RosterImportApproval.objects.visible_to(actor, APPROVE).select_related(
        "organization", "requested_by", "decided_by"
    ) | RosterImportApproval.objects.filter(requested_by=actor).select_related(
        "organization", "requested_by", "decided_by"
    )


def approval_get(*, actor: Any, code: str) -> RosterImportApproval:
    from django.http import Http404

    row = approvals_for(actor=actor).filter(code=code).first()
    if row is None:
        raise Http404("approval")
    return row
