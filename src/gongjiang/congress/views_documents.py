"""Pages: an agenda item's documents (upload by the clerk, download by whoever may read the
session) and the clerk's confirmation of a passed vote's resolution, published to the workers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import file_response

from . import selectors
from . import services_documents as D
from .models import AgendaItem


@login_required
@require_POST
def agenda_document_add(request: HttpRequest, code: str) -> HttpResponse:
    item = AgendaItem.objects.filter(code=code[:20]).select_related("session__term").first()
    if item is None:
        from django.http import Http404

        raise Http404("agenda item")
    session = selectors.session_get(actor=request.user, code=item.session.code)
    try:
        document = D.agenda_document_add(
            actor=request.user, item=item, upload=request.FILES.get("file")
        )
    except ApplicationError as exc:
        messages.error(request, f"{item.title}: {exc.message}")
    else:
        messages.success(request, _("Document %(n)s attached.") % {"n": document.name})
    return redirect("congress:session_detail", code=session.code)


@login_required
def agenda_document_download(request: HttpRequest, code: str) -> HttpResponse:
    document = D.agenda_document_get(actor=request.user, code=code)
    return file_response(document.file.open("rb"), document.name)


@login_required
@require_POST
def resolution_confirm(request: HttpRequest, code: str) -> HttpResponse:
    vote = selectors.vote_get(actor=request.user, code=code)
    try:
        _resolution, notice = D.resolution_confirm(
            actor=request.user,
            session=vote.session,
            vote=vote,
            title=request.POST.get("title", "").strip()[:200] or vote.title,
            text=request.POST.get("text", "").strip()[:50000],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Resolution confirmed and published: %(t)s") % {"t": notice.title}
        )
    return redirect("congress:session_detail", code=vote.session.code)
