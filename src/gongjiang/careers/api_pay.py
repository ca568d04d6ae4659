"""Skill-linked pay endpoints at /api/v1/careers/pay/: bands, allowances, a worker's recorded band
and pay, the entitlement report, the medians by skill level (groups of 10 or more only). Thin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core.schemas import (
    DryRunJobOut,
    Page,
    PageNumber,
    PageSize,
    StrictSchema,
    paginate,
)

from . import pay
from .selectors import enterprise_get, worker_get

router = Router(tags=["careers: pay"])

Channel = Literal["skill", "title", "management"]
Amount = Field(
    ..., max_length=16, pattern=r"^\d{1,10}(\.\d{1,2})?$", description="yuan, e.g. 6500.00"
)


class CareersPayBandOut(Schema):
    channel: str
    level: str
    band_min: Decimal
    band_max: Decimal


class CareersPayBandIn(StrictSchema):
    channel: Channel
    level: str = Field(..., min_length=1, max_length=30)
    band_min: str = Amount
    band_max: str = Amount


@router.get("/enterprises/{code}/bands", response=list[CareersPayBandOut], summary="Pay bands")
def band_list(request: HttpRequest, code: str) -> list[Any]:
    return pay.bands(enterprise_get(request.user, code))


@router.post(
    "/enterprises/{code}/bands",
    response={201: list[CareersPayBandOut]},
    summary="Set a band (equivalent levels get the same band)",
)
def band_save(request: HttpRequest, code: str, payload: CareersPayBandIn) -> tuple[int, Any]:
    enterprise = enterprise_get(request.user, code)
    return 201, pay.pay_band_save(actor=request.user, organization=enterprise, **payload.dict())


class CareersAllowanceIn(StrictSchema):
    level: str = Field(
        ..., min_length=1, max_length=30, description="skill level or CHIEF_ALLOWANCE"
    )
    amount: str = Amount


class CareersAllowanceOut(Schema):
    level: str
    amount: Decimal


@router.post(
    "/enterprises/{code}/allowances",
    response={201: CareersAllowanceOut},
    summary="Set a skill allowance or the chief-technician allowance",
)
def allowance_save(request: HttpRequest, code: str, payload: CareersAllowanceIn) -> tuple[int, Any]:
    enterprise = enterprise_get(request.user, code)
    return 201, pay.allowance_save(actor=request.user, organization=enterprise, **payload.dict())


class CareersEntitlementOut(Schema):
    worker: str
    name: str
    skill_level: str
    entitled_min: Decimal | None
    entitled_max: Decimal | None
    allowance: Decimal
    recorded: str
    gap: Decimal | None
    channel: str  # "skill", "title", "management" — the channel that placed the worker; "" none
    channel_level: str
    title_level: str
    management_grade: str


class CareersPayPageQuery(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get(
    "/enterprises/{code}/report",
    response=Page[CareersEntitlementOut],
    summary="Each worker's entitled band (the highest of their channels), allowance, recorded band "
    "and the gap, a page at a time (the Excel export has every row)",
)
def report(request: HttpRequest, code: str, query: Query[CareersPayPageQuery]) -> dict[str, Any]:
    enterprise = enterprise_get(request.user, code)
    result = paginate(pay.entitlement_report(request.user, enterprise), query.page, query.page_size)
    result["items"] = [
        {
            "worker": e.worker.code,
            "name": e.worker.name,
            "skill_level": e.skill_level,
            "entitled_min": e.entitled.band_min if e.entitled else None,
            "entitled_max": e.entitled.band_max if e.entitled else None,
            "allowance": e.allowance,
            "recorded": e.recorded_label,
            "gap": e.gap,
            "channel": e.channel,
            "channel_level": e.channel_level,
            "title_level": e.title_level,
            "management_grade": e.management_grade,
        }
        for e in result["items"]
    ]
    return result


class CareersMedianOut(Schema):
    skill_level: str
    workers: int
    median: Decimal


@router.get(
    "/enterprises/{code}/medians",
    response=list[CareersMedianOut],
    summary="Median monthly pay per skill level (groups of at least 10 only)",
)
def medians(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return pay.pay_medians(request.user, enterprise_get(request.user, code))


class CareersWorkerPayIn(StrictSchema):
    enterprise: str = Field(..., min_length=1, max_length=20)
    recorded_channel: Channel
    recorded_level: str = Field(..., min_length=1, max_length=30)
    pay: str | None = Field(None, max_length=16, pattern=r"^\d{1,10}(\.\d{1,2})?$")


class CareersWorkerPayOut(Schema):
    worker: str
    recorded_channel: str
    recorded_level: str
    pay: Decimal | None


@router.post(
    "/workers/{code}/pay",
    response=CareersWorkerPayOut,
    summary="A worker's recorded band and (hr only) monthly pay, encrypted at rest",
)
def worker_pay_save(request: HttpRequest, code: str, payload: CareersWorkerPayIn) -> dict[str, Any]:
    worker = worker_get(request.user, code)
    enterprise = enterprise_get(request.user, payload.enterprise)
    row = pay.worker_pay_save(
        actor=request.user,
        worker=worker,
        enterprise=enterprise,
        recorded_channel=payload.recorded_channel,
        recorded_level=payload.recorded_level,
        pay=payload.pay,
    )
    return {
        "worker": worker.code,
        "recorded_channel": row.recorded_channel,
        "recorded_level": row.recorded_level,
        "pay": Decimal(payload.pay) if payload.pay else None,
    }


@router.get(
    "/workers/{code}/pay",
    response=CareersWorkerPayOut,
    summary="A worker's pay (the hr role of the enterprise subtree only; audited)",
)
def worker_pay_get(request: HttpRequest, code: str) -> dict[str, Any]:
    from .models_pay import WorkerPay

    worker = worker_get(request.user, code)
    row = WorkerPay.objects.filter(worker=worker).select_related("organization").first()
    if row is None:
        from django.http import Http404

        raise Http404("pay")
    return {
        "worker": worker.code,
        "recorded_channel": row.recorded_channel,
        "recorded_level": row.recorded_level,
        "pay": pay.worker_pay_read(request.user, worker, row.organization),
    }


# ------------------------------------------------------------------------------ payroll import


class CareersPayImportOut(DryRunJobOut):
    result: dict[str, Any]


def _job(request: HttpRequest, code: str) -> Any:
    from gongjiang.core.jobs import own_job_get

    from .pay_import import JOB_KIND

    return own_job_get(actor=request.user, code=code[:20], kind=JOB_KIND)


@router.post(
    "/enterprises/{code}/workers-import",
    response={202: CareersPayImportOut},
    summary="Payroll's bands (and, for HR, monthly pay) of many workers from a file: a job",
)
def workers_import(
    request: HttpRequest, code: str, file: File[UploadedFile], dry_run: Form[bool] = False
) -> tuple[int, Any]:
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from .pay_import import worker_pay_import_start

    enterprise = enterprise_get(request.user, code)
    if file.size and file.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError({"file": ["too large"]})
    if not file.name.lower().endswith((".xlsx", ".xls", ".csv")):
        raise ValidationError({"file": ["upload an .xlsx, .xls or .csv file"]})
    job = worker_pay_import_start(
        actor=request.user, enterprise=enterprise, upload=file, dry_run=dry_run
    )
    return 202, _job(request, job.code)


@router.get(
    "/workers-imports/{code}",
    response=CareersPayImportOut,
    summary="Progress and report of a payroll import (its starter only)",
)
def workers_import_detail(request: HttpRequest, code: str) -> Any:
    return _job(request, code)
