"""Question bank import over the API (/api/v1/learning/question-imports): upload a spreadsheet or a
Word file (a dry run checks every question), watch the job, confirm the checked file. The same
services as the import page (:mod:`.transfer`), so the rules live in one place."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from gongjiang.core import access
from gongjiang.core.downloads import attach, download_filename
from gongjiang.core.schemas import DryRunJobOut, resolve_from

from . import transfer as bank_io
from . import word as bank_docx

router = Router(tags=["learning"])

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class QuestionImportOut(DryRunJobOut):
    checked: str | None
    organization: str | None
    result: dict[str, Any]

    @staticmethod
    def resolve_checked(obj: Any) -> str | None:
        return obj.params.get("checked")

    resolve_organization = resolve_from("organization.code")


@router.get(
    "/question-imports/sample.docx",
    summary="A sample Word file in the layout the import reads",
)
def question_import_sample(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "learning.change_question"):
        raise PermissionDenied("learning.change_question")
    response = HttpResponse(bank_docx.sample_docx(), content_type=DOCX_TYPE)
    return attach(response, download_filename(_("question-import-sample"), ext="docx"))


@router.post(
    "/question-imports",
    response={202: QuestionImportOut},
    summary="Upload a question bank (.xlsx, .xls, .csv or .docx): starts a dry run",
)
def question_import_start(
    request: HttpRequest, file: File[UploadedFile], organization: Form[str] = ""
) -> tuple[int, Any]:
    code = organization.strip()
    if not code:
        raise ValidationError({"organization": ["required"]})
    # unknown and out of scope answer the same
    org = bank_io.question_import_organizations(request.user).filter(code=code).first()
    if org is None:
        raise ValidationError({"organization": ["unknown organization or not in your scope"]})
    return 202, bank_io.question_import_start(actor=request.user, organization=org, upload=file)


@router.get(
    "/question-imports/{code}",
    response=QuestionImportOut,
    summary="Progress and report of a question import (errors by row, or by question for Word)",
)
def question_import_detail(request: HttpRequest, code: str) -> Any:
    return bank_io.question_import_job_get(actor=request.user, code=code)


@router.post(
    "/question-imports/{code}/confirm",
    response={202: QuestionImportOut},
    summary="Import the file a dry run checked (only a succeeded dry run without errors, once)",
)
def question_import_confirm(request: HttpRequest, code: str) -> tuple[int, Any]:
    job = bank_io.question_import_job_get(actor=request.user, code=code)
    return 202, bank_io.question_import_confirm(actor=request.user, job=job)
