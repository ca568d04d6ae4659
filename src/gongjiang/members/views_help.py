"""Pages of the help desk: the worker files and follows a request, rates the answer; the union's
officers answer, note, hand over and resolve; the report per union."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.assistance import intake
from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from, page

from . import helpdesk as svc
from .forms import HelpForm, HelpReplyForm
from .views_home import phone_context, require_use


@login_required
def help_list(request: HttpRequest) -> HttpResponse:
    require_use(request)
    form = HelpForm()
    if request.method == "POST":
        form = HelpForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                req = svc.help_file(
                    actor=request.user,
                    category=d["category"],
                    subject=d["subject"],
                    text=d["text"],
                    region_code=d["region"],
                )
            except (ApplicationError, ValidationError) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request,
                    _("Sent to %(u)s; a reply is due by %(d)s.")
                    % {"u": req.organization.name, "d": req.due_at.strftime("%m-%d %H:%M")},
                )
                return redirect("members:help_detail", code=req.code)
    return render(
        request,
        "members/help_list.html",
        phone_context(
            request,
            form=form,
            items=list(svc.my_requests(actor=request.user)[:50]),
            handles=access.can(request.user, svc.HANDLE),
        ),
    )


@login_required
def help_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    req = svc.request_get(actor=request.user, code=code)
    handles = svc.can_handle(request.user, req) and req.user_id != request.user.pk
    form = HelpReplyForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "rate":
                svc.help_rate(
                    actor=request.user, req=req, stars=int(request.POST.get("stars", "0") or 0)
                )
                messages.success(request, _("Thank you for rating the answer."))
            elif action == "resolve":
                svc.help_resolve(actor=request.user, req=req)
                messages.success(request, _("The request is resolved."))
            elif action == "reply_resolve":
                text = request.POST.get("text", "").strip()
                if not text:
                    raise ApplicationError(_("Write something first."))
                svc.help_reply_resolve(actor=request.user, req=req, text=text)
                messages.success(request, _("Answered and resolved."))
            elif action == "handover":
                to = access.get_visible_or_404(
                    Organization.objects.all(),
                    request.user,
                    svc.HANDLE,
                    code=request.POST.get("to", "")[:20],
                )
                svc.help_handover(
                    actor=request.user, req=req, to=to, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Handed over."))
            else:
                form = HelpReplyForm(request.POST)
                if form.is_valid():
                    if not handles and req.user_id == request.user.pk:
                        raise PermissionDenied
                    svc.help_reply(
                        actor=request.user,
                        req=req,
                        text=form.cleaned_data["text"],
                        internal=form.cleaned_data["internal"],
                    )
                    messages.success(request, _("Sent."))
                else:
                    raise ApplicationError(_("Write something first."))
        except ValidationError as exc:  # e.g. a text past 5,000 characters (HelpMessage)
            messages.error(request, " ".join(exc.messages))
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Give one to five stars.")))
        return redirect("members:help_detail", code=code)
    handover_to = []
    if handles:
        handover_to = list(
            Organization.objects.visible_to(request.user, svc.HANDLE)
            .filter(is_active=True)
            .exclude(pk=req.organization_id)
            .exclude(kind="team")
            .order_by("path")[:200]
        )
    file = svc.linked_file(req)
    file_url = ""
    if file is not None:
        if req.user_id == request.user.pk:
            file_url = reverse("assistance:me_file", args=[file.code])
        elif access.can(request.user, "assistance.view", file.organization):
            file_url = reverse("assistance:file_detail", args=[file.code])
    return render(
        request,
        "members/help_detail.html",
        phone_context(
            request,
            req=req,
            file=file,
            file_url=file_url,
            may_open_file=handles and file is None and intake.may_open(request.user, req),
            decision_reply=intake.decision_reply(file)
            if handles and file is not None and req.status != svc.Status.RESOLVED
            else "",
            thread=list(svc.messages_for(actor=request.user, req=req)),
            handles=handles,
            form=form,
            handover_to=handover_to,
            own=req.user_id == request.user.pk,
        ),
    )


@login_required
def help_desk(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, svc.HANDLE):
        raise PermissionDenied
    status = request.GET.get("status", "open")
    qs = svc.requests_handled(actor=request.user)
    if status in svc.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "members/help_desk.html",
        {
            "items": page(request, qs.order_by("due_at"), 50),
            "status": status,
            "statuses": svc.Status.choices,
            "report": svc.report(actor=request.user),
        },
    )
