"""Pages of a studio's yearly plan and report files: upload (managers of the studio) and open
(whoever sees the studio). Thin: the checks are in ``studio_files``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import file_response

from . import studio_files, studios


@login_required
@require_POST
def year_file_upload(request: HttpRequest, code: str) -> HttpResponse:
    studio = studios.studio_get(actor=request.user, code=code)
    try:
        studio_files.studio_year_file_add(
            actor=request.user,
            studio=studio,
            year=request.POST.get("year", ""),
            kind=request.POST.get("kind", ""),
            upload=request.FILES.get("file"),
        )
    except ApplicationError as exc:
        field = exc.details[0].get("field", "") if exc.details else ""
        labels = {"file": _("file"), "year": _("year"), "kind": _("plan or report")}
        label = labels.get(field, "")
        messages.error(request, f"{label}：{exc.message}" if label else exc.message)
    else:
        messages.success(request, _("File added."))
    return redirect("innovation:studio_detail", code=studio.code)


@login_required
def year_file_open(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse:
    studio = studios.studio_get(actor=request.user, code=code)
    handle = studio_files.studio_year_file_open(studio=studio, year=year, kind=kind)
    name = download_filename(studio.name, year, studio_files.kind_label(kind), ext="pdf")
    return file_response(handle, name, content_type="application/pdf")
