"""The yearly plan and report of a studio as files (PDF): uploaded through the same bounded reader
and content check as a result's documents, stored encrypted at rest as result files are, replaced
by a newer upload, audited; read by whoever sees the studio (404 otherwise)."""

from __future__ import annotations

from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit as audit_record
from gongjiang.core.errors import field_error

from .models_studios import Studio, StudioYear
from .result_files import MAX_DOCUMENT_BYTES, _read, clean_document

KINDS = ("plan", "report")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise field_error("kind", _("Choose the plan or the report."), "invalid", status=422)
    return kind


def kind_label(kind: str) -> str:
    """The file's name in a download: 年度计划 or 年度总结."""
    return _("yearly plan") if kind == "plan" else _("yearly report")


def _year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if not 2000 <= value <= 2100:
        raise field_error("year", _("Give a year between 2000 and 2100."), "invalid", status=422)
    return value


@transaction.atomic
def studio_year_file_add(
    *, actor: Any, studio: Studio, year: Any, kind: str, upload: Any
) -> StudioYear:
    """Store the year's plan or report (a PDF of at most 10 MB); a newer upload replaces it."""
    from .studios import MANAGE

    access.require(actor, MANAGE, studio.organization)
    kind, year = _kind(kind), _year(year)
    data, _type = clean_document(_read(upload, MAX_DOCUMENT_BYTES))
    row, _created = StudioYear.objects.select_for_update().get_or_create(studio=studio, year=year)
    field = getattr(row, f"{kind}_file")
    old_name = field.name
    field.save(f"{studio.code}-{year}-{kind}.pdf", ContentFile(data), save=False)
    row.save(update_fields=[f"{kind}_file"])
    if old_name and old_name != field.name:
        transaction.on_commit(lambda: field.storage.delete(old_name))
    audit_record(
        actor=actor,
        action="innovation.studio_year_file",
        obj=studio,
        organization=studio.organization,
        details={"year": year, "kind": kind, "bytes": len(data)},
    )
    return row


def studio_year_file_open(*, studio: Studio, year: int, kind: str) -> IO[bytes]:
    """The stored PDF of a studio the caller already sees (``studios.studio_get``); 404 if none."""
    if kind not in KINDS:
        raise Http404("kind")
    row = StudioYear.objects.filter(studio=studio, year=year).first()
    field = getattr(row, f"{kind}_file", None) if row is not None else None
    if not field:
        raise Http404("file")
    return field.open("rb")
