"""Pages of the workforce registry: search, profile with timeline, edit, transfer, level change,
history rows, the audited ID reveal and the export. Thin: parse, call a service or selector, render."""

from __future__ import annotations

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
from gongjiang.core.models import Organization, SkillLevel
from gongjiang.core.profile_badges import badges_for
from gongjiang.core.views import form_errors_from

from . import selectors, services
from .exports import worker_export_response
from .forms import (
    CertificateForm,
    HonourForm,
    LevelChangeForm,
    TrainingForm,
    TransferForm,
    WorkerForm,
)
from .models import SkillLevelChange, Worker
from .selectors import WorkerFilters
from .timeline import timeline_for


def _can_view_list(user: Any) -> bool:
    return access.can(user, "workforce.view_worker")


@login_required
def worker_list(request: HttpRequest) -> HttpResponse:
    if not _can_view_list(request.user):
        own = Worker.objects.filter(user=request.user).first()
        if own is not None:
            return redirect("workforce:worker_detail", code=own.code)
        raise PermissionDenied
    filters = WorkerFilters.from_mapping(request.GET)
    if request.GET.get("export") == "xlsx":
        return worker_export_response(actor=request.user, filters=filters)
    qs = selectors.worker_list(request.user, filters)
    page = selectors.worker_page(qs, cursor=request.GET.get("after", "")[:400] or None)
    query = filters.as_query()
    from urllib.parse import urlencode

    return render(
        request,
        "workforce/worker_list.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode(query),
            "levels": SkillLevel.objects.all(),
            "statuses": Worker.Status.choices,
            "employers": selectors.employer_choices(request.user, "workforce.view_worker")[:500],
            "honours": services.HONOUR_TITLES,
            "first_page": not request.GET.get("after"),
            "can_create": access.can(request.user, "workforce.change_worker"),
            "can_import": access.can(request.user, "workforce.change_worker"),
        },
    )


@login_required
def worker_detail(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get_for_user(request.user, code)
    user, org = request.user, worker.organization
    latest = worker.skill_level_changes.filter(reverted=False).order_by("-id").first()
    return render(
        request,
        "workforce/worker_detail.html",
        {
            "worker": worker,
            "timeline": timeline_for(worker, user),
            "latest_change": latest,
            "can_change": access.can(user, "workforce.change_worker", org),
            "can_level": access.can(user, "workforce.change_skill_level", org),
            "can_certificate": access.can(user, "workforce.add_certificate", org),
            "can_honour": access.can(user, "workforce.add_honour", org),
            "can_training": access.can(user, "workforce.add_training_record", org),
            "can_reveal": access.can(user, "core.view_full_citizen_id", org),
            "badges": badges_for(user, worker),
        },
    )


@login_required
@require_POST
def worker_reveal(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get_for_user(request.user, code)
    number = services.worker_citizen_id_reveal(actor=request.user, worker=worker)
    return HttpResponse(f'<span id="citizen-id" class="font-monospace">{number}</span>')


def _form_page(
    request: HttpRequest, form: Any, title: str, worker: Worker | None, **extra: Any
) -> HttpResponse:
    return render(
        request, "workforce/form.html", {"form": form, "title": title, "worker": worker, **extra}
    )


def _teams(user: Any) -> Any:
    return (
        Organization.objects.visible_to(user, "workforce.change_worker")
        .filter(kind=Organization.Kind.TEAM, is_active=True)
        .order_by("path")
    )


@login_required
def worker_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "workforce.change_worker"):
        raise PermissionDenied
    employers = selectors.employer_choices(request.user)
    form = WorkerForm(
        request.POST or None,
        employers=employers,
        teams=_teams(request.user),
        initial={
            "organization": request.GET.get("employer"),
            "status": "active",
            "employment_type": "contract",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["gender"] = data["gender"] or None
        try:
            worker = services.worker_create(
                actor=request.user, source=_("entered on the page"), **data
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Worker “%(name)s” registered.") % {"name": worker.name})
            return redirect("workforce:worker_detail", code=worker.code)
    return _form_page(request, form, _("Register a worker"), None)


@login_required
def worker_edit(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get_for_user(request.user, code)
    access.require(request.user, "workforce.change_worker", worker.organization)
    fields = (
        "name",
        "employee_number",
        "occupation",
        "job_title",
        "hire_date",
        "employment_type",
        "union_member_since",
        "status",
        "ethnicity",
        "education",
        "political_status",
        "team",
    )
    initial = {f: getattr(worker, f) for f in fields}
    initial["team"] = worker.team.code if worker.team_id else None
    initial["occupation"] = worker.occupation_id
    form = WorkerForm(
        request.POST or None,
        worker=worker,
        teams=selectors.team_choices(worker.organization),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for optional in ("citizen_id", "phone"):
            if not data[optional]:
                data.pop(optional)
        if not data.get("citizen_id"):
            data.pop("gender", None)
            data.pop("birth_date", None)
        else:
            data["gender"] = data["gender"] or None
        try:
            services.worker_update(actor=request.user, worker=worker, **data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:worker_detail", code=worker.code)
    return _form_page(request, form, _("Edit %(name)s") % {"name": worker.name}, worker)


@login_required
def worker_transfer(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get_for_user(request.user, code)
    access.require(request.user, "workforce.change_worker", worker.organization)
    form = TransferForm(
        request.POST or None,
        # the worker's own union stays a choice: a joint union's workers move between its enterprises
        employers=selectors.employer_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_transfer(actor=request.user, worker=worker, **form.cleaned_data)
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Transferred."))
            if selectors.worker_list(request.user).filter(pk=worker.pk).exists():
                return redirect("workforce:worker_detail", code=worker.code)
            return redirect("workforce:worker_list")
    return _form_page(request, form, _("Transfer %(name)s") % {"name": worker.name}, worker)


@login_required
def worker_level_change(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get_for_user(request.user, code)
    access.require(request.user, "workforce.change_skill_level", worker.organization)
    form = LevelChangeForm(request.POST or None, initial={"level": worker.skill_level_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_skill_level_change(
                actor=request.user, worker=worker, **form.cleaned_data
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Skill level changed."))
            return redirect("workforce:worker_detail", code=worker.code)
    return _form_page(
        request, form, _("Change the skill level of %(name)s") % {"name": worker.name}, worker
    )


@login_required
@require_POST
def level_change_revert(request: HttpRequest, code: str) -> HttpResponse:
    change = access.get_visible_or_404(
        SkillLevelChange.objects.select_related("worker__organization"), request.user, code=code
    )
    try:
        services.worker_skill_level_change_revert(actor=request.user, change=change)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The skill-level change was reverted."))
    return redirect("workforce:worker_detail", code=change.worker.code)


def _history_add(
    request: HttpRequest, code: str, perm: str, form_class: Any, service: Any, title: str
) -> HttpResponse:
    worker = selectors.worker_get_for_user(request.user, code)
    access.require(request.user, perm, worker.organization)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                actor=request.user,
                worker=worker,
                source=_("entered on the page"),
                **form.cleaned_data,
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:worker_detail", code=worker.code)
    return _form_page(
        request, form, title % {"name": worker.name}, worker, honour_titles=services.HONOUR_TITLES
    )


@login_required
def certificate_add(request: HttpRequest, code: str) -> HttpResponse:
    return _history_add(
        request,
        code,
        "workforce.add_certificate",
        CertificateForm,
        services.certificate_add,
        _("Add a certificate of %(name)s"),
    )


@login_required
def honour_add(request: HttpRequest, code: str) -> HttpResponse:
    return _history_add(
        request,
        code,
        "workforce.add_honour",
        HonourForm,
        services.honour_add,
        _("Add an honour of %(name)s"),
    )


@login_required
def training_add(request: HttpRequest, code: str) -> HttpResponse:
    return _history_add(
        request,
        code,
        "workforce.add_training_record",
        TrainingForm,
        services.training_record_add,
        _("Add a training record of %(name)s"),
    )
