"""Documents and photos of innovation results: the upload checks, adding, removing and opening.

Checks (every upload, page or API): at most ``MAX_FILES`` per result; a photo is a JPEG or PNG of
at most ``MAX_PHOTO_BYTES`` (and the platform's ``MAX_UPLOAD_SIZE``) and ``MAX_PIXELS`` pixels,
recognised by its content (not its name), decoded and re-encoded — so a file that only claims to
be an image is refused, and camera metadata (GPS, owner, serial) never reaches storage; a document
is a PDF of at most ``MAX_DOCUMENT_BYTES``, recognised by its signature. Stored encrypted at rest
(``core.filecrypt.private_file_storage``), named by an opaque code.

Who: whoever entered the result, a member of its team, or an HR officer / officer whose roles cover
its organisation adds and removes files; everyone who sees the result opens them. The public
showcase opens a file only of a consented, adopted result — every photo, and a document only when
it was marked public. Audited (``innovation.result_file_add`` / ``_remove``).
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core.actors import audit as audit_record
from gongjiang.core.actors import user_or_none
from gongjiang.core.duties import same_person
from gongjiang.core.errors import ApplicationError, field_error
from gongjiang.core.images import image_check

from . import selectors, services
from .models import Result, ResultFile

MAX_FILES = 20
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000


def may_change_files(actor: Any, result: Result) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return (
        same_person(actor, result.created_by_id)
        or actor.pk in services._team_users(result)
        or services._staff(actor, result.organization)
    )


def _read(upload: Any, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    cap = min(limit, settings.MAX_UPLOAD_SIZE)
    if upload is None or size is None or size <= 0:
        raise field_error("file", _("Choose a file."), "required", status=422)
    if size > cap:
        raise field_error(
            "file",
            _("The file is larger than %(mb)s MB.") % {"mb": cap // (1024 * 1024)},
            "too_large",
            status=422,
        )
    upload.seek(0)
    data = upload.read(cap + 1)
    if len(data) > cap:
        raise field_error("file", _("The file is too large."), "too_large", status=422)
    return data


def clean_photo(upload: Any) -> tuple[bytes, str]:
    """A JPEG or PNG through the platform's image check (core.images): told by content, decoded
    under the pixel limit and encoded again without metadata; anything else is refused."""
    checked = image_check(
        upload,
        field="file",
        formats=("JPEG", "PNG"),
        max_bytes=MAX_PHOTO_BYTES,
        max_pixels=MAX_PIXELS,
    )
    return checked.data, checked.content_type


def clean_document(data: bytes) -> tuple[bytes, str]:
    if not data.startswith(b"%PDF-"):
        raise field_error("file", _("A document is a PDF file."), "invalid_document", status=422)
    return data, "application/pdf"


@transaction.atomic
def result_file_add(
    *, actor: Any, result: Result, kind: str, title: str, upload: Any, public: bool = False
) -> ResultFile:
    result = Result.objects.select_for_update().get(pk=result.pk)
    if not may_change_files(actor, result):
        raise PermissionDenied("innovation.result_file")
    if kind not in ResultFile.Kind.values:
        raise field_error("kind", _("Choose photo or document."), "invalid", status=422)
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise field_error(
            "title", _("Give a title of at most 100 characters."), "invalid", status=422
        )
    if result.files.count() >= MAX_FILES:
        raise ApplicationError(
            _("A result has at most %(n)s files.") % {"n": MAX_FILES},
            code="too_many_files",
            status=409,
        )
    if kind == ResultFile.Kind.PHOTO:
        data, content_type = clean_photo(upload)
        public = True
    else:
        data, content_type = clean_document(_read(upload, MAX_DOCUMENT_BYTES))
    item = ResultFile(
        result=result,
        kind=kind,
        title=title,
        content_type=content_type,
        size=len(data),
        public=public,
        uploaded_by=user_or_none(actor),
    )
    item.file.save(f"{item.code}.{item.extension}", ContentFile(data), save=False)
    item.full_clean(exclude=["uploaded_by"])
    item.save()
    audit_record(
        actor=actor,
        action="innovation.result_file_add",
        obj=result,
        organization=result.organization,
        details={"file": item.code, "kind": kind, "bytes": len(data)},
    )
    return item


@transaction.atomic
def result_file_remove(*, actor: Any, item: ResultFile) -> None:
    if not may_change_files(actor, item.result):
        raise PermissionDenied("innovation.result_file")
    result = item.result
    code = item.code
    item.file.delete(save=False)
    item.delete()
    audit_record(
        actor=actor,
        action="innovation.result_file_remove",
        obj=result,
        organization=result.organization,
        details={"file": code},
    )


def result_file_get(*, actor: Any, result_code: str, code: str) -> ResultFile:
    """A file of a result the actor sees (404 for a result out of scope, as for the result)."""
    result = selectors.result_get(actor=actor, code=result_code)
    try:
        return result.files.select_related("result").get(code=code)
    except ResultFile.DoesNotExist as exc:
        raise Http404("file") from exc


def showcase_files(result: Result) -> Any:
    return result.files.filter(public=True)


def showcase_file_get(*, result_code: str, code: str) -> ResultFile:
    """A file shown on the public showcase: of a consented, adopted result, and public."""
    result = selectors.showcase_get(code=result_code)
    try:
        return showcase_files(result).get(code=code)
    except ResultFile.DoesNotExist as exc:
        raise Http404("file") from exc


def open_file(item: ResultFile) -> IO[bytes]:
    return item.file.open("rb")
