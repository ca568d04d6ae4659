"""Pages of transfer requests: the holding employer's to-do list, accept and decline
(transfer_requests.py explains why requests exist)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.views import page

from . import transfer_decisions as requests_service


@login_required
def transfer_request_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, requests_service.PERM):
        raise PermissionDenied
    pending = requests_service.transfer_requests_pending(actor=request.user)
    return render(
        request,
        "workforce/transfer_requests.html",
        {"page_obj": page(request, pending.order_by("created_at", "id"))},
    )


@login_required
@require_POST
def transfer_request_decide(request: HttpRequest, code: str, decision: str) -> HttpResponse:
    if decision not in ("accept", "decline"):
        from django.http import Http404

        raise Http404("decision")
    transfer = requests_service.transfer_request_get(actor=request.user, code=code)
    try:
        if decision == "accept":
            requests_service.transfer_request_accept(actor=request.user, request=transfer)
            messages.success(request, _("Transfer accepted: the worker has moved."))
        else:
            requests_service.transfer_request_decline(actor=request.user, request=transfer)
            messages.success(request, _("Transfer declined."))
    except ApplicationError as exc:  # already decided, or the requester's own (DutyConflict)
        messages.error(request, exc.message)
    return redirect("workforce:transfer_request_list")
