"""Pages for plans, tasks, progress reports, responsibility lists and notifications.
Thin: parse, call a service or selector, render (supervision and rollout pages: supervision/views.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from, page

from . import selectors, services
from .forms import (
    DeriveForm,
    EvidenceForm,
    ItemForm,
    MilestoneForm,
    PlanForm,
    ReportForm,
    ReviewForm,
)
from .models import PlanItem, ProgressReport, TaskMilestone


def on_date(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def orgs_for(user: Any, perm: str) -> Any:
    """Organisations the user may pick for an act (teams left out: they do not own plans)."""
    return (
        Organization.objects.visible_to(user, perm)
        .filter(is_active=True)
        .exclude(kind="team")
        .order_by("path")
        .only("id", "code", "name")
    )


def unit_choices(user: Any, plan: Any) -> Any:
    """Lead and cooperating units: inside the user's scope, plus the departments next to the plan owner."""
    org = plan.organization
    return (
        (
            Organization.objects.filter(is_active=True)
            .exclude(kind="team")
            .filter(pk__in=Organization.objects.visible_to(user, "reform.change_plan").values("pk"))
            | Organization.objects.filter(parent=org, kind="department")
            | Organization.objects.filter(pk=org.pk)
        )
        .distinct()
        .order_by("path")
    )


# ---------------------------------------------------------------------------------- plans


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.view"):
        raise PermissionDenied
    on = on_date(request)
    plans = list(selectors.plan_list(actor=request.user))
    return render(
        request,
        "reform/plan_list.html",
        {
            "rows": selectors.plan_summary(plans=plans, on=on),
            "on": on,
            "pending": selectors.reports_to_review(actor=request.user).count(),
            "returned": ProgressReport.objects.visible_to(request.user)
            .filter(status="returned")
            .count(),
            "unread": selectors.notifications_for(actor=request.user, unread_only=True).count(),
            "can_create": access.can(request.user, "reform.change_plan"),
            "can_review": access.can(request.user, "reform.review"),
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.change_plan"):
        raise PermissionDenied
    form = PlanForm(
        request.POST or None, organizations=orgs_for(request.user, "reform.change_plan")
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            return redirect("reform:plan_detail", code=plan.code)
    return render(
        request,
        "reform/form.html",
        {"form": form, "title": pgettext("reform", "New plan"), "back": "reform:plan_list"},
    )


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    on = on_date(request)
    rows, percent = selectors.plan_tree(plan=plan, on=on)
    years = sorted({r.item.year for r in rows if r.item.year})
    return render(
        request,
        "reform/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "percent": percent,
            "on": on,
            "years": years,
            "derived": selectors.plan_list(actor=request.user).filter(parent=plan),
            "can_change": selectors.may_change_plan(request.user, plan),
            "can_derive": access.can(request.user, "reform.change_plan"),
            "can_review": selectors.may_review(request.user, plan),
        },
    )


@login_required
def plan_derive(request: HttpRequest, code: str) -> HttpResponse:
    parent = selectors.plan_get(actor=request.user, code=code)
    if not access.can(request.user, "reform.change_plan"):
        raise PermissionDenied
    form = DeriveForm(
        request.POST or None,
        organizations=orgs_for(request.user, "reform.change_plan"),
        initial={"title": parent.title},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_derive(actor=request.user, parent=parent, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("Plan created; its areas and measures implement the parent plan's.")
            )
            return redirect("reform:plan_detail", code=plan.code)
    title = _("Derive a plan from “%(t)s”") % {"t": parent.title}
    return render(request, "reform/form.html", {"form": form, "title": title, "plan": parent})


def _item_form(request: HttpRequest, plan: Any, data: Any, initial: dict[str, Any]) -> ItemForm:
    parent_items = (
        PlanItem.objects.filter(plan=plan.parent).order_by("kind", "position")
        if plan.parent_id
        else None
    )
    return ItemForm(
        data,
        initial=initial,
        organizations=unit_choices(request.user, plan),
        parent_items=parent_items,
    )


def _owner(plan: Any, data: dict[str, Any]) -> Any:
    if not data.get("owner"):
        return None
    return selectors.owner_by_username(
        plan=plan, username=data["owner"], lead_unit=data.get("lead_unit")
    )


@login_required
def item_create(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    access.require(request.user, "reform.change_plan", plan.organization)
    parent = None
    if request.GET.get("parent"):
        parent = get_object_or_404(PlanItem, plan=plan, code=request.GET["parent"])
    kind = {None: "area", "area": "measure", "measure": "task", "task": "task"}[
        parent.kind if parent else None
    ]
    form = _item_form(request, plan, request.POST or None, {"kind": kind, "status": "not_started"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        coop = data.pop("cooperating_units")
        try:
            data["owner"] = _owner(plan, data)
            services.plan_item_create(
                actor=request.user, plan=plan, parent=parent, cooperating_units=coop, **data
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("reform:plan_detail", code=plan.code)
    title = _("New item under “%(p)s”") % {"p": parent.title} if parent else _("New area")
    return render(request, "reform/form.html", {"form": form, "title": title, "plan": plan})


@login_required
def item_edit(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.item_get(actor=request.user, code=code)
    access.require(request.user, "reform.change_plan", item.plan.organization)
    initial = {
        f: getattr(item, f)
        for f in (
            "kind",
            "title",
            "description",
            "start",
            "deadline",
            "year",
            "status",
            "report_cycle",
            "remarks",
        )
    }
    initial.update(
        tags=", ".join(item.tags),
        lead_unit=item.lead_unit.code if item.lead_unit_id else None,
        implements=item.implements.code if item.implements_id else None,
        cooperating_units=[o.code for o in item.cooperating_units.all()],
        owner=item.owner.username if item.owner_id else "",
    )
    form = _item_form(request, item.plan, request.POST or None, initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        coop = data.pop("cooperating_units")
        data.pop("kind")
        try:
            data["owner"] = _owner(item.plan, data)
            services.plan_item_update(actor=request.user, item=item, cooperating_units=coop, **data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                "reform:task_detail" if item.kind == "task" else "reform:plan_detail",
                code=item.code if item.kind == "task" else item.plan.code,
            )
    return render(
        request,
        "reform/form.html",
        {"form": form, "title": _("Edit “%(t)s”") % {"t": item.title}, "plan": item.plan},
    )


# ---------------------------------------------------------------------------------- tasks


@login_required
def task_detail(request: HttpRequest, code: str) -> HttpResponse:
    task = selectors.item_get(actor=request.user, code=code)
    on = on_date(request)
    may_report = services.may_report(request.user, task)
    report_form = ReportForm(
        initial={"period": services.period_of(on, task.report_cycle), "percent": task.percent}
    )
    if request.method == "POST" and may_report:
        report_form = ReportForm(request.POST, request.FILES)
        if report_form.is_valid():
            d = report_form.cleaned_data
            files = [d["evidence"]] if d.get("evidence") else []
            try:
                services.progress_report_submit(
                    actor=request.user,
                    task=task,
                    period=d["period"],
                    text=d["text"],
                    percent=d["percent"],
                    problems=d["problems"],
                    next_steps=d["next_steps"],
                    files=files,
                )
            except (ValidationError, ApplicationError) as exc:
                form_errors_from(exc, report_form)
            else:
                messages.success(request, _("Report submitted for review."))
                return redirect("reform:task_detail", code=task.code)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "reform/task_detail.html",
        {
            "task": task,
            "on": on,
            "status": task.status_label_on(on),
            "overdue": task.is_overdue(on),
            "reports": task.reports.select_related("submitted_by", "reviewed_by").prefetch_related(
                "attachments"
            ),
            "milestones": task.milestones.all(),
            "evidence": task.attachments.filter(report__isnull=True),
            "subtasks": task.children.all(),
            "findings": task.findings.select_related("inspection", "organization"),
            "implemented_by": selectors.plan_items_visible(
                actor=request.user,
                qs=task.implemented_by.select_related("plan__organization", "lead_unit"),
            ),
            "may_report": may_report,
            "report_form": report_form,
            "review_form": ReviewForm(),
            "can_review": selectors.may_review(request.user, task.plan),
            "can_change": selectors.may_change_plan(request.user, task.plan),
            "milestone_form": MilestoneForm(),
            "evidence_form": EvidenceForm(),
        },
    )


@login_required
@require_POST
def report_review(request: HttpRequest, code: str) -> HttpResponse:
    report = selectors.report_get(actor=request.user, code=code)
    form = ReviewForm(request.POST)
    form.is_valid()
    accept = request.POST.get("decision") == "accept"
    try:
        services.progress_report_review(
            actor=request.user,
            report=report,
            accept=accept,
            comment=form.cleaned_data.get("comment", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Report accepted.") if accept else _("Report returned."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "reform:review_list")


@login_required
@require_POST
def task_evidence(request: HttpRequest, code: str) -> HttpResponse:
    task = selectors.item_get(actor=request.user, code=code)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        services.task_evidence_add(actor=request.user, task=task, file=form.cleaned_data["file"])
        messages.success(request, _("Evidence added."))
    return redirect("reform:task_detail", code=task.code)


@login_required
@require_POST
def task_milestone(request: HttpRequest, code: str) -> HttpResponse:
    task = selectors.item_get(actor=request.user, code=code)
    if request.POST.get("milestone"):
        milestone = get_object_or_404(TaskMilestone, task=task, pk=request.POST["milestone"])
        services.task_milestone_done(
            actor=request.user, milestone=milestone, done_on=timezone.localdate()
        )
    else:
        form = MilestoneForm(request.POST)
        if form.is_valid():
            services.task_milestone_add(actor=request.user, task=task, **form.cleaned_data)
    return redirect("reform:task_detail", code=task.code)


@login_required
def attachment_download(request: HttpRequest, code: str) -> HttpResponse:
    from django.http import FileResponse

    att = selectors.attachment_get(actor=request.user, code=code)
    from gongjiang.core.downloads import attach, download_filename

    stem, dot, ext = att.name.rpartition(".")
    name = download_filename(stem, ext=ext) if dot else download_filename(att.name, ext="bin")
    return attach(FileResponse(att.file.open("rb")), name)


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.view"):
        raise PermissionDenied
    on = on_date(request)
    status = request.GET.get("status", "")[:12]
    q = request.GET.get("q", "")[:100]
    qs = selectors.task_list(actor=request.user, status=status, on=on, q=q)
    return render(
        request,
        "reform/task_list.html",
        {
            "page_obj": page(request, qs),
            "on": on,
            "status": status,
            "q": q,
            "statuses": [
                *PlanItem.Status.choices,
                (PlanItem.OVERDUE, pgettext("reform", "overdue")),
            ],
        },
    )


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "reform.review"):
        raise PermissionDenied
    return render(
        request,
        "reform/review_list.html",
        {
            "reports": selectors.reports_to_review(actor=request.user)[:200],
            "review_form": ReviewForm(),
        },
    )


@login_required
def responsibility(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.organization_get(actor=request.user, code=code)
    year = request.GET.get("year")
    year_i = int(year) if year and year.isdigit() and 1949 <= int(year) <= 2100 else None
    return render(
        request,
        "reform/responsibility.html",
        {
            "unit": unit,
            "year": year_i,
            "rows": selectors.responsibility_list(actor=request.user, unit=unit, year=year_i),
            "on": on_date(request),
        },
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reform/notification_list.html",
        {"page_obj": page(request, selectors.notifications_for(actor=request.user))},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, code: str) -> HttpResponse:
    n = get_object_or_404(selectors.notifications_for(actor=request.user), code=code)
    services.notification_read(actor=request.user, notification=n)
    return redirect(n.url or "reform:notification_list")
