"""Agenda documents as files, and resolutions confirmed by the clerk and published to the workers.

Upload checks (the platform's: ``MAX_UPLOAD_SIZE``, here capped lower for a document): the size,
an allowed extension, and content that matches it (a ``.pdf`` must start as a PDF, a ``.docx`` as
a zip, …), so a renamed executable or page is refused. Files are stored encrypted at rest
(``core.filecrypt.private_file_storage``) under an opaque name; the download is named for the
document. Whoever may read the session may download: the union's scope and the term's delegates.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.audit import audit_record, user_or_none
from gongjiang.core.downloads import safe_filename
from gongjiang.core.errors import ApplicationError, ConflictError

from . import selectors, services
from .models import AgendaItem, Resolution, Session, Vote
from .models_affairs import AffairsNotice
from .models_documents import AgendaDocument
from .services_affairs import notice_publish

DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
MAX_DOCUMENTS = 20  # per agenda item
ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# extension → accepted first bytes (None: plain text, checked as UTF-8 or GB18030)
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".pptx": ZIP,
    ".ofd": ZIP,
    ".doc": OLE,
    ".xls": OLE,
    ".ppt": OLE,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".txt": None,
}


def _refuse(message: str, error: str = "") -> ApplicationError:
    return ApplicationError(
        message, code="invalid_upload", details=[{"field": "file", "error": error}]
    )


def upload_check(upload: Any) -> str:
    """The upload checks; returns the file's extension."""
    if upload is None:
        raise _refuse(_("Choose a file."))
    limit = min(settings.MAX_UPLOAD_SIZE, DOCUMENT_MAX_BYTES)
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise _refuse(_("The file is empty."))
    if size > limit:
        raise _refuse(
            _("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)},
            str(size),
        )
    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if ext not in SIGNATURES:
        raise _refuse(
            _("Upload a PDF, Word, Excel, PowerPoint, OFD, image or text file."), ext or "?"
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    signatures = SIGNATURES[ext]
    if signatures is None:
        if b"\x00" in head:
            raise _refuse(_("The file's content does not match its type."), ext)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head[:-4].decode("gb18030")
            except UnicodeDecodeError as exc:
                raise _refuse(_("The file's content does not match its type."), ext) from exc
    elif not head.startswith(signatures):
        raise _refuse(_("The file's content does not match its type."), ext)
    return ext


@transaction.atomic
def agenda_document_add(*, actor: Any, item: AgendaItem, upload: Any) -> AgendaDocument:
    """The clerk attaches a document to an agenda item."""
    organization = item.session.term.organization
    access.require(actor, "congress.manage", organization)
    if item.documents.count() >= MAX_DOCUMENTS:
        raise _refuse(_("At most %(n)d documents an agenda item.") % {"n": MAX_DOCUMENTS})
    ext = upload_check(upload)
    name = safe_filename(os.path.basename(getattr(upload, "name", "") or ""), default="document")
    document = AgendaDocument(item=item, name=name[:200], size=upload.size)
    document.uploaded_by = user_or_none(actor)
    document.file.save(f"{document.code}{ext}", upload, save=False)
    document.full_clean(exclude=["uploaded_by", "file"])
    document.save()
    audit_record(
        actor=actor,
        action="congress.agenda_document_add",
        obj=item,
        organization=organization,
        details={"document": document.code, "name": document.name, "size": document.size},
    )
    return document


def agenda_document_get(*, actor: Any, code: str) -> AgendaDocument:
    """A document, for anyone who may read its session (404 otherwise, as for a missing one)."""
    document = (
        AgendaDocument.objects.filter(code=(code or "")[:20])
        .select_related("item__session__term__organization")
        .first()
    )
    if document is None:
        from django.http import Http404

        raise Http404("document")
    selectors.session_get(actor=actor, code=document.item.session.code)
    return document


@transaction.atomic
def resolution_confirm(
    *, actor: Any, session: Session, vote: Vote, title: str, text: str
) -> tuple[Resolution, AffairsNotice]:
    """The clerk confirms the resolution (决议) of a passed vote; it is published at once as open
    affairs (厂务公开) to the workers of the session's union, with the vote's result."""
    from .selectors import vote_result

    access.require(actor, "congress.manage", session.term.organization)
    if Resolution.objects.filter(vote=vote).exists():
        raise ConflictError(
            _("This vote's resolution is already confirmed."), code="already_confirmed"
        )
    if not (text or "").strip():
        raise ApplicationError(
            _("Write the text of the resolution."),
            details=[{"field": "text", "error": _("This field is required.")}],
        )
    resolution = services.resolution_record(
        actor=actor, session=session, title=title, text=text, vote=vote
    )
    result = vote_result(vote)
    body = f"{resolution.text}\n\n" + _(
        "Adopted by %(session)s on %(date)s: %(for)d for, %(against)d against, "
        "%(abstain)d abstaining, of %(delegates)d delegates (%(present)d present)."
    ) % {
        "session": session.title,
        "date": resolution.adopted_on,
        "for": result["for"],
        "against": result["against"],
        "abstain": result["abstain"],
        "delegates": result["delegates"],
        "present": result["present"],
    }
    notice = notice_publish(
        actor=actor,
        organization=session.term.organization,
        kind=AffairsNotice.Kind.RESOLUTION,
        title=resolution.title,
        body=body[:50000],
        resolution=resolution,
    )
    return resolution, notice


@transaction.atomic
def session_minutes_set(*, actor: Any, session: Session, minutes: str) -> Session:
    """The clerk writes (or corrects) the session's minutes (会议记录); refused before the session
    opens, since there is nothing to record yet."""
    access.require(actor, "congress.manage", session.term.organization)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.PLANNED:
        raise ConflictError(
            _("Minutes are written once the session has opened."), code="invalid_state"
        )
    session.minutes = (minutes or "").strip()
    session.full_clean()
    session.save(update_fields=["minutes"])
    audit_record(
        actor=actor,
        action="congress.session_minutes",
        obj=session,
        organization=session.term.organization,
        details={"characters": len(session.minutes)},
    )
    return session


def replacement_worker(*, actor: Any, term: Any, code: str) -> Any:
    """The worker who takes a seat: from the registry, among the workers the actor may see,
    inside the term's union (anything else is the same error as an unknown code)."""
    from gongjiang.workforce.models import Worker

    worker = (
        Worker.objects.visible_to(actor, "congress.manage")
        .filter(code=(code or "")[:20], organization__path__startswith=term.organization.path)
        .first()
    )
    if worker is None:
        raise ApplicationError(
            _("No such worker in this union's registry."),
            code="unknown_worker",
            details=[{"field": "worker", "error": (code or "")[:20]}],
        )
    return worker
