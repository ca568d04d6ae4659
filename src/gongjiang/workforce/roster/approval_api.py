"""Roster import approval endpoints (mounted into the workforce router): ask for the import of a
checked file, list the requests in scope, approve or reject — never one's own."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from gongjiang.core.models import Organization
from gongjiang.core.schemas import StrictSchema

from .approval import (
    approval_get,
    approvals_for,
    roster_import_approve,
    roster_import_reject,
    roster_import_request,
)
from .jobs import import_job_get
from .reader import FIELDS

router = Router(tags=["workforce"])


class ApprovalOut(Schema):
    code: str
    organization: str
    filename: str
    valid_rows: int
    status: str
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    comment: str
    import_job: str | None

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return obj.organization.code

    @staticmethod
    def resolve_requested_by(obj: Any) -> str | None:
        return obj.requested_by.get_username() if obj.requested_by_id else None

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by_id else None

    @staticmethod
    def resolve_import_job(obj: Any) -> str | None:
        return obj.import_job.code if obj.import_job_id else None


class ApprovalRequestIn(StrictSchema):
    organization: str = Field(..., max_length=20)
    mapping: dict[Literal[FIELDS], int | None] | None = None  # type: ignore[valid-type]


class DecisionIn(StrictSchema):
    comment: str = Field("", max_length=300)


@router.post(
    "/imports/{code}/request-approval",
    response={201: ApprovalOut},
    summary="Ask another officer to approve importing a checked roster's valid rows",
)
def import_approval_request(
    request: HttpRequest, code: str, payload: ApprovalRequestIn
) -> tuple[int, Any]:
    job = import_job_get(actor=request.user, code=code)
    org = (
        Organization.objects.visible_to(request.user, "workforce.change_worker")
        .filter(code=payload.organization)
        .first()
    )
    if org is None:
        raise Http404("organization")
    mapping = payload.mapping if payload.mapping is not None else job.params.get("mapping")
    approval = roster_import_request(actor=request.user, job=job, organization=org, mapping=mapping)
    return 201, approval


@router.get("/import-approvals", response=list[ApprovalOut], summary="Roster imports to approve")
def import_approval_list(request: HttpRequest) -> Any:
    return list(approvals_for(actor=request.user)[:200])


@router.post(
    "/import-approvals/{code}/approve",
    response=ApprovalOut,
    summary="Approve a roster import (not one's own): the import starts",
)
def import_approval_approve(request: HttpRequest, code: str, payload: DecisionIn) -> Any:
    approval = approval_get(actor=request.user, code=code)
    return roster_import_approve(actor=request.user, approval=approval, comment=payload.comment)


@router.post(
    "/import-approvals/{code}/reject",
    response=ApprovalOut,
    summary="Reject a roster import with a reason (not one's own)",
)
def import_approval_reject(request: HttpRequest, code: str, payload: DecisionIn) -> Any:
    approval = approval_get(actor=request.user, code=code)
    return roster_import_reject(actor=request.user, approval=approval, comment=payload.comment)
