"""The page that opens a hardship application from a hardship help request (assistance.intake):
the household form on the worker's behalf, prefilled from the registry and the request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjiang.core.errors import ApplicationError
from gongjiang.core.views import form_errors_from
from gongjiang.members import helpdesk

from . import intake, services
from .forms import FromHelpForm, MemberFormSet, household_from


@login_required
def from_help(request: HttpRequest, code: str) -> HttpResponse:
    req = helpdesk.request_get(actor=request.user, code=code[:20])  # 404 outside the scope
    existing = intake.file_of(req)
    if existing is not None:
        messages.info(request, _("A hardship application was already opened from this request."))
        return redirect("members:help_detail", req.code)
    if not intake.may_open(request.user, req):
        raise PermissionDenied
    worker = intake.help_worker(req)
    initial = intake.prefill(req, worker)
    form = FromHelpForm(request.POST or None, initial={"note": initial["note"]})
    members = MemberFormSet(request.POST or None, prefix="m", initial=initial["members"])
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            intake.file_from_help(
                actor=request.user,
                req=req,
                household=household_from(form, members),
                consent=form.cleaned_data["consent"],
            )
        except ApplicationError as exc:
            if exc.code == "file_exists":
                messages.info(request, exc.message)
                return redirect("members:help_detail", req.code)
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The hardship application was opened; the worker is told."))
            return redirect("members:help_detail", req.code)
    return render(
        request,
        "assistance/from_help.html",
        {
            "req": req,
            "worker": worker,
            "form": form,
            "members": members,
            "consent_text": services.CONSENT_TEXT,
        },
    )
