"""Ledger export, bulletins (PDF, background job) and the yearly evaluation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import file_response, xlsx_response
from gongjiang.core.models import Job
from gongjiang.core.selectors import job_get
from gongjiang.core.views import form_errors_from

from . import selectors
from .bulletin import KIND, bulletin_start
from .evaluation import default_scheme, evaluate, scheme_save
from .forms import BulletinForm, SchemeForm
from .ledger import ledger_xlsx
from .models import ScoringScheme
from .views import on_date


def _year(request: HttpRequest) -> int | None:
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None


def ledger_filename(plan: Any, year: int | None) -> str:
    """``工作台账-<plan title>-<year>.xlsx`` (or ``-全部年度`` for the whole plan)."""
    return download_filename(_("Work ledger"), plan.title, year or _("all years"), ext="xlsx")


@login_required
def ledger_export(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    year = _year(request)
    data = ledger_xlsx(plan=plan, year=year, on=on_date(request))
    return xlsx_response(data, ledger_filename(plan, year))


@login_required
def bulletin(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    today = timezone.localdate()
    form = BulletinForm(
        request.POST or None, initial={"since": today.replace(day=1), "until": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            bulletin_start(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The bulletin is being prepared."))
            return redirect("reform:bulletin", code=plan.code)
    jobs = Job.objects.filter(kind=KIND, created_by=request.user, params__plan=plan.code)[:20]
    template = "reform/_bulletin_jobs.html" if request.htmx else "reform/bulletin.html"
    return render(
        request,
        template,
        {"plan": plan, "form": form, "jobs": jobs, "pending": any(not j.finished for j in jobs)},
    )


@login_required
def bulletin_download(request: HttpRequest, code: str) -> HttpResponse:
    job = job_get(actor=request.user, code=code)
    if job.kind != KIND or not job.output_file:
        raise Http404("bulletin")
    plan = selectors.plan_get(actor=request.user, code=job.params.get("plan", ""))
    period = f"{job.params.get('since', '')}~{job.params.get('until', '')}".strip("~")
    return file_response(
        job.output_file.open("rb"),
        download_filename(_("Work bulletin"), plan.title, period, ext="pdf"),
        content_type="application/pdf",
    )


def scheme_for(request: HttpRequest, plan: Any) -> ScoringScheme:
    code = request.GET.get("scheme", "")
    if code:
        return access.get_visible_or_404(ScoringScheme.objects.all(), request.user, code=code)
    return default_scheme(plan.organization)


@login_required
def evaluation(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    year = _year(request) or timezone.localdate().year
    scheme = scheme_for(request, plan)
    can_configure = access.can(request.user, "reform.rollout", plan.organization)
    form = SchemeForm(
        request.POST or None,
        initial={
            "name": "",
            "w_completion": 40,
            "w_timeliness": 30,
            "w_quality": 15,
            "w_findings": 15,
            "finding_penalty": 20,
        },
    )
    if request.method == "POST":
        access.require(request.user, "reform.rollout", plan.organization)
        if form.is_valid():
            try:
                new = scheme_save(
                    actor=request.user, organization=plan.organization, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                return redirect(f"{request.path}?year={year}&scheme={new.code}")
    return render(
        request,
        "reform/evaluation.html",
        {
            "plan": plan,
            "year": year,
            "scheme": scheme,
            "scores": evaluate(plan=plan, year=year, scheme=scheme),
            "schemes": ScoringScheme.objects.visible_to(request.user),
            "form": form,
            "can_configure": can_configure,
        },
    )
