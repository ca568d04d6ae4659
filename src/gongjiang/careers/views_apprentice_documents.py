"""The page step attaching several documents to a draft claim at once: one form with a file field
per kind of document (each may take several files), every file checked as a single document, all
or nothing; the refusal names each failing file. The same service as ``POST
/api/v1/careers/apprenticeship/claims/{code}/documents/many``. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core.errors import ApplicationError

from . import apprenticeship as svc
from . import apprenticeship_rules as R
from . import apprenticeship_selectors as sel


def uploads_of(request: HttpRequest) -> list[tuple[str, object]]:
    """The (kind, file) pairs of the form: the files of ``file_<kind>`` for every kind."""
    return [(kind, f) for kind in R.DOCUMENT_KINDS for f in request.FILES.getlist(f"file_{kind}")]


@login_required
@require_POST
def claim_documents_add(request: HttpRequest, code: str) -> HttpResponse:
    claim = sel.claim_get(request.user, code)
    try:
        added = svc.apprentice_claim_documents_add(
            actor=request.user, claim=claim, uploads=uploads_of(request)
        )
    except ApplicationError as exc:
        if exc.details and any("file" in d for d in exc.details):
            messages.error(request, _("Nothing was attached."))
            for d in exc.details:
                messages.error(request, d["error"])
        else:
            messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s documents attached.") % {"n": len(added)})
    return redirect("careers:apprentice_claim", code=claim.code)
