"""Second half of the reform API: supervision (inspections, findings, rectifications, notices,
escalations) and rollout tracking."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gongjiang.core.schemas import StrictSchema, resolve_from

from .. import rollout, selectors
from ..models import MilestoneType
from . import services as supervision

Code = Field(..., min_length=1, max_length=20)


class SupervisionOrgRef(Schema):
    code: str
    name: str
    kind: str


class RectificationOut(Schema):
    code: str
    title: str
    organization: SupervisionOrgRef
    deadline: dt.date
    status: str
    response: str
    closing_comment: str


class FindingOut(Schema):
    code: str
    organization: SupervisionOrgRef
    task: str | None
    severity: str
    text: str
    rectifications: list[RectificationOut]

    resolve_task = resolve_from("task.code")

    @staticmethod
    def resolve_rectifications(obj: Any) -> list[Any]:
        return list(obj.rectifications.all())


class InspectionOut(Schema):
    code: str
    title: str
    organization: SupervisionOrgRef
    scope: str
    start: dt.date
    end: dt.date
    team_note: str
    team: list[str]
    visited: list[SupervisionOrgRef]

    @staticmethod
    def resolve_team(obj: Any) -> list[str]:
        return [u.username for u in obj.team.all()]

    @staticmethod
    def resolve_visited(obj: Any) -> list[Any]:
        return list(obj.visited.all())


class InspectionDetailOut(InspectionOut):
    findings: list[FindingOut]

    resolve_findings = resolve_from("findings_list")


class InspectionIn(StrictSchema):
    organization: str = Code
    title: str = Field(..., min_length=1, max_length=200)
    scope: str = Field("", max_length=5000)
    start: dt.date
    end: dt.date
    team: list[str] = Field(default_factory=list, max_length=50, description="user names")
    team_note: str = Field("", max_length=300)
    visited: list[str] = Field(
        default_factory=list, max_length=100, description="organisation codes"
    )


class FindingIn(StrictSchema):
    organization: str = Code
    text: str = Field(..., min_length=1, max_length=5000)
    severity: Literal["note", "problem", "serious", "highlight"] = "problem"
    task: str | None = Field(None, max_length=20)


class RectificationIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=300)
    deadline: dt.date
    organization: str | None = Field(None, max_length=20)


class ResponseIn(StrictSchema):
    response: str = Field(..., min_length=1, max_length=5000)


class CloseIn(StrictSchema):
    accept: bool = True
    comment: str = Field("", max_length=5000)


class NoticeOut(Schema):
    code: str
    title: str
    body: str
    organization: SupervisionOrgRef
    target: SupervisionOrgRef
    task: str | None
    issued_on: dt.date
    reply_deadline: dt.date
    status: str
    reply: str

    resolve_task = resolve_from("task.code")


class NoticeIn(StrictSchema):
    organization: str = Code
    target: str = Code
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=5000)
    reply_deadline: dt.date
    task: str | None = Field(None, max_length=20)


class ReplyIn(StrictSchema):
    reply: str = Field(..., min_length=1, max_length=5000)


class EscalationOut(Schema):
    code: str
    task: str
    task_title: str
    organization: SupervisionOrgRef
    from_unit: SupervisionOrgRef
    on: dt.date
    days_overdue: int

    resolve_task = resolve_from("task.code")
    resolve_task_title = resolve_from("task.title")


class MilestoneTypeOut(Schema):
    code: str
    name: str
    position: int
    is_active: bool


class MilestoneTypeIn(StrictSchema):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    name: str = Field(..., min_length=1, max_length=100)
    position: int = Field(0, ge=0, le=1000)
    is_active: bool = True


class RolloutColumnOut(Schema):
    milestone: str
    name: str
    reached: int
    total: int
    missing: list[SupervisionOrgRef]


class RolloutOut(Schema):
    organization: SupervisionOrgRef
    on: dt.date
    total: int
    columns: list[RolloutColumnOut]


class RolloutIn(StrictSchema):
    milestone: str = Field(..., min_length=1, max_length=40)
    reached_on: dt.date
    document: str = Field("", max_length=300)
    note: str = Field("", max_length=300)


class RolloutQuery(Schema):
    on: dt.date | None = None
    kind: str = Field("", max_length=12)


def _org(actor: Any, code: str) -> Any:
    return selectors.organization_get(actor=actor, code=code)


def _inspection_detail(actor: Any, code: str) -> Any:
    inspection = selectors.inspection_get(actor=actor, code=code)
    inspection.findings_list = list(selectors.findings_of(actor=actor, inspection=inspection))
    return inspection


def register(router: Router) -> None:  # noqa: C901  (one function per endpoint, registered together)
    @router.get(
        "/inspections",
        response=list[InspectionOut],
        summary="Inspection missions the caller may read",
    )
    def inspection_list(request: HttpRequest) -> Any:
        return selectors.inspection_list(actor=request.user).prefetch_related("team")[:500]

    @router.post(
        "/inspections", response={201: InspectionOut}, summary="Create an inspection mission"
    )
    def inspection_create(request: HttpRequest, payload: InspectionIn) -> Any:
        users = list(get_user_model().objects.filter(username__in=payload.team))
        inspection = supervision.inspection_create(
            actor=request.user,
            organization=_org(request.user, payload.organization),
            title=payload.title,
            scope=payload.scope,
            start=payload.start,
            end=payload.end,
            team=users,
            team_note=payload.team_note,
            visited=[_org(request.user, c) for c in payload.visited],
        )
        return 201, inspection

    @router.get("/inspections/{code}", response=InspectionDetailOut)
    def inspection_detail(request: HttpRequest, code: str) -> Any:
        return _inspection_detail(request.user, code)

    @router.post("/inspections/{code}/findings", response={201: FindingOut})
    def finding_add(request: HttpRequest, code: str, payload: FindingIn) -> Any:
        inspection = selectors.inspection_get(actor=request.user, code=code)
        task = selectors.item_get(actor=request.user, code=payload.task) if payload.task else None
        finding = supervision.finding_add(
            actor=request.user,
            inspection=inspection,
            text=payload.text,
            organization=_org(request.user, payload.organization),
            severity=payload.severity,
            task=task,
        )
        return 201, finding

    @router.post("/findings/{code}/rectifications", response={201: RectificationOut})
    def rectification_add(request: HttpRequest, code: str, payload: RectificationIn) -> Any:
        finding = selectors.finding_get(actor=request.user, code=code)
        org = _org(request.user, payload.organization) if payload.organization else None
        return 201, supervision.rectification_add(
            actor=request.user,
            finding=finding,
            title=payload.title,
            deadline=payload.deadline,
            organization=org,
        )

    @router.get("/rectifications", response=list[RectificationOut])
    def rectification_list(request: HttpRequest, status: str = "") -> Any:
        return selectors.rectification_list(actor=request.user, status=status[:10])[:500]

    @router.post("/rectifications/{code}/submit", response=RectificationOut)
    def rectification_submit(request: HttpRequest, code: str, payload: ResponseIn) -> Any:
        item = selectors.rectification_get(actor=request.user, code=code)
        return supervision.rectification_submit(
            actor=request.user, rectification=item, response=payload.response
        )

    @router.post("/rectifications/{code}/close", response=RectificationOut)
    def rectification_close(request: HttpRequest, code: str, payload: CloseIn) -> Any:
        item = selectors.rectification_get(actor=request.user, code=code)
        return supervision.rectification_close(
            actor=request.user, rectification=item, accept=payload.accept, comment=payload.comment
        )

    @router.get(
        "/notices", response=list[NoticeOut], summary="Supervision notices sent or received"
    )
    def notice_list(request: HttpRequest, status: str = "") -> Any:
        return selectors.notice_list(actor=request.user, status=status[:10])[:500]

    @router.post(
        "/notices", response={201: NoticeOut}, summary="Issue a supervision notice (督办单)"
    )
    def notice_issue(request: HttpRequest, payload: NoticeIn) -> Any:
        task = selectors.item_get(actor=request.user, code=payload.task) if payload.task else None
        notice = supervision.notice_issue(
            actor=request.user,
            organization=_org(request.user, payload.organization),
            target=_org(request.user, payload.target),
            title=payload.title,
            body=payload.body,
            reply_deadline=payload.reply_deadline,
            task=task,
        )
        return 201, selectors.notice_get(actor=request.user, code=notice.code)

    @router.get("/notices/{code}", response=NoticeOut)
    def notice_detail(request: HttpRequest, code: str) -> Any:
        return selectors.notice_get(actor=request.user, code=code)

    @router.post("/notices/{code}/reply", response=NoticeOut)
    def notice_reply(request: HttpRequest, code: str, payload: ReplyIn) -> Any:
        notice = selectors.notice_get(actor=request.user, code=code)
        supervision.notice_reply(actor=request.user, notice=notice, reply=payload.reply)
        return selectors.notice_get(actor=request.user, code=code)

    @router.post("/notices/{code}/close", response=NoticeOut)
    def notice_close(request: HttpRequest, code: str) -> Any:
        notice = selectors.notice_get(actor=request.user, code=code)
        supervision.notice_close(actor=request.user, notice=notice)
        return selectors.notice_get(actor=request.user, code=code)

    @router.get(
        "/escalations",
        response=list[EscalationOut],
        summary="Overdue tasks escalated to or from the caller",
    )
    def escalation_list(request: HttpRequest) -> Any:
        return selectors.escalation_list(actor=request.user)[:500]

    @router.get("/milestone-types", response=list[MilestoneTypeOut])
    def milestone_type_list(request: HttpRequest) -> Any:
        return MilestoneType.objects.all()

    @router.get(
        "/rollout/{org_code}",
        response=RolloutOut,
        summary="Which children reached each milestone on a date",
    )
    def rollout_overview(
        request: HttpRequest, org_code: str, query: Query[RolloutQuery]
    ) -> dict[str, Any]:
        parent = _org(request.user, org_code)
        ov = rollout.rollout_overview(
            actor=request.user,
            parent=parent,
            on=query.on or timezone.localdate(),
            kind=query.kind or None,
        )
        return {
            "organization": parent,
            "on": ov.on,
            "total": ov.total,
            "columns": [
                {
                    "milestone": c.milestone_type.code,
                    "name": c.milestone_type.name,
                    "reached": c.count,
                    "total": ov.total,
                    "missing": c.missing,
                }
                for c in ov.columns
            ],
        }

    @router.post(
        "/rollout/{org_code}",
        response={201: MilestoneTypeOut},
        summary="Record that an organisation reached a milestone",
    )
    def rollout_record(request: HttpRequest, org_code: str, payload: RolloutIn) -> Any:
        from django.shortcuts import get_object_or_404

        org = _org(request.user, org_code)
        mt = get_object_or_404(MilestoneType, code=payload.milestone)
        rollout.rollout_record(
            actor=request.user,
            organization=org,
            milestone_type=mt,
            reached_on=payload.reached_on,
            document=payload.document,
            note=payload.note,
        )
        return 201, mt
