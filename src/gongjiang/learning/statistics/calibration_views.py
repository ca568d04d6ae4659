"""The calibration page: run a 2PL calibration of a bank (a background job watched with htmx),
the table of calibrated questions with their flags, and the assembly of parallel papers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from gongjiang.core.errors import ApplicationError
from gongjiang.core.views import form_errors_from

from .. import selectors
from ..bank.views import _parse_blueprint
from ..forms import OrgChoiceForm
from . import calibration


class CalibrationForm(OrgChoiceForm):
    min_responses = forms.IntegerField(
        label=_("minimum answers per question"),
        min_value=2,
        max_value=1_000_000,
        initial=calibration.DEFAULT_MIN_RESPONSES,
    )


class ParallelForm(OrgChoiceForm):
    title = forms.CharField(label=_("title"), max_length=190)
    papers = forms.IntegerField(label=_("number of papers"), min_value=2, max_value=10, initial=2)
    blueprint = forms.CharField(
        label=_("blueprint"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One cell per line: type, knowledge point, difficulty, count[, score] — e.g. "
            "“single choice, 识图, 3, 10, 1”; leave the knowledge point or difficulty empty "
            "for any. Types: single choice, multiple choice, true/false, fill in the blank, "
            "short answer, practical task."
        ),
    )
    seed = forms.IntegerField(label=_("random seed (optional)"), required=False)
    target = forms.CharField(
        label=_("match an existing paper (optional)"),
        max_length=20,
        required=False,
        help_text=_("Code of a fixed paper whose questions are calibrated."),
    )


@login_required
def calibration_home(request: HttpRequest) -> HttpResponse:
    orgs = calibration.calibration_organizations(request.user)
    if not orgs.exists():
        raise PermissionDenied
    chosen = orgs.filter(code=request.GET.get("org", "")[:20]).first() or orgs.first()
    action = request.POST.get("action") if request.method == "POST" else None
    calibrate_form = CalibrationForm(
        request.POST if action == "calibrate" else None,
        organizations=orgs,
        initial={"organization": chosen.code},
        prefix="cal",
    )
    parallel_form = ParallelForm(
        request.POST if action == "assemble" else None,
        organizations=orgs,
        initial={"organization": chosen.code},
        prefix="par",
    )
    result: dict[str, Any] | None = None
    if action == "calibrate" and calibrate_form.is_valid():
        d = calibrate_form.cleaned_data
        job = calibration.calibration_start(
            actor=request.user, organization=d["organization"], min_responses=d["min_responses"]
        )
        return redirect("learning:calibration_job", code=job.code)
    if action == "assemble" and parallel_form.is_valid():
        d = parallel_form.cleaned_data
        chosen = d["organization"]
        try:
            target = (
                selectors.paper_get(actor=request.user, code=d["target"]) if d["target"] else None
            )
            result = calibration.paper_assemble_parallel(
                actor=request.user,
                organization=d["organization"],
                blueprint=_parse_blueprint(d["blueprint"]),
                title=d["title"],
                forms=d["papers"],
                rng_seed=d["seed"],
                target_paper=target,
            )
        except Http404:
            parallel_form.add_error("target", _("Unknown paper or not in your scope."))
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, parallel_form)
    rows = calibration.calibration_list(actor=request.user, organization=chosen)[:2000]
    return render(
        request,
        "learning/calibration.html",
        {
            "orgs": orgs,
            "chosen": chosen,
            "rows": rows,
            "flag_labels": calibration.FLAGS,
            "calibrate_form": calibrate_form,
            "parallel_form": parallel_form,
            "result": result,
        },
    )


@login_required
def calibration_job(request: HttpRequest, code: str) -> HttpResponse:
    job = calibration.calibration_job_get(actor=request.user, code=code)
    template = "learning/_calibration_status.html" if request.htmx else "learning/calibration.html"
    return render(request, template, {"job": job})
