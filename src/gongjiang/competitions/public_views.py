"""The public results page (no login: names, organisations, scores — nothing else personal),
the public line of one entrant (the certificate's QR target) and certificate downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core.downloads import attach, download_filename
from gongjiang.core.public_address import public_url

from . import selectors
from .certificates import certificate_pdf
from .models import Result


def public_results(request: HttpRequest, code: str) -> HttpResponse:
    competition = selectors.public_competition(code=code)
    return render(
        request,
        "competitions/public_results.html",
        {
            "competition": competition,
            "stages": selectors.public_results(competition=competition),
            "scaler_label": selectors.scaler_label(competition),
        },
    )


def public_entry(request: HttpRequest, code: str, entry: str) -> HttpResponse:
    competition = selectors.public_competition(code=code)
    row = selectors.public_entry(competition=competition, code=entry)
    return render(
        request, "competitions/public_entry.html", {"competition": competition, "row": row}
    )


@login_required
def certificate(request: HttpRequest, entry: str) -> HttpResponse:
    entry_obj = selectors.entry_get(actor=request.user, code=entry)
    result = Result.objects.filter(entry=entry_obj).first()
    if result is None or entry_obj.stage.published_at is None:
        raise Http404("certificate")
    url = public_url(
        reverse(
            "competitions:public_entry",
            kwargs={"code": entry_obj.competition.code, "entry": entry_obj.code},
        )
    )
    response = HttpResponse(
        certificate_pdf(entry=entry_obj, result=result, verify_url=url),
        content_type="application/pdf",
    )
    name = download_filename(
        _("Certificate"), entry_obj.competition.name, entry_obj.worker.name, ext="pdf"
    )
    return attach(response, name, inline=True)
