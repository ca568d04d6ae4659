"""Expert-level selection endpoints at /api/v1/careers/experts/: calls, unit places,
applications, review (reviewers, scores, finalise), ties, public notice and objections,
appointment, appointments and their re-evaluation, and the worker's own view. Thin: parse, call a
service or selector, answer; everything outside the caller's scope answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import file_response
from gongjiang.core.models import Organization
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.notices.services import notice_objection_file
from gongjiang.core.review.models import ReviewCriterion
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.core.schemas import Page, PageNumber, PageSize, StrictSchema, paginate
from gongjiang.workforce.models import Worker

from . import experts, experts_documents, experts_ties
from . import experts_selectors as sel
from .models import ExpertLevel

router = Router(tags=["careers: expert levels"])
Code = Field(..., min_length=1, max_length=20)
DocumentKind = Literal["form", "achievements", "certificate", "results", "mentoring", "other"]


class CareersExpertQuotaOut(Schema):
    unit: str
    unit_name: str
    places: int


class CareersExpertCallOut(Schema):
    code: str
    organization: str
    level: str
    level_name: str
    title: str
    year: int
    places: int
    pass_mark: int
    closes_on: dt.date
    notice_days: int
    term_starts_on: dt.date | None
    state: str
    notice_ends_on: dt.date | None
    quotas: list[CareersExpertQuotaOut]
    required_documents: list[str]


def _call_out(call: Any) -> dict[str, Any]:
    return {
        "code": call.code,
        "organization": call.organization.code,
        "level": call.level.code,
        "level_name": call.level.name,
        "title": call.title,
        "year": call.year,
        "places": call.places,
        "pass_mark": call.pass_mark,
        "closes_on": call.closes_on,
        "notice_days": call.notice_days,
        "term_starts_on": call.term_starts_on,
        "state": call.state,
        "notice_ends_on": call.notice.ends_on if call.notice_id else None,
        "quotas": [
            {"unit": q.organization.code, "unit_name": q.organization.name, "places": q.places}
            for q in call.quotas.select_related("organization").order_by("id")
        ],
        "required_documents": experts_documents.kinds_of(call.required_documents),
    }


class CareersExpertPageQuery(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


class CareersExpertAppointmentsQuery(CareersExpertPageQuery):
    due: bool = False


@router.get(
    "/calls",
    response=Page[CareersExpertCallOut],
    summary="Expert-level calls I may see, a page at a time",
)
def call_list(request: HttpRequest, query: Query[CareersExpertPageQuery]) -> dict[str, Any]:
    result = paginate(sel.calls(request.user), query.page, query.page_size)
    result["items"] = [_call_out(c) for c in result["items"]]
    return result


class CareersExpertCallIn(StrictSchema):
    level: str = Code
    year: int = Field(..., ge=2000, le=2100)
    closes_on: dt.date
    title: str = Field("", max_length=200)
    places: int | None = Field(None, ge=1, le=10000)
    notice_days: int = Field(5, ge=1, le=30)
    pass_mark: int = Field(60, ge=0, le=100)
    term_starts_on: dt.date | None = None
    required_documents: list[DocumentKind] = Field(default_factory=list, max_length=6)


@router.post("/calls", response={201: CareersExpertCallOut}, summary="Open the year's call")
def call_create(request: HttpRequest, payload: CareersExpertCallIn) -> tuple[int, Any]:
    level = get_visible_or_404(
        ExpertLevel.objects.select_related("organization"),
        request.user,
        experts.MANAGE,
        code=payload.level,
    )
    call = experts.expert_call_create(
        actor=request.user,
        level=level,
        year=payload.year,
        closes_on=payload.closes_on,
        title=payload.title,
        places=payload.places,
        notice_days=payload.notice_days,
        pass_mark=payload.pass_mark,
        term_starts_on=payload.term_starts_on,
        required_documents=payload.required_documents,
    )
    return 201, _call_out(sel.call_get(request.user, call.code))


@router.get("/calls/{code}", response=CareersExpertCallOut, summary="One call")
def call_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _call_out(sel.call_get(request.user, code))


class CareersExpertQuotaIn(StrictSchema):
    unit: str = Code
    places: int = Field(..., ge=0, le=10000)


@router.post("/calls/{code}/quotas", response=CareersExpertQuotaOut, summary="A unit's places")
def quota_set(request: HttpRequest, code: str, payload: CareersExpertQuotaIn) -> dict[str, Any]:
    call = sel.call_get(request.user, code)
    unit = get_visible_or_404(
        Organization.objects.all(), request.user, experts.MANAGE, code=payload.unit
    )
    q = experts.expert_quota_set(
        actor=request.user, call=call, organization=unit, places=payload.places
    )
    return {"unit": unit.code, "unit_name": unit.name, "places": q.places}


class CareersExpertCallDocumentsIn(StrictSchema):
    required_documents: list[DocumentKind] = Field(default_factory=list, max_length=6)


@router.post(
    "/calls/{code}/documents",
    response=CareersExpertCallOut,
    summary="Change the documents every application must carry (until the first application)",
)
def call_documents_set(
    request: HttpRequest, code: str, payload: CareersExpertCallDocumentsIn
) -> dict[str, Any]:
    call = sel.call_get(request.user, code)
    experts.expert_call_documents_set(
        actor=request.user, call=call, required_documents=payload.required_documents
    )
    return _call_out(sel.call_get(request.user, code))


class CareersExpertConditionOut(Schema):
    rule: str
    required: str
    actual: str
    met: bool


class CareersExpertDocumentOut(Schema):
    code: str
    kind: str
    title: str
    name: str
    size: int
    uploaded_at: dt.datetime
    download: str


class CareersExpertApplicationOut(Schema):
    code: str
    call: str
    worker: str
    worker_name: str
    unit: str | None
    status: str
    statement: str
    conditions: list[CareersExpertConditionOut]
    rank: int | None
    total: str | None
    required_documents: list[str]
    missing_documents: list[str]
    documents: list[CareersExpertDocumentOut]


def _application_out(a: Any) -> dict[str, Any]:
    item = a.review_item
    documents = list(a.documents.all())
    required = experts_documents.kinds_of(a.call.required_documents)
    have = {d.kind for d in documents}
    return {
        "required_documents": required,
        "missing_documents": [k for k in required if k not in have],
        "documents": [
            {
                "code": d.code,
                "kind": d.kind,
                "title": d.title,
                "name": d.name,
                "size": d.size,
                "uploaded_at": d.created_at,
                "download": f"/api/v1/careers/experts/documents/{d.code}",
            }
            for d in documents
        ],
        "code": a.code,
        "call": a.call.code,
        "worker": a.worker.code,
        "worker_name": a.worker.name,
        "unit": a.unit.code if a.unit_id else None,
        "status": a.status,
        "statement": a.statement,
        "conditions": a.conditions,
        "rank": item.rank if item else None,
        "total": str(item.total) if item and item.total is not None else None,
    }


@router.get(
    "/calls/{code}/applications",
    response=Page[CareersExpertApplicationOut],
    summary="The call's applications I may see, in rank order once ranked, a page at a time",
)
def application_list(
    request: HttpRequest, code: str, query: Query[CareersExpertPageQuery]
) -> dict[str, Any]:
    call = sel.call_get(request.user, code)
    rows = sel.applications(request.user, call).prefetch_related("documents")
    result = paginate(rows, query.page, query.page_size)
    result["items"] = [_application_out(a) for a in result["items"]]
    return result


class CareersExpertApplyIn(StrictSchema):
    worker: str = Field("", max_length=20, description="empty: the caller's own worker record")
    statement: str = Field(..., min_length=1, max_length=5000)


@router.post(
    "/calls/{code}/applications",
    response={201: CareersExpertApplicationOut},
    summary="Apply (a worker for themself) or file for a worker of the enterprise",
)
def apply(request: HttpRequest, code: str, payload: CareersExpertApplyIn) -> tuple[int, Any]:
    user = request.user
    if payload.worker:
        call = sel.call_get(user, code)
        worker = get_visible_or_404(
            Worker.objects.select_related("organization"), user, experts.APPLY, code=payload.worker
        )
    else:
        worker = sel.my_worker(user)
        call = (
            next((r["call"] for r in sel.open_calls_for(worker) if r["call"].code == code), None)
            if worker
            else None
        )
        if call is None:
            raise Http404("expert call")
    application = experts.expert_apply(
        actor=user, call=call, worker=worker, statement=payload.statement
    )
    return 201, _application_out(sel.application_get(user, application.code))


@router.get("/applications/{code}", response=CareersExpertApplicationOut, summary="One application")
def application_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _application_out(sel.application_get(request.user, code))


@router.post(
    "/applications/{code}/withdraw",
    response=CareersExpertApplicationOut,
    summary="Withdraw an application while the call is open",
)
def withdraw(request: HttpRequest, code: str) -> dict[str, Any]:
    application = sel.application_get(request.user, code)
    experts.expert_application_withdraw(actor=request.user, application=application)
    return _application_out(sel.application_get(request.user, code))


class CareersExpertDocumentQuery(Schema):
    kind: DocumentKind
    title: str = Field("", max_length=100)


@router.post(
    "/applications/{code}/documents",
    response={201: CareersExpertApplicationOut},
    summary="Attach a document to an application not yet reviewed (PDF, image or Word, ≤ 10 MB)",
)
def document_add(
    request: HttpRequest,
    code: str,
    query: Query[CareersExpertDocumentQuery],
    file: File[UploadedFile],
) -> tuple[int, Any]:
    application = sel.application_get(request.user, code)
    experts_documents.expert_document_add(
        actor=request.user,
        application=application,
        kind=query.kind,
        title=query.title,
        upload=file,
    )
    return 201, _application_out(sel.application_get(request.user, code))


@router.get("/documents/{code}", summary="Download a document of an application")
def document_download(request: HttpRequest, code: str) -> HttpResponse:
    document = experts_documents.document_get(request.user, code)
    experts_documents.document_opened(request.user, document)
    ext = document.upload.name.rsplit(".", 1)[-1]
    return file_response(document.upload.open("rb"), download_filename(document.title, ext=ext))


@router.post(
    "/documents/{code}/remove",
    response=CareersExpertApplicationOut,
    summary="Remove a document from an application not yet reviewed",
)
def document_remove(request: HttpRequest, code: str) -> dict[str, Any]:
    document = experts_documents.document_get(request.user, code)
    application = sel.application_get(request.user, document.application.code)
    experts_documents.expert_document_remove(actor=request.user, document=document)
    return _application_out(sel.application_get(request.user, application.code))


class CareersExpertCriterionIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    weight: int = Field(..., ge=1, le=1000)
    max_score: int = Field(..., ge=1, le=1000)


class CareersExpertReviewIn(StrictSchema):
    criteria: list[CareersExpertCriterionIn] | None = Field(None, max_length=20)


@router.post(
    "/calls/{code}/review",
    response=CareersExpertCallOut,
    summary="Close applications and open the review (core criteria by default)",
)
def review_open(request: HttpRequest, code: str, payload: CareersExpertReviewIn) -> dict[str, Any]:
    call = sel.call_get(request.user, code)
    experts.expert_review_open(
        actor=request.user,
        call=call,
        criteria=[c.dict() for c in payload.criteria] if payload.criteria else None,
    )
    return _call_out(sel.call_get(request.user, code))


class CareersExpertReviewerIn(StrictSchema):
    username: str = Field(..., min_length=1, max_length=150)


@router.post("/calls/{code}/reviewers", response={201: dict}, summary="Add a reviewer")
def reviewer_add(
    request: HttpRequest, code: str, payload: CareersExpertReviewerIn
) -> tuple[int, Any]:
    call = sel.call_get(request.user, code)
    if call.review is None:
        raise Http404("review")
    user = get_object_or_404(get_user_model(), username=payload.username, is_active=True)
    access.require(request.user, experts.MANAGE, call.organization)
    panel_member_add(actor=request.user, round=call.review, user=user)
    return 201, {"username": user.username}


class CareersExpertScoreIn(StrictSchema):
    application: str = Code
    criterion: str = Field(..., min_length=1, max_length=120)
    score: str = Field(..., min_length=1, max_length=12, description="0 … the criterion's maximum")


@router.post("/calls/{code}/scores", response={201: dict}, summary="A reviewer's score")
def score(request: HttpRequest, code: str, payload: CareersExpertScoreIn) -> tuple[int, Any]:
    call = sel.call_get_for_panel(request.user, code)
    application = get_object_or_404(call.applications, code=payload.application)
    if call.review is None or application.review_item is None:
        raise Http404("review")
    criterion = get_object_or_404(ReviewCriterion, round=call.review, name=payload.criterion)
    review_score_save(
        actor=request.user, item=application.review_item, criterion=criterion, score=payload.score
    )
    return 201, {"application": application.code, "criterion": criterion.name}


@router.post(
    "/calls/{code}/finalise",
    response=CareersExpertCallOut,
    summary="Rank (ties share a rank) and select within the places",
)
def finalise(request: HttpRequest, code: str) -> dict[str, Any]:
    experts.expert_review_finalise(actor=request.user, call=sel.call_get(request.user, code))
    return _call_out(sel.call_get(request.user, code))


class CareersExpertTiesIn(StrictSchema):
    chosen: list[str] = Field(..., min_length=1, max_length=100)
    reason: str = Field(..., min_length=1, max_length=500)


@router.post("/calls/{code}/ties", response=CareersExpertCallOut, summary="Break a tie at the line")
def ties(request: HttpRequest, code: str, payload: CareersExpertTiesIn) -> dict[str, Any]:
    experts.expert_ties_break(
        actor=request.user,
        call=sel.call_get(request.user, code),
        chosen=[c[:20] for c in payload.chosen],
        reason=payload.reason,
    )
    return _call_out(sel.call_get(request.user, code))


class CareersExpertTieRuleOut(Schema):
    organization: str
    rule: str
    default: bool


class CareersExpertTieRuleIn(StrictSchema):
    rule: Literal["criterion_date", "panel"]


def _tie_rule_out(org: Organization) -> dict[str, Any]:
    from .models_experts import ExpertTieRule

    row = ExpertTieRule.objects.filter(organization=org).first()
    return {
        "organization": org.code,
        "rule": row.rule if row else experts_ties.tie_rule_of(org),
        "default": row is None,
    }


@router.get(
    "/tie-rule/{organization}",
    response=CareersExpertTieRuleOut,
    summary="The enterprise's rule for a tie at a place freed during the notice",
)
def tie_rule_get(request: HttpRequest, organization: str) -> dict[str, Any]:
    org = get_visible_or_404(
        Organization.objects.all(), request.user, experts.MANAGE, code=organization[:20]
    )
    return _tie_rule_out(org)


@router.post(
    "/tie-rule/{organization}",
    response=CareersExpertTieRuleOut,
    summary="Set the enterprise's rule for a tie at a place freed during the notice",
)
def tie_rule_set(
    request: HttpRequest, organization: str, payload: CareersExpertTieRuleIn
) -> dict[str, Any]:
    org = get_visible_or_404(
        Organization.objects.all(), request.user, experts.MANAGE, code=organization[:20]
    )
    experts_ties.expert_tie_rule_set(actor=request.user, organization=org, rule=payload.rule)
    return _tie_rule_out(org)


class CareersExpertNoticeIn(StrictSchema):
    starts_on: dt.date | None = None


@router.post("/calls/{code}/notice", response=CareersExpertCallOut, summary="Publish the notice")
def notice(request: HttpRequest, code: str, payload: CareersExpertNoticeIn) -> dict[str, Any]:
    experts.expert_notice_publish(
        actor=request.user, call=sel.call_get(request.user, code), starts_on=payload.starts_on
    )
    return _call_out(sel.call_get(request.user, code))


class CareersExpertObjectionOut(Schema):
    code: str
    text: str
    created_at: dt.datetime
    reply: str
    replied_at: dt.datetime | None


@router.get(
    "/calls/{code}/objections",
    response=Page[CareersExpertObjectionOut],
    summary="Objections to the call's notice (the call's managers), a page at a time",
)
def objection_list(request: HttpRequest, code: str, query: Query[CareersExpertPageQuery]) -> Any:
    call = sel.call_get(request.user, code)
    access.require(request.user, experts.MANAGE, call.organization)
    qs = NoticeObjection.objects.filter(notice_id=call.notice_id).order_by("id")
    return paginate(qs, query.page, query.page_size)


class CareersExpertObjectIn(StrictSchema):
    text: str = Field(..., min_length=1, max_length=5000)


@router.post(
    "/calls/{code}/objections",
    response={201: CareersExpertObjectionOut},
    summary="Object while the notice is open (a member of its audience)",
)
def objection_file(request: HttpRequest, code: str, payload: CareersExpertObjectIn) -> Any:
    worker = sel.my_worker(request.user)
    call = None
    if worker is not None:
        call = next((c for c in sel.notices_for(request.user, worker) if c.code == code), None)
    if call is None:
        call = sel.call_get(request.user, code)
        if call.notice is None:
            raise Http404("notice")
    return 201, notice_objection_file(actor=request.user, notice=call.notice, text=payload.text)


class CareersExpertAnswerIn(StrictSchema):
    reply: str = Field(..., min_length=1, max_length=5000)
    strike: str = Field("", max_length=20, description="an application upheld against: struck out")


@router.post(
    "/calls/{code}/objections/{objection}/answer",
    response=CareersExpertObjectionOut,
    summary="Answer an objection; upheld against an application, it strikes it out",
)
def objection_answer(
    request: HttpRequest, code: str, objection: str, payload: CareersExpertAnswerIn
) -> Any:
    call = sel.call_get(request.user, code)
    found = get_object_or_404(NoticeObjection, notice_id=call.notice_id, code=objection[:20])
    strike = get_object_or_404(call.applications, code=payload.strike) if payload.strike else None
    return experts.expert_objection_answer(
        actor=request.user, call=call, objection=found, reply=payload.reply, strike=strike
    )


@router.post(
    "/calls/{code}/appoint",
    response=CareersExpertCallOut,
    summary="Appoint the selected for a term (after the notice, objections answered)",
)
def appoint(request: HttpRequest, code: str) -> dict[str, Any]:
    experts.expert_appoint(actor=request.user, call=sel.call_get(request.user, code))
    return _call_out(sel.call_get(request.user, code))


class CareersExpertAppointmentOut(Schema):
    code: str
    worker: str
    worker_name: str
    level: str
    level_name: str
    term_start: dt.date
    term_end: dt.date
    state: str
    reevaluated_on: dt.date | None
    renewed: bool
    renewal: str | None
    revoked_on: dt.date | None = None
    revocation_reason: str = ""


def _appointment_out(a: Any, today: dt.date) -> dict[str, Any]:
    renewal = getattr(a, "renewal", None)
    return {
        "code": a.code,
        "worker": a.worker.code,
        "worker_name": a.worker.name,
        "level": a.level.code,
        "level_name": a.level_name,
        "term_start": a.term_start,
        "term_end": a.term_end,
        "state": a.state_on(today),
        "reevaluated_on": a.reevaluated_on,
        "renewed": renewal is not None,
        "renewal": renewal.code if renewal is not None else None,
        "revoked_on": a.revoked_on,
        "revocation_reason": a.revocation_reason,
    }


@router.get(
    "/appointments",
    response=Page[CareersExpertAppointmentOut],
    summary="Expert appointments in my scope (``due=1``: in their re-evaluation window), a page "
    "at a time",
)
def appointment_list(
    request: HttpRequest, query: Query[CareersExpertAppointmentsQuery]
) -> dict[str, Any]:
    today = timezone.localdate()
    qs = sel.terms_due(request.user, today) if query.due else sel.appointments(request.user)
    qs = qs.select_related("worker", "level").order_by("term_end", "id")
    result = paginate(qs, query.page, query.page_size)
    result["items"] = [_appointment_out(a, today) for a in result["items"]]
    return result


@router.get("/appointments/{code}", response=CareersExpertAppointmentOut, summary="One appointment")
def appointment_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _appointment_out(sel.appointment_get(request.user, code), timezone.localdate())


class CareersExpertReevaluateIn(StrictSchema):
    renew: bool
    note: str = Field("", max_length=500)


@router.post(
    "/appointments/{code}/reevaluate",
    response=CareersExpertAppointmentOut,
    summary="Re-evaluate at the term's end: renew for a term, or let it lapse",
)
def reevaluate(request: HttpRequest, code: str, payload: CareersExpertReevaluateIn) -> Any:
    appointment = sel.appointment_get(request.user, code)
    experts.expert_reevaluate(
        actor=request.user, appointment=appointment, renew=payload.renew, note=payload.note
    )
    return _appointment_out(sel.appointment_get(request.user, code), timezone.localdate())


class CareersExpertRevokeIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=500)
    on: dt.date | None = None


@router.post(
    "/appointments/{code}/revoke",
    response=CareersExpertAppointmentOut,
    summary="Revoke an appointment during its term (from a day, with the reason)",
)
def revoke(request: HttpRequest, code: str, payload: CareersExpertRevokeIn) -> Any:
    appointment = sel.appointment_get(request.user, code)
    experts.expert_appointment_revoke(
        actor=request.user, appointment=appointment, reason=payload.reason, on=payload.on
    )
    return _appointment_out(sel.appointment_get(request.user, code), timezone.localdate())


class CareersExpertOpenCallOut(Schema):
    call: CareersExpertCallOut
    eligible: bool
    conditions: list[CareersExpertConditionOut]
    application: str | None


class CareersExpertMineOut(Schema):
    appointments: list[CareersExpertAppointmentOut]
    applications: list[CareersExpertApplicationOut]
    open_calls: list[CareersExpertOpenCallOut]


@router.get("/mine", response=CareersExpertMineOut, summary="My expert level (a worker's own)")
def mine(request: HttpRequest) -> dict[str, Any]:
    worker = sel.my_worker(request.user)
    if worker is None:
        raise Http404("worker")
    today = timezone.localdate()
    return {
        "appointments": [_appointment_out(a, today) for a in sel.my_appointments(worker)],
        # a worker's own applications, one a call: all of them, never cut
        "applications": [_application_out(a) for a in sel.my_applications(worker)],
        "open_calls": [
            {
                "call": _call_out(r["call"]),
                "eligible": r["eligible"],
                "conditions": r["conditions"],
                "application": r["application"].code if r["application"] else None,
            }
            for r in sel.open_calls_for(worker, today)
        ],
    }
