"""Pages of hardship files: the dashboard, the list (masked names), applying on a worker's behalf,
a file (opened with a purpose, audited), its flow steps, documents and support."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.downloads import download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import file_response
from gongjiang.core.views import form_errors_from, page
from gongjiang.members import helpdesk

from . import privacy, selectors, services, support
from .api import selectors_worker
from .forms import (
    DocumentForm,
    ExitForm,
    MemberFormSet,
    OnBehalfForm,
    PayForm,
    PurposeForm,
    ReasonForm,
    SupportForm,
    household_from,
)
from .household import cause_labels
from .models import HardshipFile, SupportRecord


@login_required
def home(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    board = selectors.dashboard(actor=request.user)
    user = request.user
    context = {
        "board": board,
        "status_rows": [
            (label, board["by_status"].get(value, 0))
            for value, label in HardshipFile.Status.choices
        ],
        "category_rows": [
            (label, board["by_category"].get(value, 0))
            for value, label in HardshipFile._meta.get_field("category").choices
        ],
        "to_check": selectors.files_to_check(actor=user).count(),
        "to_approve": selectors.files_to_approve(actor=user).count(),
        "verify_due": selectors.verifications_due(actor=user).count(),
        "notices_ending": selectors.notices_ending(actor=user).count(),
    }
    return render(request, "assistance/home.html", context)


@login_required
def file_list(request: HttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    qs = selectors.files(actor=request.user)
    status = request.GET.get("status", "")
    if status in HardshipFile.Status.values:
        qs = qs.filter(status=status)
    view = request.GET.get("view", "")
    if view == "check":
        qs = selectors.files_to_check(actor=request.user).select_related("organization", "notice")
    elif view == "approve":
        qs = selectors.files_to_approve(actor=request.user).select_related("organization", "notice")
    elif view == "verify":
        qs = selectors.verifications_due(actor=request.user).select_related(
            "organization", "notice"
        )
    elif view == "notices":
        qs = selectors.notices_ending(actor=request.user).select_related("organization", "notice")
    return render(
        request,
        "assistance/file_list.html",
        {
            "page_obj": page(request, qs),
            "statuses": HardshipFile.Status.choices,
            "status": status,
            "may_apply": access.can(request.user, services.CHECK),
        },
    )


@login_required
def file_new(request: HttpRequest) -> HttpResponse:
    """An assistance officer applies on a worker's behalf."""
    if not access.can(request.user, services.CHECK):
        raise Http404("assistance")
    form = OnBehalfForm(request.POST or None)
    members = MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            worker = selectors_worker(request.user, form.cleaned_data["worker"])
            file = services.file_apply(
                actor=request.user,
                worker=worker,
                household=household_from(form, members),
                consent=form.cleaned_data["consent"],
            )
        except Http404:
            form.add_error("worker", _("No such worker in your organisations."))
        except ApplicationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The application was filed."))
            return redirect("assistance:file_detail", file.code)
    return render(
        request,
        "assistance/apply.html",
        {
            "form": form,
            "members": members,
            "consent_text": services.CONSENT_TEXT,
            "on_behalf": True,
        },
    )


@login_required
def file_detail(request: HttpRequest, code: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, code=code)
    purpose_form = PurposeForm(request.GET or None)
    document = None
    if purpose_form.is_valid():
        document = services.file_view(
            actor=request.user, file=file, purpose=purpose_form.cleaned_data["purpose"]
        )
    user = request.user
    may_check = access.can(user, services.CHECK, file.organization)
    may_support = access.can(user, support.SUPPORT, file.organization)
    records = file.support.select_related("line", "fund").order_by("-created_at")
    labels = cause_labels()
    source = file.help_request if file.help_request_id else None
    return render(
        request,
        "assistance/file_detail.html",
        {
            "file": file,
            # the help request it came from is linked only for those who may open it
            "source_visible": source is not None
            and (source.user_id == user.pk or helpdesk.can_handle(user, source)),
            "purpose_form": purpose_form,
            "purpose": purpose_form.cleaned_data["purpose"] if document is not None else "",
            "document": document,
            "documents": file.documents.all() if document is not None else [],
            "may_check": may_check,
            "may_approve": access.can(user, services.APPROVE, file.organization),
            "may_support": may_support,
            "may_pay": access.can(user, support.PAY, file.organization),
            "reason_form": ReasonForm(),
            "exit_form": ExitForm(),
            "document_form": DocumentForm(),
            "support_form": SupportForm(lines=selectors.lines_for(actor=user, file=file))
            if may_support
            else None,
            "pay_form": PayForm(funds=selectors.funds_for(actor=user)),
            "records": records,
            "reassessments": file.reassessments.filter(status="pending"),
            "causes": [labels.get(c, c) for c in (document or {}).get("causes", [])],
        },
    )


ACTIONS = {"check", "refuse", "approve", "verify", "exit", "reenter", "withdraw"}


@login_required
@require_POST
def file_act(request: HttpRequest, code: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, code=code)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404("action")
    user = request.user
    try:
        if action == "check":
            services.file_check(actor=user, file=file)
            messages.success(request, _("Checked; the public notice is published."))
        elif action == "refuse":
            services.file_refuse(actor=user, file=file, reason=request.POST.get("reason", ""))
            messages.success(request, _("The application was refused."))
        elif action == "approve":
            services.file_approve(actor=user, file=file)
            messages.success(request, _("The file is approved and filed."))
        elif action == "verify":
            services.file_verify(actor=user, file=file)
            messages.success(request, _("Re-verified."))
        elif action == "exit":
            form = ExitForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose the reason for the exit."), code="reason_required")
            services.file_exit(
                actor=user,
                file=file,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The file is closed (exit)."))
        elif action == "reenter":
            services.file_reenter(actor=user, file=file)
            messages.success(request, _("The file re-opens as an application."))
        elif action == "withdraw":
            privacy.consent_withdraw(actor=user, file=file)
            messages.success(request, _("Consent withdrawn; the data is being erased."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("assistance:file_detail", file.code)


@login_required
@require_POST
def document_add(request: HttpRequest, code: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, code=code)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                actor=request.user,
                file=file,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["upload"],
            )
            messages.success(request, _("The document was added."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give a title and choose a file."))
    return redirect("assistance:file_detail", file.code)


@login_required
def document_open(request: HttpRequest, code: str) -> HttpResponse:
    document = selectors.document_get(actor=request.user, code=code)
    purpose = request.GET.get("purpose", "")
    try:
        handle = services.document_open(actor=request.user, document=document, purpose=purpose)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("assistance:file_detail", document.file.code)
    ext = document.upload.name.rsplit(".", 1)[-1] if "." in document.upload.name else "bin"
    return file_response(handle, download_filename(document.title, ext=ext))


@login_required
@require_POST
def support_add(request: HttpRequest, code: str) -> HttpResponse:
    file = selectors.file_get(actor=request.user, code=code)
    lines = selectors.lines_for(actor=request.user, file=file)
    form = SupportForm(request.POST, lines=lines)
    if form.is_valid():
        try:
            support.support_decide(
                actor=request.user,
                file=file,
                line=lines.get(code=form.cleaned_data["line"]),
                amount=form.cleaned_data["amount"] or "0",
                beneficiary=form.cleaned_data["beneficiary"],
                service=form.cleaned_data["service"],
                term=form.cleaned_data["term"],
                outcome=form.cleaned_data["outcome"],
            )
            messages.success(request, _("The support was decided."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Check the support form."))
    return redirect("assistance:file_detail", file.code)


@login_required
@require_POST
def support_act(request: HttpRequest, code: str) -> HttpResponse:
    record: SupportRecord = selectors.support_get(actor=request.user, code=code)
    action = request.POST.get("action", "")
    try:
        if action == "pay":
            fund = selectors.fund_get(actor=request.user, code=request.POST.get("fund", ""))
            support.support_pay(actor=request.user, record=record, fund=fund)
            messages.success(request, _("Paid."))
        elif action == "reverse":
            support.support_reverse(
                actor=request.user, record=record, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The payment was reversed."))
        elif action == "outcome":
            support.support_outcome_record(
                actor=request.user, record=record, outcome=request.POST.get("outcome", "")
            )
            messages.success(request, _("The outcome was recorded."))
        else:
            raise Http404("action")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("assistance:file_detail", record.file.code)
