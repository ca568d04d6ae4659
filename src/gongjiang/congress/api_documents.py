"""Congress endpoints for the clerk's records, mounted under /api/v1/congress/: agenda documents
(upload, list, download), the session's minutes, a delegate's replacement mid-term and the
confirmation of a passed vote's resolution. The same services as the pages; out of scope = 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.exports import file_response
from gongjiang.core.schemas import StrictSchema

from . import selectors, services
from . import services_documents as D
from .models import AgendaItem, Delegate

router = Router(tags=["congress"])


class CongressDocumentOut(Schema):
    code: str
    name: str
    size: int
    uploaded_at: dt.datetime
    download: str


def _document_out(d: Any) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
        "download": f"/api/v1/congress/documents/{d.code}",
    }


def _item(request: HttpRequest, code: str) -> AgendaItem:
    item = AgendaItem.objects.filter(code=code[:20]).select_related("session__term").first()
    if item is None:
        raise Http404("agenda item")
    selectors.session_get(actor=request.user, code=item.session.code)
    return item


@router.get(
    "/agenda/{code}/documents",
    response=list[CongressDocumentOut],
    summary="An agenda item's documents",
)
def agenda_documents(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_document_out(d) for d in _item(request, code).documents.all()]


@router.post(
    "/agenda/{code}/documents",
    response={201: CongressDocumentOut},
    summary="Attach a document to an agenda item (the clerk)",
)
def agenda_document_add(
    request: HttpRequest, code: str, file: File[UploadedFile]
) -> tuple[int, dict[str, Any]]:
    item = _item(request, code)
    document = D.agenda_document_add(actor=request.user, item=item, upload=file)
    return 201, _document_out(document)


@router.get("/documents/{code}", summary="Download an agenda document")
def agenda_document_download(request: HttpRequest, code: str) -> HttpResponse:
    document = D.agenda_document_get(actor=request.user, code=code)
    return file_response(document.file.open("rb"), document.name)


class CongressMinutesIn(StrictSchema):
    minutes: str = Field(..., max_length=20000)


class CongressMinutesOut(Schema):
    session: str
    status: str
    minutes: str


@router.put(
    "/sessions/{code}/minutes", response=CongressMinutesOut, summary="Write the minutes (clerk)"
)
def session_minutes(request: HttpRequest, code: str, payload: CongressMinutesIn) -> dict[str, Any]:
    session = selectors.session_get(actor=request.user, code=code)
    session = D.session_minutes_set(actor=request.user, session=session, minutes=payload.minutes)
    return {"session": session.code, "status": session.status, "minutes": session.minutes}


class CongressReplaceIn(StrictSchema):
    worker: str = Field(..., min_length=1, max_length=20)
    reason: str = Field(..., min_length=1, max_length=200)
    category: Literal["worker", "technical", "management", "leader", "other"] = "worker"


class CongressDelegateOut(Schema):
    code: str
    name: str
    delegation: str
    category: str
    elected_on: dt.date
    replaces: str
    reason: str


@router.post(
    "/delegates/{code}/replace",
    response={201: CongressDelegateOut},
    summary="Replace a delegate mid-term, with the reason (the clerk)",
)
def delegate_replace(
    request: HttpRequest, code: str, payload: CongressReplaceIn
) -> tuple[int, dict[str, Any]]:
    old = get_visible_or_404(
        Delegate.objects.select_related("term__organization"),
        request.user,
        "congress.view",
        code=code[:20],
    )
    worker = D.replacement_worker(actor=request.user, term=old.term, code=payload.worker)
    new = services.delegate_replace(
        actor=request.user,
        delegate=old,
        worker=worker,
        reason=payload.reason,
        category=payload.category,
    )
    old.refresh_from_db()
    return 201, {
        "code": new.code,
        "name": new.worker.name,
        "delegation": new.delegation.name,
        "category": new.category,
        "elected_on": new.elected_on,
        "replaces": old.code,
        "reason": old.replacement_reason,
    }


class CongressResolutionIn(StrictSchema):
    title: str = Field("", max_length=200)
    text: str = Field(..., min_length=1, max_length=50000)


class CongressResolutionOut(Schema):
    code: str
    title: str
    adopted_on: dt.date
    notice: str


@router.post(
    "/votes/{code}/resolution",
    response={201: CongressResolutionOut},
    summary="Confirm a passed vote's resolution and publish it to the workers (the clerk)",
)
def resolution_confirm(
    request: HttpRequest, code: str, payload: CongressResolutionIn
) -> tuple[int, dict[str, Any]]:
    vote = selectors.vote_get(actor=request.user, code=code)
    resolution, notice = D.resolution_confirm(
        actor=request.user,
        session=vote.session,
        vote=vote,
        title=payload.title.strip() or vote.title,
        text=payload.text.strip(),
    )
    return 201, {
        "code": resolution.code,
        "title": resolution.title,
        "adopted_on": resolution.adopted_on,
        "notice": notice.code,
    }
