"""Careers pages: a worker's career page (phone first), bridge applications and their review, the
enterprise's career table. Thin: the same services and selectors as the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.views import page
from gongjiang.workforce.models import Worker

from . import selectors, services
from .models import BridgeApplication, ProfessionalTitle
from .policy import KIND_CHOICES, TITLE_LEVELS
from .words import describe, level_name, path_name, target_choices, target_name


def _field_label(name: str) -> str:
    for model in (ProfessionalTitle, BridgeApplication):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):  # each refusal with its field named (名称：…)
            return "；".join(
                f"{_field_label(f)}：{' '.join(m)}" if f != "__all__" else " ".join(m)
                for f, m in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    return str(exc)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """HR's desk: applications (filterable), a worker search, the enterprises' tables."""
    user = request.user
    if not access.can(user, "careers.view"):
        return redirect("careers:me")
    status = request.GET.get("status", "")[:10]
    if status not in BridgeApplication.Status.values:
        status = ""
    decide = request.GET.get("decide") == "1"
    applications = (
        selectors.applications_to_decide(user).select_related("worker").order_by("-submitted_at")
        if decide
        else selectors.applications(user, status)
    )
    q = request.GET.get("q", "").strip()[:50]
    found = None
    if q:
        found = page(
            request,
            Worker.objects.visible_to(user, "careers.view")
            .filter(name__startswith=q)
            .select_related("organization", "skill_level")
            .order_by("name_pinyin", "id"),
            20,
            param="found",
        )
    return render(
        request,
        "careers/home.html",
        {
            "page_obj": page(request, applications),
            "decide": decide,
            "status": status,
            "statuses": BridgeApplication.Status.choices,
            "q": q,
            "found": found,
            "enterprises": page(
                request, selectors.enterprises(user).order_by("name", "pk"), 50, param="enterprises"
            ),
        },
    )


def _career(request: HttpRequest, worker: Worker, own: bool) -> HttpResponse:
    today = timezone.localdate()
    view = selectors.career_overview(worker, today)
    steps = [
        {
            "channel": s.channel,
            "target": s.label,
            "target_name": target_name(s.label),
            "eligible": s.answer.eligible,
            "ready_on": s.ready_on,
            "conditions": [describe(c.as_dict()) for c in s.answer.conditions],
            "lacks_skill": any(
                not c.met and c.rule in ("skill_level", "years_at_skill_level")
                for c in s.answer.conditions
            ),
            "open": any(a.target == s.label and a.status == "submitted" for a in view.applications),
        }
        for s in view.steps
    ]
    may_apply = own or access.can(request.user, "careers.apply", worker.organization)
    may_record = access.can(request.user, "careers.manage", worker.organization)
    from .grades import grade_choices

    grade_eq = view.grade_equivalent
    return render(
        request,
        "careers/career.html",
        {
            "worker": worker,
            "own": own,
            "view": view,
            "skill_name": level_name(view.skill_level),
            "title_name": level_name(view.title_level),
            "steps": steps,
            "may_apply": may_apply,
            "may_record": may_record,
            # the management channel: the grade held, what it stands with, HR's forms
            "may_record_grade": may_record and worker.user_id != request.user.pk,
            "grade_choices": grade_choices(worker.organization, today) if may_record else [],
            "grade_stands_with": (
                f"{level_name(grade_eq.skill_level)} · {level_name(grade_eq.title_level)}"
                if grade_eq
                else ""
            ),
            "today": today,
            "title_levels": TITLE_LEVELS,
            "targets": target_choices(),
            "equivalent_title": level_name(view.equivalent.title_level) if view.equivalent else "",
        },
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The worker's own career page: where they stand, the next step, what they lack."""
    return _career(request, selectors.own_worker(request.user), own=True)


@login_required
def worker_career(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get(request.user, code)
    return _career(request, worker, own=worker.user_id == request.user.pk)


@login_required
@require_POST
def worker_apply(request: HttpRequest, code: str) -> HttpResponse:
    worker = selectors.worker_get(request.user, code)
    try:
        application = services.bridge_application_submit(
            actor=request.user,
            worker=worker,
            target=request.POST.get("target", "")[:30],
            note=request.POST.get("note", ""),  # whole: refused past 500, never cut
        )
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("careers:worker", code=worker.code)
    messages.success(request, _("Application filed; another officer will review it."))
    return redirect("careers:application", code=application.code)


@login_required
@require_POST
def worker_title_add(request: HttpRequest, code: str) -> HttpResponse:
    """HR records a professional title the worker holds."""
    worker = selectors.worker_get(request.user, code)
    post = request.POST
    try:
        services.title_add(
            actor=request.user,
            worker=worker,
            # whole: the title's fields are refused past their bounds, never cut
            field=post.get("field", ""),
            name=post.get("name", ""),
            level=post.get("level", ""),
            date=dt.date.fromisoformat(post.get("date", "")[:10]),
            issuer=post.get("issuer", ""),
            number=post.get("number", ""),
        )
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Title recorded."))
    return redirect("careers:worker", code=worker.code)


@login_required
def application_detail(request: HttpRequest, code: str) -> HttpResponse:
    application = selectors.application_get(request.user, code)
    user = request.user
    may_decide = (
        application.status == BridgeApplication.Status.SUBMITTED
        and access.can(user, "careers.decide", application.organization)
        and application.submitted_by_id != user.pk
        and application.worker.user_id != user.pk
    )
    waiting_for_other = (
        application.status == BridgeApplication.Status.SUBMITTED
        and not may_decide
        and access.can(user, "careers.decide", application.organization)
    )
    return render(
        request,
        "careers/application.html",
        {
            "a": application,
            "target_label": target_name(application.target),
            "conditions": [describe(c) for c in application.conditions],
            "may_decide": may_decide,
            "waiting_for_other": waiting_for_other,
            "may_see_worker": access.can(user, "careers.view", application.organization)
            or application.worker.user_id == user.pk,
        },
    )


@login_required
@require_POST
def application_decide(request: HttpRequest, code: str) -> HttpResponse:
    application = selectors.application_get(request.user, code)
    approve = request.POST.get("decision") == "approve"
    try:
        services.bridge_application_decide(
            actor=request.user,
            application=application,
            approve=approve,
            note=request.POST.get("note", ""),  # whole: refused past 500, never cut
        )
    except ApplicationError as exc:
        if getattr(exc, "status", 400) == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("careers:application", code=application.code)


@login_required
def table(request: HttpRequest, code: str) -> HttpResponse:
    """The career table in force for one enterprise: equivalences and rules with their sources."""
    from .registry import table_in_force

    enterprise = selectors.enterprise_get(request.user, code)
    today = timezone.localdate()
    current = table_in_force(enterprise, today)
    kinds = dict(KIND_CHOICES)
    rules: list[dict[str, Any]] = [
        {
            "target": target_name(r.target),
            "path": path_name(r.path),
            "condition": describe(
                {
                    "rule": r.kind,
                    "required": f"{r.years}@{r.level}" if r.years is not None else r.level,
                    "actual": "",
                    "met": False,
                }
                if r.kind != "occupation"
                else {"rule": r.kind, "required": r.prefixes, "actual": "", "met": False}
            )["need"],
            "kind": kinds.get(r.kind, r.kind),
            "source": r.source,
        }
        for r in current.rules
    ]
    return render(
        request,
        "careers/table.html",
        {
            "enterprise": enterprise,
            "current": current,
            "equivalences": [
                {
                    "skill": level_name(e.skill_level),
                    "title": level_name(e.title_level),
                    "grade": e.management_grade,
                    "source": e.source,
                }
                for e in current.equivalences
            ],
            "rules": rules,
            "versions": page(request, selectors.table_versions(enterprise), 50, param="versions"),
            "may_manage": access.can(request.user, "careers.manage", enterprise),
            "experts": selectors.expert_levels(enterprise),
            "today": today,
        },
    )
