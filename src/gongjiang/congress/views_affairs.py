"""Pages of the direct channel (意见建议) and open affairs (厂务公开)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from, page

from . import selectors_proposals as SP
from . import services_affairs as A
from . import services_proposals as P
from .forms import NoticeForm, RateForm, SuggestionForm, SuggestionReplyForm


def _channel_user(user: object) -> bool:
    return access.can(user, "congress.take_part") or access.can(user, "congress.view_suggestion")


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    if not _channel_user(request.user):
        raise PermissionDenied
    return render(
        request,
        "congress/suggestion_list.html",
        {
            "page_obj": page(request, SP.suggestion_list(actor=request.user)),
            "can_write": access.can(request.user, "congress.take_part"),
        },
    )


@login_required
def suggestion_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "congress.take_part"):
        raise PermissionDenied
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = P.suggestion_create(actor=request.user, **form.cleaned_data)
        except (ApplicationError, PermissionDenied) as exc:
            form_errors_from(
                exc
                if isinstance(exc, ApplicationError)
                else ApplicationError(_("Your union could not be found.")),
                form,
            )
        else:
            return redirect("congress:suggestion_detail", code=s.code)
    return render(request, "congress/form.html", {"form": form, "title": _("Write to the union")})


@login_required
def suggestion_detail(request: HttpRequest, code: str) -> HttpResponse:
    s = SP.suggestion_get(actor=request.user, code=code)
    mine = s.author_id == request.user.pk
    replier = access.can(request.user, "congress.reply_suggestion", s.organization)
    return render(
        request,
        "congress/suggestion_detail.html",
        {
            "s": s,
            "reply_form": SuggestionReplyForm()
            if replier and s.status == "submitted" and not mine
            else None,
            "rate_form": RateForm() if mine and s.status == "replied" else None,
            "can_close": replier and s.status == "rated",
        },
    )


@login_required
@require_POST
def suggestion_act(request: HttpRequest, code: str) -> HttpResponse:
    s = SP.suggestion_get(actor=request.user, code=code)
    act = request.POST.get("act", "")
    try:
        if act == "reply":
            P.suggestion_reply(actor=request.user, suggestion=s, text=request.POST.get("text", ""))
        elif act == "rate":
            P.suggestion_rate(
                actor=request.user, suggestion=s, rating=request.POST.get("rating", "")
            )
        elif act == "close":
            P.suggestion_close(actor=request.user, suggestion=s)
        else:
            raise Http404("act")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("congress:suggestion_detail", code=s.code)


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = A.notice_list(actor=request.user)
    read = set(
        A.NoticeRead.objects.filter(user=request.user, notice__in=notices).values_list(
            "notice_id", flat=True
        )
    )
    return render(
        request,
        "congress/notice_list.html",
        {
            "page_obj": page(request, notices),
            "read": read,
            "can_publish": access.can(request.user, "congress.manage"),
        },
    )


@login_required
def notice_detail(request: HttpRequest, code: str) -> HttpResponse:
    notice = A.notice_read(actor=request.user, code=code)
    manager = access.can(request.user, "congress.manage", notice.organization)
    return render(
        request,
        "congress/notice_detail.html",
        {"n": notice, "receipts": A.read_receipts(notice) if manager else None},
    )


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "congress.manage"):
        raise PermissionDenied
    orgs = Organization.objects.visible_to(request.user, "congress.manage").exclude(kind="team")[
        :500
    ]
    form = NoticeForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = access.get_visible_or_404(
            Organization.objects, request.user, "congress.manage", code=d["organization"]
        )
        try:
            n = A.notice_publish(
                actor=request.user,
                organization=org,
                kind=d["kind"],
                title=d["title"],
                body=d["body"],
            )
        except ApplicationError as exc:
            form_errors_from(exc, form)
        else:
            return redirect("congress:notice_detail", code=n.code)
    return render(request, "congress/form.html", {"form": form, "title": _("Publish a notice")})
