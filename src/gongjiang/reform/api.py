"""Reform endpoints at /api/v1/reform/: plans and items, progress reports, responsibility lists,
notifications, inspections, rectifications, notices, rollout, ledger export, evaluation.
Thin: parse, call a service or selector, answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gongjiang.core.models import Organization
from gongjiang.core.schemas import (
    PageNumber,
    PageSize,
    StrictSchema,
    Year,
    paginate,
    resolve_from,
    year_query,
)

from . import selectors, services
from .models import PlanItem

router = Router(tags=["reform"])

Code = Field(..., min_length=1, max_length=20)
Title = Field(..., min_length=1, max_length=300)
Status = Literal["not_started", "in_progress", "done", "at_risk"]


def _org(actor: Any, code: str) -> Organization:
    return selectors.organization_get(actor=actor, code=code)


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


# ------------------------------------------------------------------------------ schemas


class ReformOrgRef(Schema):
    code: str
    name: str
    kind: str


class ReformPlanOut(Schema):
    code: str
    title: str
    description: str
    organization: ReformOrgRef
    parent: str | None
    issued_on: dt.date | None
    percent: float | None = None
    tasks: int = 0
    status_counts: dict[str, int] = {}
    can_change: bool = False


def _plan_out(row: dict[str, Any], actor: Any) -> dict[str, Any]:
    plan = row["plan"]
    return {
        "code": plan.code,
        "title": plan.title,
        "description": plan.description,
        "organization": plan.organization,
        "parent": plan.parent.code if plan.parent_id else None,
        "issued_on": plan.issued_on,
        "percent": row["percent"],
        "tasks": row["tasks"],
        "status_counts": row["counts"],
        "can_change": selectors.may_change_plan(actor, plan),
    }


class ReformItemOut(Schema):
    code: str
    kind: str
    number: str = ""
    depth: int = 0
    title: str
    description: str
    parent: str | None
    implements: str | None
    lead_unit: ReformOrgRef | None
    cooperating_units: list[ReformOrgRef]
    start: dt.date | None
    deadline: dt.date | None
    year: int | None
    status: str
    status_on_date: str
    percent: float | None
    report_cycle: str
    tags: list[str]
    remarks: str
    owner: str | None = None


def _item_out(
    item: PlanItem,
    on: dt.date,
    *,
    number: str = "",
    depth: int = 0,
    percent: float | None = None,
    parent_code: str | None = None,
) -> dict[str, Any]:
    return {
        "code": item.code,
        "kind": item.kind,
        "number": number,
        "depth": depth,
        "title": item.title,
        "description": item.description,
        "parent": parent_code,
        "implements": item.implements.code if item.implements_id else None,
        "lead_unit": item.lead_unit,
        "cooperating_units": list(item.cooperating_units.all()),
        "start": item.start,
        "deadline": item.deadline,
        "year": item.year,
        "status": item.status,
        "status_on_date": item.status_on(on),
        "percent": item.percent if percent is None else percent,
        "report_cycle": item.report_cycle,
        "tags": item.tags,
        "remarks": item.remarks,
    }


class ReformPlanDetailOut(Schema):
    plan: ReformPlanOut
    on: dt.date
    items: list[ReformItemOut]


class ReformPlanIn(StrictSchema):
    organization: str = Code
    title: str = Title
    description: str = Field("", max_length=5000)
    issued_on: dt.date | None = None


class DeriveIn(StrictSchema):
    organization: str = Code
    title: str = Title


class ReformItemIn(StrictSchema):
    kind: Literal["area", "measure", "task"]
    title: str = Title
    parent: str | None = Field(None, max_length=20)
    description: str = Field("", max_length=5000)
    implements: str | None = Field(None, max_length=20)
    lead_unit: str | None = Field(None, max_length=20)
    cooperating_units: list[str] = Field(default_factory=list, max_length=50)
    owner: str | None = Field(
        None, max_length=150, description="user name of the responsible person"
    )
    start: dt.date | None = None
    deadline: dt.date | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    status: Status = "not_started"
    report_cycle: Literal["monthly", "quarterly"] = "quarterly"
    tags: list[str] = Field(default_factory=list, max_length=20)
    remarks: str = Field("", max_length=300)


class ItemPatch(StrictSchema):
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=5000)
    implements: str | None = Field(None, max_length=20)
    lead_unit: str | None = Field(None, max_length=20)
    cooperating_units: list[str] | None = Field(None, max_length=50)
    owner: str | None = Field(
        None, max_length=150, description="user name of the responsible person"
    )
    start: dt.date | None = None
    deadline: dt.date | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    status: Status | None = None
    report_cycle: Literal["monthly", "quarterly"] | None = None
    tags: list[str] | None = Field(None, max_length=20)
    remarks: str | None = Field(None, max_length=300)


class OnQuery(Schema):
    on: dt.date | None = None


# ------------------------------------------------------------------------------- plans


@router.get(
    "/plans",
    response=list[ReformPlanOut],
    summary="Plans the caller may read, with rolled-up progress",
)
def plan_list(request: HttpRequest, query: Query[OnQuery]) -> list[dict[str, Any]]:
    plans = list(selectors.plan_list(actor=request.user))
    return [
        _plan_out(r, request.user) for r in selectors.plan_summary(plans=plans, on=_today(query.on))
    ]


@router.post("/plans", response={201: ReformPlanOut}, summary="Create a plan")
def plan_create(request: HttpRequest, payload: ReformPlanIn) -> tuple[int, dict[str, Any]]:
    plan = services.plan_create(
        actor=request.user,
        organization=_org(request.user, payload.organization),
        title=payload.title,
        description=payload.description,
        issued_on=payload.issued_on,
    )
    return 201, _plan_out(selectors.plan_summary(plans=[plan], on=_today(None))[0], request.user)


@router.get(
    "/plans/{code}",
    response=ReformPlanDetailOut,
    summary="A plan with its items (numbered, rolled up)",
)
def plan_detail(request: HttpRequest, code: str, query: Query[OnQuery]) -> dict[str, Any]:
    plan = selectors.plan_get(actor=request.user, code=code)
    on = _today(query.on)
    rows, _percent = selectors.plan_tree(plan=plan, on=on)
    codes = {r.item.pk: r.item.code for r in rows}
    return {
        "plan": _plan_out(selectors.plan_summary(plans=[plan], on=on)[0], request.user),
        "on": on,
        "items": [
            _item_out(
                r.item,
                on,
                number=r.number,
                depth=r.depth,
                percent=r.percent,
                parent_code=codes.get(r.item.parent_id),
            )
            for r in rows
        ],
    }


@router.post(
    "/plans/{code}/derive",
    response={201: ReformPlanOut},
    summary="Start a plan that implements this one",
)
def plan_derive(request: HttpRequest, code: str, payload: DeriveIn) -> tuple[int, dict[str, Any]]:
    parent = selectors.plan_get(actor=request.user, code=code)
    plan = services.plan_derive(
        actor=request.user,
        parent=parent,
        title=payload.title,
        organization=_org(request.user, payload.organization),
    )
    return 201, _plan_out(selectors.plan_summary(plans=[plan], on=_today(None))[0], request.user)


def _item_fields(actor: Any, plan: Any, payload: Any, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("implements"):
        fields["implements"] = selectors.item_get(actor=actor, code=fields["implements"])
    if fields.get("lead_unit"):
        fields["lead_unit"] = _org(actor, fields["lead_unit"])
    if fields.get("cooperating_units") is not None:
        fields["cooperating_units"] = [_org(actor, c) for c in fields["cooperating_units"]]
    if fields.get("owner"):
        fields["owner"] = selectors.owner_by_username(
            plan=plan, username=fields["owner"], lead_unit=fields.get("lead_unit") or None
        )
    elif "owner" in fields:
        fields["owner"] = None
    return fields


@router.post(
    "/plans/{code}/items", response={201: ReformItemOut}, summary="Add an area, measure or task"
)
def item_create(
    request: HttpRequest, code: str, payload: ReformItemIn
) -> tuple[int, dict[str, Any]]:
    plan = selectors.plan_get(actor=request.user, code=code)
    fields = _item_fields(request.user, plan, payload, payload.model_dump())
    parent_code = fields.pop("parent")
    parent = selectors.item_get(actor=request.user, code=parent_code) if parent_code else None
    if parent is not None and parent.plan_id != plan.pk:
        from django.core.exceptions import ValidationError

        raise ValidationError({"parent": ["not an item of this plan"]})
    item = services.plan_item_create(actor=request.user, plan=plan, parent=parent, **fields)
    return 201, _item_out(item, _today(None), parent_code=parent_code)


@router.get("/items/{code}", response=ReformItemOut)
def item_detail(request: HttpRequest, code: str, query: Query[OnQuery]) -> dict[str, Any]:
    item = selectors.item_get(actor=request.user, code=code)
    return _item_out(
        item, _today(query.on), parent_code=item.parent.code if item.parent_id else None
    )


@router.patch("/items/{code}", response=ReformItemOut)
def item_update(request: HttpRequest, code: str, payload: ItemPatch) -> dict[str, Any]:
    item = selectors.item_get(actor=request.user, code=code)
    fields = _item_fields(request.user, item.plan, payload, payload.model_dump(exclude_unset=True))
    coop = fields.pop("cooperating_units", None)
    services.plan_item_update(actor=request.user, item=item, cooperating_units=coop, **fields)
    item = selectors.item_get(actor=request.user, code=code)
    return _item_out(item, _today(None), parent_code=item.parent.code if item.parent_id else None)


class TaskFilters(Schema):
    plan: str = Field("", max_length=20)
    unit: str = Field("", max_length=20)
    year: Year | None = None
    status: Literal["", "not_started", "in_progress", "done", "at_risk", "overdue"] = ""
    on: dt.date | None = None
    q: str = Field("", max_length=100)
    page: PageNumber = 1
    page_size: PageSize = 50


class ItemPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReformItemOut]


@router.get(
    "/tasks",
    response=ItemPage,
    summary="Tasks the caller may read (filter by plan, unit, year, status on a date)",
)
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> dict[str, Any]:
    on = _today(filters.on)
    plan = selectors.plan_get(actor=request.user, code=filters.plan) if filters.plan else None
    unit = _org(request.user, filters.unit) if filters.unit else None
    qs = (
        selectors.task_list(
            actor=request.user,
            plan=plan,
            unit=unit,
            year=filters.year,
            status=filters.status,
            on=on,
            q=filters.q,
        )
        .select_related("implements", "parent")
        .prefetch_related("cooperating_units")
    )
    page = paginate(qs, filters.page, filters.page_size)
    page["items"] = [
        _item_out(t, on, parent_code=t.parent.code if t.parent_id else None) for t in page["items"]
    ]
    return page


@router.get(
    "/responsibility/{org_code}",
    response=list[ReformItemOut],
    summary="A unit's responsibility list (责任清单)",
)
def responsibility(
    request: HttpRequest, org_code: str, year: int | None = year_query()
) -> list[dict[str, Any]]:
    unit = _org(request.user, org_code)
    on = _today(None)
    return [
        _item_out(r["task"], on)
        for r in selectors.responsibility_list(actor=request.user, unit=unit, year=year)
    ]


# ----------------------------------------------------------------------------- reports


class ReportOut(Schema):
    code: str
    task: str
    task_title: str
    organization: ReformOrgRef
    period: str
    text: str
    problems: str
    next_steps: str
    percent: int
    status: str
    submitted_at: dt.datetime
    review_comment: str

    resolve_task = resolve_from("task.code")
    resolve_task_title = resolve_from("task.title")


class ReportIn(StrictSchema):
    period: str = Field(
        ..., min_length=7, max_length=7, description="2018-06 (monthly) or 2018-Q2 (quarterly)"
    )
    text: str = Field(..., min_length=1, max_length=10000)
    percent: int = Field(..., ge=0, le=100)
    problems: str = Field("", max_length=5000)
    next_steps: str = Field("", max_length=5000)


class ReviewIn(StrictSchema):
    comment: str = Field("", max_length=5000)


@router.get("/tasks/{code}/reports", response=list[ReportOut])
def report_list(request: HttpRequest, code: str) -> Any:
    task = selectors.item_get(actor=request.user, code=code)
    return task.reports.select_related("task", "organization")


@router.post(
    "/tasks/{code}/reports", response={201: ReportOut}, summary="Report progress on a task"
)
def report_submit(request: HttpRequest, code: str, payload: ReportIn) -> tuple[int, Any]:
    task = selectors.item_get(actor=request.user, code=code)
    report = services.progress_report_submit(actor=request.user, task=task, **payload.model_dump())
    return 201, selectors.report_get(actor=request.user, code=report.code)


@router.get(
    "/reports/pending", response=list[ReportOut], summary="Reports waiting for the caller's review"
)
def reports_pending(request: HttpRequest) -> Any:
    return selectors.reports_to_review(actor=request.user)[:500]


@router.post("/reports/{code}/accept", response=ReportOut)
def report_accept(request: HttpRequest, code: str, payload: ReviewIn) -> Any:
    report = selectors.report_get(actor=request.user, code=code)
    services.progress_report_review(
        actor=request.user, report=report, accept=True, comment=payload.comment
    )
    return selectors.report_get(actor=request.user, code=code)


@router.post("/reports/{code}/return", response=ReportOut)
def report_return(request: HttpRequest, code: str, payload: ReviewIn) -> Any:
    report = selectors.report_get(actor=request.user, code=code)
    services.progress_report_review(
        actor=request.user, report=report, accept=False, comment=payload.comment
    )
    return selectors.report_get(actor=request.user, code=code)


class NotificationOut(Schema):
    code: str
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@router.get(
    "/notifications", response=list[NotificationOut], summary="The caller's reminders and notices"
)
def notification_list(request: HttpRequest, unread: bool = False) -> Any:
    return selectors.notifications_for(actor=request.user, unread_only=unread)[:200]


@router.post("/notifications/{code}/read", response=NotificationOut)
def notification_read(request: HttpRequest, code: str) -> Any:
    from django.shortcuts import get_object_or_404

    n = get_object_or_404(selectors.notifications_for(actor=request.user), code=code)
    return services.notification_read(actor=request.user, notification=n)


from .supervision.api import register  # noqa: E402  (second half of the router)

register(router)


# ------------------------------------------------------------------- ledger, bulletin, evaluation


@router.get(
    "/plans/{code}/ledger.xlsx", summary="The yearly work ledger as Excel (conventional layout)"
)
def ledger_export(
    request: HttpRequest,
    code: str,
    year: int | None = year_query(),
    on: dt.date | None = None,
) -> Any:
    from gongjiang.core.exports import xlsx_response

    from .ledger import ledger_xlsx
    from .views_exports import ledger_filename

    plan = selectors.plan_get(actor=request.user, code=code)
    return xlsx_response(
        ledger_xlsx(plan=plan, year=year, on=_today(on)), ledger_filename(plan, year)
    )


class BulletinIn(StrictSchema):
    since: dt.date
    until: dt.date


class ReformJobOut(Schema):
    code: str
    kind: str
    status: str


@router.post(
    "/plans/{code}/bulletins",
    response={202: ReformJobOut},
    summary="Prepare a PDF bulletin (background job)",
)
def bulletin_create(request: HttpRequest, code: str, payload: BulletinIn) -> tuple[int, Any]:
    from .bulletin import bulletin_start

    plan = selectors.plan_get(actor=request.user, code=code)
    job = bulletin_start(actor=request.user, plan=plan, since=payload.since, until=payload.until)
    job.refresh_from_db()
    return 202, job


class ScoreOut(Schema):
    rank: int
    unit: ReformOrgRef
    tasks: int
    completion: float
    timeliness: float
    quality: float
    findings: float
    open_problems: int
    score: float
    details: dict[str, int]


@router.get(
    "/plans/{code}/evaluation",
    response=list[ScoreOut],
    summary="Rank the plan's lead units for a year",
)
def evaluation(
    request: HttpRequest, code: str, year: int = year_query(...), scheme: str = ""
) -> Any:
    from gongjiang.core.access import get_visible_or_404

    from .evaluation import default_scheme, evaluate
    from .models import ScoringScheme

    plan = selectors.plan_get(actor=request.user, code=code)
    chosen = (
        get_visible_or_404(ScoringScheme.objects.all(), request.user, code=scheme[:20])
        if scheme
        else default_scheme(plan.organization)
    )
    return evaluate(plan=plan, year=year, scheme=chosen)
