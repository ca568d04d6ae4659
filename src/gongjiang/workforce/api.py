"""Workforce endpoints at /api/v1/workforce/: workers, their history, the ID reveal, roster imports
and exports — all scoped to the caller and all through the same services as the pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core import access
from gongjiang.core.models import Enterprise, Organization
from gongjiang.core.profile_badges import badges_for
from gongjiang.core.schemas import DryRunJobOut, PageSize, StrictSchema, resolve_from

from . import selectors, services
from .analytics.api import router as analytics_router
from .exports import worker_export_response
from .models import Certificate, Honour, SkillLevelChange, Worker
from .roster.approval_api import router as import_approval_router
from .roster.jobs import import_job_get, roster_import_again, roster_import_start
from .roster.reader import FIELDS
from .selectors import WorkerFilters
from .timeline import timeline_for

router = Router(tags=["workforce"])
router.add_router("/analytics", analytics_router)
router.add_router("", import_approval_router)

Gender = Literal["M", "F"]
Status = Literal["active", "left", "retired"]
EmploymentType = Literal["contract", "dispatched", "migrant", "other"]


# ------------------------------------------------------------------------------------ output
class WorkerOut(Schema):
    code: str
    name: str
    citizen_id: str = Field(
        ..., alias="citizen_id_masked", description="masked: use reveal-citizen-id"
    )
    gender: str
    birth_date: dt.date
    employer: str = Field(..., description="code of the employing enterprise")
    employer_name: str = Field(..., description="the enterprise's legal name")
    employer_uscc: str = Field(..., description="the enterprise's unified social credit code")
    organization: str = Field(..., description="code of the enterprise union the worker is in")
    organization_name: str
    team: str | None
    team_name: str | None
    employee_number: str
    occupation: str | None = Field(None, alias="occupation_id")
    occupation_name: str | None
    job_title: str
    skill_level: str | None = Field(None, alias="skill_level_id")
    hire_date: dt.date | None
    employment_type: str
    union_member_since: dt.date | None
    status: str
    phone: str = Field(..., alias="phone_masked")
    ethnicity: str
    education: str
    political_status: str

    resolve_employer = resolve_from("employer.code")
    resolve_employer_name = resolve_from("employer.name")
    resolve_employer_uscc = resolve_from("employer.uscc")
    resolve_organization = resolve_from("organization.code")
    resolve_organization_name = resolve_from("organization.name")
    resolve_team = resolve_from("team.code")
    resolve_team_name = resolve_from("team.name")
    resolve_occupation_name = resolve_from("occupation.name")


class WorkerBadgeOut(Schema):
    key: str
    label: str


class WorkerDetailOut(WorkerOut):
    badges: list[WorkerBadgeOut] = Field(
        default_factory=list,
        alias="profile_badges",
        description="facts other apps show only to viewers who may know them (core.profile_badges)",
    )


class WorkerPageOut(Schema):
    count: int
    count_capped: bool = Field(..., description="true when there are more than `count` workers")
    next_cursor: str | None
    items: list[WorkerOut]


class WorkerFiltersIn(Schema):
    q: str = Field(
        "",
        max_length=100,
        description="name prefix, pinyin or initials, last 4 of the ID, or the ID",
    )
    occupation: str = Field("", max_length=20)
    level: str = Field("", max_length=30)
    employer: str = Field("", max_length=20)
    region: str = Field("", max_length=6)
    honour: str = Field("", max_length=60)
    status: str = Field("", max_length=8)
    gender: str = Field("", max_length=1)


class WorkerListIn(WorkerFiltersIn):
    cursor: str = Field("", max_length=400, description="next_cursor of the previous page")
    page_size: PageSize = 50


class TimelineOut(Schema):
    date: dt.date
    kind: str
    title: str
    detail: str
    url: str
    struck: bool


class HistoryOut(Schema):
    code: str
    date: dt.date


class LevelChangeOut(HistoryOut):
    from_level: str | None = Field(None, alias="from_level_id")
    to_level: str | None = Field(None, alias="to_level_id")
    source: str
    source_ref: str
    reason: str
    reverted: bool


class CitizenIdOut(Schema):
    citizen_id: str


# ------------------------------------------------------------------------------------- input
class WorkerIn(StrictSchema):
    organization: str = Field(
        ..., min_length=1, max_length=20, description="code of the enterprise union"
    )
    employer: str | None = Field(
        None,
        max_length=20,
        description="code of the employing enterprise (needed when the union covers several)",
    )
    name: str = Field(..., min_length=1, max_length=50)
    citizen_id: str = Field(..., min_length=15, max_length=30)
    gender: Gender | None = None
    birth_date: dt.date | None = None
    ethnicity: str = Field("", max_length=20)
    education: str = Field("", max_length=20)
    political_status: str = Field("", max_length=20)
    phone: str = Field("", max_length=30)
    employee_number: str = Field("", max_length=40)
    occupation: str | None = Field(None, max_length=20)
    job_title: str = Field("", max_length=100)
    skill_level: str | None = Field(None, max_length=30)
    hire_date: dt.date | None = None
    employment_type: EmploymentType = "contract"
    union_member_since: dt.date | None = None
    status: Status = "active"
    team: str | None = Field(None, max_length=20, description="code of a team of the employer")


class WorkerPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=50)
    citizen_id: str | None = Field(None, min_length=15, max_length=30)
    gender: Gender | None = None
    birth_date: dt.date | None = None
    ethnicity: str | None = Field(None, max_length=20)
    education: str | None = Field(None, max_length=20)
    political_status: str | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=30)
    employee_number: str | None = Field(None, max_length=40)
    occupation: str | None = Field(None, max_length=20)
    job_title: str | None = Field(None, max_length=100)
    hire_date: dt.date | None = None
    employment_type: EmploymentType | None = None
    union_member_since: dt.date | None = None
    status: Status | None = None
    team: str | None = Field(None, max_length=20)


class TransferIn(StrictSchema):
    to_organization: str = Field(..., min_length=1, max_length=20)
    date: dt.date
    reason: str = Field("", max_length=200)
    team: str | None = Field(None, max_length=20)
    employer: str | None = Field(None, max_length=20, description="code of the new employer")


class LevelChangeIn(StrictSchema):
    level: str | None = Field(..., max_length=30, description="skill level code, or null for none")
    date: dt.date
    source: str = Field(..., min_length=1, max_length=200)
    source_ref: str = Field("", max_length=60)
    reason: str = Field("", max_length=200)


class CertificateIn(StrictSchema):
    kind: Literal["skill_level", "qualification", "special_operation", "other"]
    number: str = Field(..., min_length=1, max_length=40)
    issuer: str = Field(..., min_length=1, max_length=100)
    date: dt.date
    occupation: str | None = Field(None, max_length=20)
    level: str | None = Field(None, max_length=30)
    valid_until: dt.date | None = None
    source: str = Field("", max_length=200)
    source_ref: str = Field("", max_length=60)


class HonourIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=60)
    level: Literal["national", "provincial", "city", "enterprise"]
    year: int = Field(..., ge=1949, le=2100)
    date: dt.date | None = None
    awarded_by: str = Field("", max_length=100)
    source: str = Field("", max_length=200)
    source_ref: str = Field("", max_length=60)


class TrainingIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=200)
    hours: Decimal = Field(..., gt=0, le=10000, max_digits=6, decimal_places=1)
    date: dt.date
    result: str = Field("", max_length=60)
    provider: str = Field("", max_length=100)
    source: str = Field("", max_length=200)
    source_ref: str = Field("", max_length=60)


class WorkerCertificateRevokeIn(StrictSchema):
    reason: str = Field("", max_length=200)


# ----------------------------------------------------------------------------------- helpers
def _worker(request: HttpRequest, code: str) -> Worker:
    return selectors.worker_get_for_user(request.user, code)


def _employer(request: HttpRequest, code: str | None) -> Enterprise | None:
    """An enterprise the caller may employ workers at (422 when unknown or out of scope: it is a
    detail of the request, like the team)."""
    if not code:
        return None
    found = (
        Enterprise.objects.visible_to(request.user, "workforce.change_worker")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise ValidationError({"employer": ["unknown enterprise or not in your scope"]})
    return found


def _org(request: HttpRequest, code: str, field: str) -> Organization:
    """An organisation the caller may put workers into: 404 when missing or out of scope (a team:
    422, as it is a detail of the request)."""
    org = (
        Organization.objects.visible_to(request.user, "workforce.change_worker")
        .filter(code=code)
        .first()
    )
    if org is None:
        if field == "team":
            raise ValidationError({field: ["unknown team or not in your scope"]})
        raise Http404(field)
    return org


def _team(request: HttpRequest, code: str | None) -> Organization | None:
    return _org(request, code, "team") if code else None


# ------------------------------------------------------------------------------------ workers
@router.get(
    "/workers", response=WorkerPageOut, summary="Search workers (keyset paging: pass next_cursor)"
)
def worker_list(request: HttpRequest, filters: Query[WorkerListIn]) -> dict[str, Any]:
    data = filters.dict()
    cursor, page_size = data.pop("cursor"), data.pop("page_size")
    qs = selectors.worker_list(request.user, WorkerFilters(**data))
    page = selectors.worker_page(qs, cursor=cursor or None, size=page_size)
    return {
        "count": page.count,
        "count_capped": page.count_capped,
        "next_cursor": page.next_cursor,
        "items": page.items,
    }


@router.get(
    "/workers/export",
    summary="The whole filtered list as .xlsx (IDs masked unless allowed; audited)",
)
def worker_export(request: HttpRequest, filters: Query[WorkerFiltersIn]) -> HttpResponse:
    if (
        not access.can(request.user, "workforce.export_worker")
        and not Worker.objects.filter(user=request.user).exists()
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("workforce.export_worker")
    return worker_export_response(actor=request.user, filters=WorkerFilters(**filters.dict()))


@router.post("/workers", response={201: WorkerOut}, summary="Register a worker")
def worker_create(request: HttpRequest, payload: WorkerIn) -> tuple[int, Worker]:
    data = payload.dict()
    organization = _org(request, data.pop("organization"), "organization")
    team = _team(request, data.pop("team"))
    data["employer"] = _employer(request, data.pop("employer"))
    worker = services.worker_create(
        actor=request.user, organization=organization, team=team, source="API", **data
    )
    return 201, selectors.worker_get_for_user(request.user, worker.code)


@router.get("/workers/{code}", response=WorkerDetailOut)
def worker_detail(request: HttpRequest, code: str) -> Worker:
    worker = _worker(request, code)
    worker.profile_badges = [  # type: ignore[attr-defined]
        {"key": b.key, "label": b.label} for b in badges_for(request.user, worker)
    ]
    return worker


@router.patch("/workers/{code}", response=WorkerOut)
def worker_update(request: HttpRequest, code: str, payload: WorkerPatch) -> Worker:
    worker = _worker(request, code)
    fields = payload.dict(exclude_unset=True)
    if "team" in fields:
        fields["team"] = _team(request, fields["team"])
    services.worker_update(actor=request.user, worker=worker, **fields)
    return _worker(request, code)


@router.get("/workers/{code}/timeline", response=list[TimelineOut], summary="The profile timeline")
def worker_timeline(request: HttpRequest, code: str) -> Any:
    return timeline_for(_worker(request, code), request.user)


@router.post("/workers/{code}/transfer", response=WorkerOut, summary="Move to another employer")
def worker_transfer(request: HttpRequest, code: str, payload: TransferIn) -> Worker:
    worker = _worker(request, code)
    to = _org(request, payload.to_organization, "to_organization")
    services.worker_transfer(
        actor=request.user,
        worker=worker,
        to_organization=to,
        date=payload.date,
        reason=payload.reason,
        team=_team(request, payload.team),
        to_employer=_employer(request, payload.employer),
    )
    return selectors.worker_get_for_user(request.user, code)


@router.get("/workers/{code}/skill-level-changes", response=list[LevelChangeOut])
def level_changes(request: HttpRequest, code: str) -> Any:
    return _worker(request, code).skill_level_changes.all()


@router.post(
    "/workers/{code}/skill-level-changes",
    response={201: LevelChangeOut},
    summary="Change the skill level",
)
def level_change(
    request: HttpRequest, code: str, payload: LevelChangeIn
) -> tuple[int, SkillLevelChange]:
    worker = _worker(request, code)
    return 201, services.worker_skill_level_change(
        actor=request.user, worker=worker, **payload.dict()
    )


@router.post(
    "/skill-level-changes/{code}/revert", response=LevelChangeOut, summary="Undo the latest change"
)
def level_change_revert(request: HttpRequest, code: str) -> SkillLevelChange:
    change = access.get_visible_or_404(
        SkillLevelChange.objects.select_related("worker__organization"), request.user, code=code
    )
    return services.worker_skill_level_change_revert(actor=request.user, change=change)


@router.post("/workers/{code}/certificates", response={201: HistoryOut})
def certificate_add(request: HttpRequest, code: str, payload: CertificateIn) -> tuple[int, Any]:
    return 201, services.certificate_add(
        actor=request.user, worker=_worker(request, code), **payload.dict()
    )


@router.post("/certificates/{code}/revoke", response=HistoryOut)
def certificate_revoke(request: HttpRequest, code: str, payload: WorkerCertificateRevokeIn) -> Any:
    cert = access.get_visible_or_404(
        Certificate.objects.select_related("worker__organization"), request.user, code=code
    )
    return services.certificate_revoke(actor=request.user, certificate=cert, reason=payload.reason)


@router.post("/workers/{code}/honours", response={201: HistoryOut})
def honour_add(request: HttpRequest, code: str, payload: HonourIn) -> tuple[int, Any]:
    return 201, services.honour_add(
        actor=request.user, worker=_worker(request, code), **payload.dict()
    )


@router.post("/honours/{code}/revoke", response=HistoryOut)
def honour_revoke(request: HttpRequest, code: str, payload: WorkerCertificateRevokeIn) -> Any:
    honour = access.get_visible_or_404(
        Honour.objects.select_related("worker__organization"), request.user, code=code
    )
    return services.honour_revoke(actor=request.user, honour=honour, reason=payload.reason)


@router.post("/workers/{code}/training-records", response={201: HistoryOut})
def training_record_add(request: HttpRequest, code: str, payload: TrainingIn) -> tuple[int, Any]:
    return 201, services.training_record_add(
        actor=request.user, worker=_worker(request, code), **payload.dict()
    )


@router.post(
    "/workers/{code}/reveal-citizen-id",
    response=CitizenIdOut,
    summary="The full citizen ID number (core.view_full_citizen_id; audited)",
)
def reveal_citizen_id(request: HttpRequest, code: str) -> dict[str, str]:
    return {
        "citizen_id": services.worker_citizen_id_reveal(
            actor=request.user, worker=_worker(request, code)
        )
    }


# ------------------------------------------------------------------------------------ imports
class ImportOut(DryRunJobOut):
    organization: str | None
    result: dict[str, Any]

    resolve_organization = resolve_from("organization.code")


class ImportAgainIn(StrictSchema):
    dry_run: bool = False
    organization: str | None = Field(None, max_length=20)
    mapping: dict[Literal[FIELDS], int | None] | None = None  # type: ignore[valid-type]


def _mapping(text: str) -> dict[str, int | None] | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError({"mapping": ["not JSON"]}) from exc
    if not isinstance(data, dict) or any(
        k not in FIELDS or not (v is None or isinstance(v, int)) for k, v in data.items()
    ):
        raise ValidationError({"mapping": ["an object {field: column index or null}"]})
    return data


@router.post(
    "/imports", response={202: ImportOut}, summary="Upload a roster: starts a dry run (validation)"
)
def import_start(
    request: HttpRequest,
    file: File[UploadedFile],
    organization: Form[str] = "",
    mapping: Form[str] = "",
) -> tuple[int, Any]:
    from django.conf import settings

    if file.size and file.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError({"file": ["too large"]})
    if not file.name.lower().endswith((".xlsx", ".xls", ".csv")):
        raise ValidationError({"file": ["upload an .xlsx, .xls or .csv file"]})
    org = _org(request, organization, "organization") if organization else None
    job = roster_import_start(
        actor=request.user, upload=file, organization=org, mapping=_mapping(mapping)
    )
    return 202, import_job_get(actor=request.user, code=job.code)


@router.get("/imports/{code}", response=ImportOut, summary="Progress and report of a roster import")
def import_detail(request: HttpRequest, code: str) -> Any:
    return import_job_get(actor=request.user, code=code)


@router.post(
    "/imports/{code}/run",
    response={202: ImportOut},
    summary="Run the same file again: import the valid rows, or a dry run with a corrected mapping",
)
def import_again(request: HttpRequest, code: str, payload: ImportAgainIn) -> tuple[int, Any]:
    job = import_job_get(actor=request.user, code=code)
    org_code = payload.organization or (job.organization.code if job.organization_id else None)
    org = _org(request, org_code, "organization") if org_code else None
    mapping = payload.mapping if payload.mapping is not None else job.params.get("mapping")
    new = roster_import_again(
        actor=request.user, job=job, organization=org, dry_run=payload.dry_run, mapping=mapping
    )
    return 202, import_job_get(actor=request.user, code=new.code)


@router.get(
    "/imports/{code}/report", summary="The validation report (.xlsx: bad cells highlighted)"
)
def import_report(request: HttpRequest, code: str) -> HttpResponse:
    job = import_job_get(actor=request.user, code=code)
    if not job.output_file:
        raise Http404("report")
    from .roster.jobs import import_report_response

    return import_report_response(job)


# ------------------------------------------------------------------------- transfer requests
class TransferRequestIn(StrictSchema):
    organization: str = Field(..., max_length=20, description="your employer the worker joins")
    citizen_id: str = Field(..., max_length=30)
    name: str = Field("", max_length=50)


class TransferRequestReplyOut(Schema):
    message: str


class TransferRequestOut(Schema):
    code: str
    worker: str = Field(..., alias="worker.code")
    worker_name: str = Field(..., alias="worker.name")
    organization: str = Field(..., alias="worker.organization.code")
    to_organization: str = Field(..., alias="to_organization.code")
    name_given: str
    status: str
    created_at: dt.datetime


@router.post(
    "/transfer-requests",
    response={202: TransferRequestReplyOut},
    summary="Ask for a worker to be transferred to your employer (the same reply for any number)",
)
def transfer_request_file(request: HttpRequest, payload: TransferRequestIn) -> Any:
    from . import transfer_requests

    organization = _org(request, payload.organization, "organization")
    message = transfer_requests.transfer_request_file(
        actor=request.user,
        to_organization=organization,
        citizen_id=payload.citizen_id,
        name=payload.name,
    )
    return 202, {"message": message}


@router.get(
    "/transfer-requests",
    response=list[TransferRequestOut],
    summary="Pending transfer requests for workers your organisations hold (at most 500)",
)
def transfer_request_list(request: HttpRequest) -> Any:
    from . import transfer_decisions

    return list(transfer_decisions.transfer_requests_pending(actor=request.user)[:500])


@router.post(
    "/transfer-requests/{code}/{decision}",
    response=TransferRequestOut,
    summary="Accept (the worker moves with their history) or decline a transfer request",
)
def transfer_request_decide(request: HttpRequest, code: str, decision: str) -> Any:
    from . import transfer_decisions

    if decision not in ("accept", "decline"):
        raise Http404("decision")
    transfer = transfer_decisions.transfer_request_get(actor=request.user, code=code)
    if decision == "accept":
        return transfer_decisions.transfer_request_accept(actor=request.user, request=transfer)
    return transfer_decisions.transfer_request_decline(actor=request.user, request=transfer)
