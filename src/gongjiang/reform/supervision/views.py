"""Pages for supervision (inspections, findings, rectifications, notices, escalations) and rollout."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from

from .. import rollout, selectors
from ..forms import (
    FindingForm,
    InspectionForm,
    NoticeForm,
    RectificationForm,
    ReplyForm,
    ResponseForm,
    ReviewForm,
    RolloutForm,
)
from ..views import on_date, orgs_for
from . import services as supervision
from .models import SupervisionNotice


def _visitable(user: Any) -> Any:
    return (
        Organization.objects.visible_to(user, "reform.view")
        .filter(is_active=True)
        .exclude(kind__in=["team", "department"])
        .order_by("path")
    )


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.view"):
        raise PermissionDenied
    return render(
        request,
        "reform/inspection_list.html",
        {
            "inspections": selectors.inspection_list(actor=request.user)[:200],
            "rectifications": selectors.rectification_list(actor=request.user).exclude(
                status="closed"
            )[:200],
            "can_create": access.can(request.user, "reform.inspect"),
        },
    )


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.inspect"):
        raise PermissionDenied
    form = InspectionForm(
        request.POST or None,
        organizations=orgs_for(request.user, "reform.inspect"),
        visitable=_visitable(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = supervision.inspection_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            return redirect("reform:inspection_detail", code=inspection.code)
    return render(request, "reform/form.html", {"form": form, "title": _("New inspection")})


@login_required
def inspection_detail(request: HttpRequest, code: str) -> HttpResponse:
    inspection = selectors.inspection_get(actor=request.user, code=code)
    may_inspect = supervision.may_inspect(request.user, inspection)
    finding_form = FindingForm(organizations=inspection.visited.all())
    if request.method == "POST":
        if not may_inspect:
            raise PermissionDenied
        finding_form = FindingForm(request.POST, organizations=inspection.visited.all())
        if finding_form.is_valid():
            supervision.finding_add(
                actor=request.user, inspection=inspection, **finding_form.cleaned_data
            )
            return redirect("reform:inspection_detail", code=inspection.code)
    findings = list(selectors.findings_of(actor=request.user, inspection=inspection))
    for finding in findings:
        for r in finding.rectifications.all():
            r.may_submit = (
                access.can(request.user, "reform.report", r.organization) and r.status != "closed"
            )
    return render(
        request,
        "reform/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": findings,
            "may_inspect": may_inspect,
            "finding_form": finding_form,
            "rect_form": RectificationForm(),
            "response_form": ResponseForm(),
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_POST
def rectification_add(request: HttpRequest, code: str) -> HttpResponse:
    finding = selectors.finding_get(actor=request.user, code=code)
    form = RectificationForm(request.POST)
    if form.is_valid():
        supervision.rectification_add(actor=request.user, finding=finding, **form.cleaned_data)
        messages.success(request, _("Rectification item added."))
    else:
        messages.error(request, _("Give the rectification and its deadline."))
    return redirect("reform:inspection_detail", code=finding.inspection.code)


@login_required
@require_POST
def rectification_act(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.rectification_get(actor=request.user, code=code)
    action = request.POST.get("action")
    try:
        if action == "submit":
            supervision.rectification_submit(
                actor=request.user, rectification=item, response=request.POST.get("response", "")
            )
        else:
            supervision.rectification_close(
                actor=request.user,
                rectification=item,
                accept=action == "close",
                comment=request.POST.get("comment", ""),
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("reform:inspection_detail", code=item.finding.inspection.code)


def _notice_status(request: HttpRequest) -> str:
    """The ``status`` filter of the notice list (the home page links to the open ones)."""
    status = request.GET.get("status", "")
    return status if status in SupervisionNotice.Status.values else ""


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.view"):
        raise PermissionDenied
    return render(
        request,
        "reform/notice_list.html",
        {
            "notices": selectors.notice_list(actor=request.user, status=_notice_status(request))[
                :200
            ],
            "escalations": selectors.escalation_list(actor=request.user)[:200],
            "can_create": access.can(request.user, "reform.inspect"),
            "on": on_date(request),
        },
    )


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.inspect"):
        raise PermissionDenied
    form = NoticeForm(
        request.POST or None,
        organizations=orgs_for(request.user, "reform.inspect"),
        targets=orgs_for(request.user, "reform.view"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = supervision.notice_issue(actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            return redirect("reform:notice_detail", code=notice.code)
    return render(request, "reform/form.html", {"form": form, "title": _("New supervision notice")})


@login_required
def notice_detail(request: HttpRequest, code: str) -> HttpResponse:
    notice = selectors.notice_get(actor=request.user, code=code)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                supervision.notice_close(actor=request.user, notice=notice)
            else:
                supervision.notice_reply(
                    actor=request.user, notice=notice, reply=request.POST.get("reply", "")
                )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("reform:notice_detail", code=notice.code)
    return render(
        request,
        "reform/notice_detail.html",
        {
            "notice": notice,
            "reply_form": ReplyForm(),
            "on": on_date(request),
            "may_reply": access.can(request.user, "reform.report", notice.target)
            and notice.status != "closed",
            "may_close": access.can(request.user, "reform.inspect", notice.organization)
            and notice.status == "replied",
        },
    )


# ------------------------------------------------------------------------------- rollout


@login_required
def rollout_view(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.view"):
        raise PermissionDenied
    code = request.GET.get("org", "")
    if code:
        parent = selectors.organization_get(actor=request.user, code=code)
    else:  # the top of the user's scope: the nation for the national federation, a province's cities …
        visible = Organization.objects.visible_to(request.user, "reform.view").order_by(
            "depth", "path"
        )
        parent = visible.first()
        if parent is None:
            raise PermissionDenied
    on = on_date(request)
    kind = request.GET.get("kind", "")[:12]
    overview = rollout.rollout_overview(actor=request.user, parent=parent, on=on, kind=kind or None)
    form = RolloutForm(
        request.POST or None,
        request.FILES or None,
        organizations=orgs_for(request.user, "reform.rollout"),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                rollout.rollout_record(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Milestone recorded."))
                return redirect(request.get_full_path())
    return render(
        request,
        "reform/rollout.html",
        {
            "overview": overview,
            "on": on,
            "kind": kind,
            "form": form,
            "chart": json.dumps(rollout.rollout_chart(overview), ensure_ascii=False),
            "can_record": access.can(request.user, "reform.rollout"),
            "kinds": Organization.Kind.choices,
        },
    )
