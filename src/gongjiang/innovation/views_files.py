"""Pages of a result's documents and photos: add, remove, open; and their public showcase copies.
Thin: the checks and rules are in ``result_files``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import content_disposition, file_response
from gongjiang.core.forms import BootstrapForm

from . import result_files, selectors
from .models import ResultFile


class ResultFileForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("photo or document"), choices=ResultFile.Kind.choices)
    title = forms.CharField(label=_("title of the file"), max_length=100)
    file = forms.FileField(
        label=pgettext_lazy("file", "file"),
        help_text=_("Photos: JPEG or PNG up to 5 MB. Documents: PDF up to 10 MB."),
    )
    public = forms.BooleanField(
        label=_("the document may be shown in the public showcase"), required=False
    )


def _serve(item: ResultFile) -> HttpResponse:
    name = download_filename(item.title, ext=item.extension)
    handle = result_files.open_file(item)
    if item.kind == ResultFile.Kind.PHOTO:
        from django.http import FileResponse

        response = FileResponse(handle, content_type=item.content_type)
        response["Content-Disposition"] = content_disposition(name, inline=True)
        response["Cache-Control"] = "private, max-age=300"
        return response
    return file_response(handle, name, content_type=item.content_type)


@login_required
@require_POST
def result_file_add(request: HttpRequest, code: str) -> HttpResponse:
    result = selectors.result_get(actor=request.user, code=code)
    if not result_files.may_change_files(request.user, result):
        raise PermissionDenied("innovation.result_file")
    form = ResultFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{' '.join(errs)}" if label else " ".join(errs))
        return redirect("innovation:result_detail", result.code)
    d = form.cleaned_data
    try:
        result_files.result_file_add(
            actor=request.user,
            result=result,
            kind=d["kind"],
            title=d["title"],
            upload=d["file"],
            public=d["public"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("File added."))
    return redirect("innovation:result_detail", result.code)


@login_required
@require_POST
def result_file_remove(request: HttpRequest, code: str, file: str) -> HttpResponse:
    item = result_files.result_file_get(actor=request.user, result_code=code, code=file)
    result_files.result_file_remove(actor=request.user, item=item)
    messages.success(request, _("File removed."))
    return redirect("innovation:result_detail", code)


@login_required
def result_file_open(request: HttpRequest, code: str, file: str) -> HttpResponse:
    return _serve(result_files.result_file_get(actor=request.user, result_code=code, code=file))


def showcase_file_open(request: HttpRequest, code: str, file: str) -> HttpResponse:
    """No login: a photo, or a public document, of a consented, adopted result."""
    response = _serve(result_files.showcase_file_get(result_code=code, code=file))
    response["Cache-Control"] = "public, max-age=300"
    return response
