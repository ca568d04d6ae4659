"""Documents of expert-level applications (申报材料): attached by the applicant — the worker, whoever
filed the application for them, or a cadre who may file for the worker — while the application is
not yet reviewed (it stands and the call takes applications); opened by the applicant, the cadres
over the worker's union and the call's reviewers; anyone else gets 404.

The checks, as the careers uploads do them and as congress checks content: a kind of this module,
a title of at most 100 characters, a PDF, image or Word file of at most 10 MB (and the platform's
``MAX_UPLOAD_SIZE``) whose content matches its extension (a renamed executable is refused), a file
name without a path or control characters that does not start as a spreadsheet formula (``=``,
``+``, ``-``, ``@``). A refusal names its field and nothing is stored. Files are stored encrypted at
rest (``core.filecrypt.private_file_storage``) under the document's opaque code. A call may name
the kinds every application must carry (``ExpertCall.required_documents``); the review does not
open while one is missing. Every upload, removal and opening is audited.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.duties import same_person
from gongjiang.core.errors import ApplicationError, ConflictError, field_error

from .experts import APPLY, MANAGE, may_apply_for
from .experts_document_kinds import KINDS, kinds_of
from .models_experts import ExpertApplication, ExpertApplicationDocument, ExpertCall

MAX_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 20  # per application
MAX_TITLE = 100
MAX_NAME = 200
FORMULA = ("=", "+", "-", "@")
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# extension → the first bytes its content starts with
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": _OLE,
    ".docx": _ZIP,
}
Status = ExpertApplication.Status


# ----------------------------------------------------------------------------- kinds
def missing(application: ExpertApplication) -> list[str]:
    """The kinds the call requires that the application does not carry yet."""
    required = kinds_of(application.call.required_documents)
    if not required:
        return []
    have = set(application.documents.values_list("kind", flat=True))
    return [k for k in required if k not in have]


def conditions(application: ExpertApplication) -> list[dict[str, Any]]:
    """The call's document requirements as conditions (``rule: document``), as the level's are."""
    have = set(application.documents.values_list("kind", flat=True))
    return [
        {"rule": "document", "required": k, "actual": k if k in have else "", "met": k in have}
        for k in kinds_of(application.call.required_documents)
    ]


# ---------------------------------------------------------------------------- checks
def may_change(actor: Any, application: ExpertApplication) -> bool:
    """The applicant: the worker, whoever filed the application, or a cadre who may file for the
    worker (as for applying)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return same_person(actor, application.submitted_by_id) or may_apply_for(
        actor, application.worker
    )


def _refuse(message: str, error: str = "invalid_upload") -> ApplicationError:
    return field_error("file", message, error, status=422)


def check_name(name: str) -> str:
    """The uploaded file's name, refused when it carries a path, control characters, or starts
    as a spreadsheet formula; returns its extension (lower case)."""
    if not name:
        raise _refuse(_("Choose a file."), "required")
    if (
        "/" in name
        or "\\" in name
        or ".." in name
        or name.startswith(".")
        or any(unicodedata.category(ch).startswith("C") for ch in name)
    ):
        raise _refuse(_("The file name must be a plain name, without a folder or “..”."))
    if name.startswith(FORMULA) or name.lstrip().startswith(FORMULA):
        raise _refuse(_("The file name must not start with =, +, - or @."))
    if len(name) > MAX_NAME:
        raise _refuse(_("The file name is at most %(n)s characters.") % {"n": MAX_NAME})
    ext = os.path.splitext(name)[1].lower()
    if ext not in SIGNATURES:
        raise _refuse(_("Attach a PDF, image (JPEG, PNG) or Word file."))
    return ext


def check_upload(upload: Any) -> str:
    """Every check of the file; returns its extension. Nothing is read past the limit."""
    if upload is None:
        raise _refuse(_("Choose a file."), "required")
    ext = check_name(str(getattr(upload, "name", "") or ""))
    size = getattr(upload, "size", None) or 0
    limit = min(MAX_BYTES, settings.MAX_UPLOAD_SIZE)
    if size <= 0:
        raise _refuse(_("The file is empty."))
    if size > limit:
        raise _refuse(
            _("A document is at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, "too_large"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[ext]):
        raise _refuse(_("The file's content does not match its type."))
    return ext


def _title(title: str, kind: str) -> str:
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        raise field_error("title", _("At most %(n)s characters.") % {"n": MAX_TITLE}, status=422)
    if title.startswith(FORMULA):
        raise field_error("title", _("A title must not start with =, +, - or @."), status=422)
    return title or KINDS[kind]


def _open_for_documents(application: ExpertApplication) -> ExpertApplication:
    locked = (
        ExpertApplication.objects.select_for_update(of=("self",))
        .select_related("call", "worker", "organization")
        .get(pk=application.pk)
    )
    if locked.status != Status.SUBMITTED or locked.call.state != ExpertCall.State.OPEN:
        raise ConflictError(
            _("Documents can be changed only while the application is not yet reviewed."),
            code="wrong_stage",
        )
    return locked


# -------------------------------------------------------------------------- services
@transaction.atomic
def expert_document_add(
    *, actor: Any, application: ExpertApplication, kind: str, upload: Any, title: str = ""
) -> ExpertApplicationDocument:
    """Attach a document to an application not yet reviewed (PDF, image or Word, at most 10 MB,
    stored encrypted). Refused with the field named; nothing stored on a refusal."""
    if not may_change(actor, application):
        raise PermissionDenied(APPLY)
    locked = _open_for_documents(application)
    if kind not in KINDS:
        raise field_error("kind", _("Unknown kind of document."), status=422)
    title = _title(title, kind)
    if locked.documents.count() >= MAX_DOCUMENTS:
        raise ApplicationError(
            _("An application carries at most %(n)s documents.") % {"n": MAX_DOCUMENTS},
            code="too_many_documents",
            status=409,
        )
    ext = check_upload(upload)
    name = str(upload.name)
    document = ExpertApplicationDocument(
        application=locked,
        kind=kind,
        title=title,
        name=name,
        size=upload.size,
        uploaded_by=user_or_none(actor),
    )
    document.upload.save(f"{document.code}{ext}", upload, save=False)
    stored = document.upload.name
    try:
        document.full_clean(exclude=["uploaded_by", "application"])
        document.save()
        audit(
            actor=actor,
            action="careers.expert_document_add",
            obj=locked,
            organization=locked.organization,
            details={
                "document": document.code,
                "kind": kind,
                "name": name,
                "size": document.size,
            },
        )
    except BaseException:
        document.upload.storage.delete(stored)
        raise
    return document


@transaction.atomic
def expert_document_remove(*, actor: Any, document: ExpertApplicationDocument) -> None:
    """Remove a document while the application is not yet reviewed; the file goes with it."""
    application = document.application
    if not may_change(actor, application):
        raise PermissionDenied(APPLY)
    locked = _open_for_documents(application)
    storage, stored = document.upload.storage, document.upload.name
    details = {"document": document.code, "kind": document.kind, "name": document.name}
    document.delete()
    audit(
        actor=actor,
        action="careers.expert_document_remove",
        obj=locked,
        organization=locked.organization,
        details=details,
    )
    transaction.on_commit(lambda: storage.delete(stored))


# --------------------------------------------------------------------------- reading
def documents_visible(actor: Any, application: ExpertApplication) -> bool:
    """The applicant's side, the cadres over the worker's union (HR of the enterprise in scope)
    and the call's reviewers."""
    uid = getattr(actor, "pk", None)
    if uid is None:
        return False
    if application.worker.user_id == uid or same_person(actor, application.submitted_by_id):
        return True
    if access.can(actor, APPLY, application.organization) or access.can(
        actor, MANAGE, application.organization
    ):
        return True
    call = application.call
    return bool(call.review_id and call.review.panel.filter(user_id=uid).exists())


def document_get(actor: Any, code: str) -> ExpertApplicationDocument:
    """A document for whoever may see it; 404 for everyone else, as for a missing one."""
    document = (
        ExpertApplicationDocument.objects.select_related(
            "application__call__review", "application__worker", "application__organization"
        )
        .filter(code=(code or "")[:20])
        .first()
    )
    if document is None or not documents_visible(actor, document.application):
        raise Http404("expert application document")
    return document


def document_opened(actor: Any, document: ExpertApplicationDocument) -> None:
    audit(
        actor=actor,
        action="careers.expert_document_open",
        obj=document.application,
        organization=document.application.organization,
        details={"document": document.code},
    )
