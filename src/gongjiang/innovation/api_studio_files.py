"""A studio's yearly plan and report PDFs under /api/v1/innovation/studios/{code}/files: list,
upload (the studio's managers), download (whoever sees the studio). The same services and scoping
as the pages (views_studio_files.py → studio_files.py): a studio outside the caller's scope is 404,
an upload is read through the bounded reader and checked by its content."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Path, Router, Schema
from ninja.files import UploadedFile

from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import file_response

from . import studio_files, studios
from .models_studios import StudioYear

router = Router(tags=["innovation studios"])


class StudioFileOut(Schema):
    year: int
    kind: str
    download: str


def _files(studio_code: str, row: StudioYear) -> list[dict[str, Any]]:
    return [
        {
            "year": row.year,
            "kind": kind,
            "download": f"/api/v1/innovation/studios/{studio_code}/files/{row.year}/{kind}",
        }
        for kind in studio_files.KINDS
        if getattr(row, f"{kind}_file")
    ]


@router.get(
    "/studios/{code}/files",
    response=list[StudioFileOut],
    summary="A studio's yearly plan and report PDFs",
)
def studio_files_list(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    studio = studios.studio_get(actor=request.user, code=code[:20])
    return [f for row in studio.years.order_by("-year") for f in _files(studio.code, row)]


@router.post(
    "/studios/{code}/files",
    response={201: StudioFileOut},
    summary="Upload the year's plan or report (PDF, at most 10 MB; a newer upload replaces it)",
)
def studio_file_upload(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    year: int = Form(..., ge=2000, le=2100),
    kind: Literal["plan", "report"] = Form(...),
) -> tuple[int, dict[str, Any]]:
    studio = studios.studio_get(actor=request.user, code=code[:20])
    row = studio_files.studio_year_file_add(
        actor=request.user, studio=studio, year=year, kind=kind, upload=file
    )
    return 201, next(f for f in _files(studio.code, row) if f["kind"] == kind)


@router.get("/studios/{code}/files/{year}/{kind}", summary="Download the year's plan or report")
def studio_file_download(
    request: HttpRequest,
    code: str,
    year: int = Path(..., ge=2000, le=2100),
    kind: Literal["plan", "report"] = Path(...),
) -> HttpResponse:
    studio = studios.studio_get(actor=request.user, code=code[:20])
    handle = studio_files.studio_year_file_open(studio=studio, year=year, kind=kind)
    label = studio_files.kind_label(kind)
    name = download_filename(studio.name, year, label, ext="pdf")
    return file_response(handle, name, content_type="application/pdf")
