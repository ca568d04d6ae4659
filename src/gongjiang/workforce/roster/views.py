"""Roster import pages: upload → background check with a progress bar → the report on screen (and as
a downloadable copy of the file with bad cells highlighted) → correct the column mapping or import
the valid rows into the chosen enterprise."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.spreadsheets import limits as spreadsheet_limits

from .. import selectors
from ..forms import MappingForm, RosterUploadForm
from .approval import (
    approval_get,
    approvals_for,
    roster_import_approve,
    roster_import_reject,
    roster_import_request,
)
from .approval_models import approval_required
from .jobs import (
    import_job_get,
    import_report_response,
    roster_import_again,
    roster_import_start,
)
from .reader import COLUMN_ALIASES
from .template import roster_template_xlsx


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "workforce.change_worker"):
        raise PermissionDenied
    employers = selectors.employer_choices(request.user)
    form = RosterUploadForm(
        request.POST or None,
        request.FILES or None,
        employers=employers,
        initial={"organization": request.GET.get("employer")},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = roster_import_start(
            actor=request.user, upload=upload, organization=form.cleaned_data["organization"]
        )
        return redirect("workforce:import_detail", code=job.code)
    return render(
        request,
        "workforce/import_upload.html",
        {"form": form, "aliases": COLUMN_ALIASES, "limits": spreadsheet_limits()},
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The roster template: the recognised columns and one example row (.xlsx)."""
    if not access.can(request.user, "workforce.change_worker"):
        raise PermissionDenied
    response = HttpResponse(
        roster_template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{_('roster-template')}.xlsx"
    )
    return response


@login_required
def import_detail(request: HttpRequest, code: str) -> HttpResponse:
    job = import_job_get(actor=request.user, code=code)
    result = job.result or {}
    context = {"job": job, "result": result, "dry_run": bool(job.params.get("dry_run", True))}
    if job.finished and result.get("headers") is not None:
        context["mapping_form"] = MappingForm(
            headers=result["headers"], mapping=result.get("mapping", {})
        )
        context["employers"] = selectors.employer_choices(request.user)
        context["more_errors"] = result.get("errors_total", 0) - len(result.get("errors", []))
        context["approval_required"] = approval_required()
    template = "workforce/_import_progress.html" if request.htmx else "workforce/import_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def import_run(request: HttpRequest, code: str) -> HttpResponse:
    """Import the valid rows (``action=import``) or check again with the corrected mapping."""
    job = import_job_get(actor=request.user, code=code)
    result = job.result or {}
    form = MappingForm(
        request.POST, headers=result.get("headers", []), mapping=result.get("mapping", {})
    )
    if not form.is_valid():
        for error in form.non_field_errors() or [
            _("The column mapping needs the name and citizen ID columns.")
        ]:
            messages.error(request, error)
        return redirect("workforce:import_detail", code=job.code)
    org_code = request.POST.get("organization", "")
    organization = (
        selectors.employer_choices(request.user).filter(code=org_code).first() if org_code else None
    )
    if org_code and organization is None:
        raise Http404("organization")
    if request.POST.get("action") == "request":
        if organization is None:
            messages.error(request, _("Choose the enterprise to import into."))
            return redirect("workforce:import_detail", code=job.code)
        try:
            roster_import_request(
                actor=request.user, job=job, organization=organization, mapping=form.mapping()
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Sent for approval: another officer will import it."))
        return redirect("workforce:import_detail", code=job.code)
    dry_run = request.POST.get("action") != "import"
    if not dry_run and organization is None:
        messages.error(request, _("Choose the enterprise to import into."))
        return redirect("workforce:import_detail", code=job.code)
    try:
        new = roster_import_again(
            actor=request.user,
            job=job,
            organization=organization,
            dry_run=dry_run,
            mapping=form.mapping(),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("workforce:import_detail", code=job.code)
    return redirect("workforce:import_detail", code=new.code)


@login_required
def import_report(request: HttpRequest, code: str) -> HttpResponse:
    job = import_job_get(actor=request.user, code=code)
    if not job.output_file:
        raise Http404("report")
    return import_report_response(job)


@login_required
def import_approvals(request: HttpRequest) -> HttpResponse:
    """Roster imports waiting for approval (and recent decisions) in the user's scope."""
    if not access.can(request.user, "workforce.approve_import"):
        raise PermissionDenied
    rows = approvals_for(actor=request.user)[:200]
    return render(request, "workforce/import_approvals.html", {"rows": rows})


@login_required
@require_POST
def import_approval_decide(request: HttpRequest, code: str) -> HttpResponse:
    approval = approval_get(actor=request.user, code=code)
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("decision") == "approve":
            roster_import_approve(actor=request.user, approval=approval, comment=comment)
            messages.success(request, _("Approved: the import is running."))
        else:
            roster_import_reject(actor=request.user, approval=approval, comment=comment)
            messages.success(request, _("Rejected."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("workforce:import_approvals")
