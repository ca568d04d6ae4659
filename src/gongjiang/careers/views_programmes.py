"""Worker programme pages: the programmes (and a worker's own applications), one programme (its
rules, institutions, places, the worker's eligibility and the apply form, the managers' list),
one application with its progress and steps, the report. Thin: the same services as the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_response
from gongjiang.core.selectors import organization_in_scope
from gongjiang.core.views import page as paged
from gongjiang.workforce.models import Worker

from . import programmes as svc
from . import programmes_io as io
from . import programmes_selectors as sel
from .form_values import whole_number
from .models_programmes import Programme, ProgrammeApplication, ProgrammePartner
from .programmes_rules import DEFAULTS
from .programmes_subsidy import paid_total, schedule
from .views_honours import _error_text

TYPE_NAMES = dict(Worker.EmploymentType.choices)


def _own_worker(user: Any) -> Worker | None:
    return Worker.objects.select_related("organization").filter(user=user).first()


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    worker = _own_worker(user)
    rows = paged(request, sel.programmes(user).order_by("-year", "-id"), 50, param="page")
    may_create = access.can(user, svc.MANAGE)
    return render(
        request,
        "careers/programmes/list.html",
        {
            "programmes": rows,
            "mine": paged(
                request, sel.mine(user).order_by("-submitted_at", "-id"), 50, param="mine"
            )
            if worker
            else [],
            "to_select": sel.to_select(user).count() if may_create else 0,
            "may_create": may_create,
            "kinds": Programme.Kind.choices,
            "this_year": timezone.localdate().year,
        },
    )


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        raise ValidationError({field: [_("Give a date as YYYY-MM-DD.")]}) from None


def _int(value: Any, field: str) -> int:
    return whole_number(value, field, digits=7)


def _subsidy_fields(post: Any) -> dict[str, Any]:
    """The subsidy's way of payment: once at completion (the kind's default amount), or per
    academic year (the amount of a year and how many years)."""
    if post.get("subsidy_basis") != Programme.SubsidyBasis.PER_YEAR:
        return {}
    return {
        "subsidy_basis": Programme.SubsidyBasis.PER_YEAR,
        "subsidy_per_year": post.get("subsidy_per_year", "").strip(),
        "subsidy_years": whole_number(post.get("subsidy_years"), "subsidy_years", digits=1),
    }


@login_required
@require_POST
def programme_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        owner = organization_in_scope(
            actor=request.user, perm=svc.MANAGE, code=post.get("organization", "")
        )
        p = svc.programme_create(
            actor=request.user,
            organization=owner,
            title=post.get("title", ""),
            kind=post.get("kind", ""),
            year=_int(post.get("year"), "year"),
            degree=post.get("degree", ""),
            budget=post.get("budget", "").strip(),
            description=post.get("description", ""),
            **_subsidy_fields(post),
        )
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("careers:programmes")
    messages.success(request, _("Programme created with the kind's default rules; set its places."))
    return redirect("careers:programme", code=p.code)


def _sources(p: Programme) -> dict[str, str]:
    return DEFAULTS[p.kind].sources


@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    p = sel.programme_get(user, code)
    worker = _own_worker(user)
    manages = sel.manages(user, p)
    context: dict[str, Any] = {
        "p": p,
        "manages": manages,
        "sources": _sources(p),
        "types": [TYPE_NAMES.get(t, t) for t in p.employment_type_list()],
        "partners": list(p.partners.all()),
        "places": sel.places(p),
        "may_file": access.can(user, svc.APPLY),
        "partner_kinds": ProgrammePartner.Kind.choices,
    }
    if worker is not None and worker.organization.path.startswith(p.organization.path):
        conditions = svc.eligibility(p, worker)
        context["worker"] = worker
        context["conditions"] = conditions
        context["eligible"] = all(c["met"] for c in conditions)
        context["my_application"] = (
            sel.mine(user)
            .filter(programme=p)
            .exclude(status__in=["withdrawn", "not_selected"])
            .first()
        )
    if manages or context["may_file"]:
        status = request.GET.get("status", "")[:14]
        qs = sel.applications(
            user, p, status if status in ProgrammeApplication.Status.values else ""
        )
        context["applications"] = paged(
            request, qs.order_by("unit__path", "-submitted_at", "id"), 100, param="page"
        )
        context["statuses"] = ProgrammeApplication.Status.choices
        context["status"] = status
    if manages:
        from .views_programme_batch import subsidy_runs

        context["subsidy_runs"] = subsidy_runs(user, p)
    return render(request, "careers/programmes/detail.html", context)


@login_required
@require_POST
def apply(request: HttpRequest, code: str) -> HttpResponse:
    p = sel.programme_get(request.user, code)
    post = request.POST
    try:
        worker_code = post.get("worker", "").strip()[:20]
        if worker_code:
            worker = get_visible_or_404(
                Worker.objects.select_related("organization"),
                request.user,
                svc.APPLY,
                code=worker_code,
            )
        else:
            worker = _own_worker(request.user)
            if worker is None:
                raise Http404("worker")
        partner = ProgrammePartner.objects.filter(
            programme=p, code=post.get("partner", "")[:20]
        ).first()
        a = svc.programme_apply(
            actor=request.user,
            programme=p,
            worker=worker,
            partner=partner,
            course=post.get("course", ""),
            note=post.get("note", ""),
        )
    except Http404:
        messages.error(request, _("No such worker in your scope."))
        return redirect("careers:programme", code=p.code)
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("careers:programme", code=p.code)
    messages.success(request, _("Application filed."))
    return redirect("careers:programme_application", code=a.code)


@login_required
@require_POST
def manage(request: HttpRequest, code: str) -> HttpResponse:
    p = sel.programme_get(request.user, code)
    if not sel.manages(request.user, p):
        raise PermissionDenied
    post = request.POST
    what = post.get("what", "")
    try:
        if what == "partner":
            svc.programme_partner_add(
                actor=request.user,
                programme=p,
                name=post.get("name", ""),
                kind=post.get("kind", ""),
                courses=post.get("courses", ""),
            )
        elif what == "places":
            unit = organization_in_scope(
                actor=request.user, perm=svc.MANAGE, code=post.get("unit", "")
            )
            svc.programme_places_set(
                actor=request.user,
                programme=p,
                organization=unit,
                places=_int(post.get("places"), "places"),
            )
        elif what == "budget":
            svc.programme_budget_add(
                actor=request.user,
                programme=p,
                amount=post.get("amount", "").strip(),
                memo=post.get("memo", ""),
            )
        elif what == "state":
            svc.programme_state_set(actor=request.user, programme=p, state=post.get("state", ""))
        elif what == "import":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Choose a file.")]})
            counts = io.selection_import(
                actor=request.user, programme=p, source=upload, name=upload.name or ""
            )
            messages.success(
                request,
                _("%(s)s selected, %(n)s not selected.")
                % {"s": counts["selected"], "n": counts["not_selected"]},
            )
            return redirect("careers:programme", code=p.code)
        else:
            raise Http404("step")
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("careers:programme", code=p.code)
    messages.success(request, _("Saved."))
    return redirect("careers:programme", code=p.code)


@login_required
def applications_export(request: HttpRequest, code: str) -> HttpResponse:
    p = sel.programme_get(request.user, code)
    if not (sel.manages(request.user, p) or access.can(request.user, svc.APPLY)):
        raise PermissionDenied
    return xlsx_response(io.applications_xlsx(request.user, p), f"{p.title[:60]}-申请名单.xlsx")


@login_required
def report(request: HttpRequest, code: str) -> HttpResponse:
    p = sel.programme_get(request.user, code)
    if not access.can(request.user, svc.VIEW):
        raise PermissionDenied
    if request.GET.get("format") == "xlsx":
        return xlsx_response(io.report_xlsx(request.user, p, None), f"{p.title[:60]}-统计.xlsx")
    rows = sel.report(request.user, p)
    return render(
        request,
        "careers/programmes/report.html",
        {
            "p": p,
            "rows": [(r, TYPE_NAMES.get(r.employment_type, r.employment_type)) for r in rows],
            "totals": [(TYPE_NAMES.get(t, t), a, pa, g) for t, a, pa, g in sel.report_totals(rows)],
        },
    )


@login_required
def application_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    a = sel.application_get(user, code)
    manages = sel.manages(user, a.programme)
    return render(
        request,
        "careers/programmes/application.html",
        {
            "a": a,
            "progress": list(sel.progress(a)),
            "manages": manages,
            "may_progress": access.can(user, svc.MANAGE, a.worker.organization) or manages,
            "may_withdraw": a.status == "submitted",
            "type_name": TYPE_NAMES.get(a.employment_type, a.employment_type),
            "today": timezone.localdate().isoformat(),
            "outcomes": [c for c in ProgrammeApplication.Outcome.choices if c[0]],
            "years": schedule(a),
            "paid": paid_total(a),
        },
    )


@login_required
@require_POST
def application_step(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    a = sel.application_get(user, code)
    post = request.POST
    step = post.get("step", "")
    note = post.get("note", "")
    try:
        if step in ("select", "reject"):
            svc.programme_select(actor=user, application=a, selected=step == "select", note=note)
        elif step == "enrol":
            svc.programme_enrol(
                actor=user,
                application=a,
                enrolled_on=_date(post.get("date", ""), "enrolled_on"),
                student_number=post.get("student_number", ""),
            )
        elif step == "progress":
            svc.programme_progress_add(
                actor=user,
                application=a,
                date=_date(post.get("date", ""), "date"),
                title=post.get("title", ""),
                hours=post.get("hours", "0").strip() or "0",
                result=post.get("result", ""),
            )
        elif step == "complete":
            svc.programme_complete(
                actor=user,
                application=a,
                outcome=post.get("outcome", ""),
                completed_on=_date(post.get("date", ""), "completed_on"),
                certificate_number=post.get("certificate_number", ""),
            )
        elif step == "drop":
            svc.programme_drop(actor=user, application=a, note=note)
        elif step == "subsidy":
            year = post.get("academic_year", "").strip()
            svc.programme_subsidy_pay(
                actor=user,
                application=a,
                reference=post.get("reference", ""),
                academic_year=whole_number(year, "academic_year", digits=1) if year else None,
            )
        elif step == "withdraw":
            svc.programme_application_withdraw(actor=user, application=a)
        else:
            raise Http404("step")
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("careers:programme_application", code=a.code)
    messages.success(request, _("Saved."))
    return redirect("careers:programme_application", code=a.code)
