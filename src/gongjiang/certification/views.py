"""Staff pages of skill-level evaluation. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.downloads import attach, download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from, page

from . import issuing, selectors, services
from .forms import PlanForm, RevokeForm
from .jobs import certificates_issue_start
from .models import Certificate, EvaluationPlan, PracticalScore
from .pdf import certificate_pdf
from .public import public_url

MANAGE = services.MANAGE
DOWNLOAD = "certification.download_certificate"


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


# ------------------------------------------------------------------------------------ plans
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")[:10]
    qs = selectors.plan_list(actor=request.user, q=q, status=status)
    return render(
        request,
        "certification/plan_list.html",
        {
            "page_obj": page(request, qs),
            "q": q,
            "status": status,
            "statuses": EvaluationPlan.Status.choices,
            "can_create": access.can(request.user, MANAGE),
        },
    )


def _manageable_orgs(user: Any) -> Any:
    return Organization.objects.visible_to(user, MANAGE).filter(is_active=True).order_by("path")


def _checklist_text(plan: EvaluationPlan) -> str:
    return "\n".join(
        f"{i.title} | {i.points.normalize():f}" for i in selectors.plan_items(plan=plan)
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, MANAGE):
        raise PermissionDenied
    orgs = _manageable_orgs(request.user)
    form = PlanForm(request.POST or None, organizations=orgs, initial={"body_kind": "Y"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        items = data.pop("checklist")
        data["exam_session_code"] = data.get("exam_session_code") or ""
        try:
            plan = services.evaluation_plan_create(actor=request.user, items=items, **data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("Evaluation plan “%(name)s” created.") % {"name": plan.name}
            )
            return redirect("certification:plan_detail", code=plan.code)
    return render(request, "certification/plan_form.html", {"form": form})


@login_required
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    access.require(request.user, MANAGE, plan.organization)
    initial = {f: getattr(plan, f) for f in services.PLAN_FIELDS}
    initial["occupation"] = plan.occupation_id
    initial["checklist"] = _checklist_text(plan)
    form = PlanForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        items = data.pop("checklist")
        data["exam_session_code"] = data.get("exam_session_code") or ""
        try:
            services.evaluation_plan_update(actor=request.user, plan=plan, **data)
            if items and form.data.get("checklist", "").strip() != initial["checklist"].strip():
                services.practical_items_set(actor=request.user, plan=plan, items=items)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("certification:plan_detail", code=plan.code)
    return render(request, "certification/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    q = request.GET.get("q", "")[:50]
    candidates = selectors.candidate_list(actor=request.user, plan=plan, q=q)
    summary = plan.candidates.aggregate(
        total=Count("id"), passed=Count("id", filter=_q(passed=True)), issued=Count("certificate")
    )
    return render(
        request,
        "certification/plan_detail.html",
        {
            "plan": plan,
            "items": selectors.plan_items(plan=plan),
            "page_obj": page(request, candidates, 100),
            "q": q,
            "summary": summary,
            "can_manage": access.can(request.user, MANAGE, plan.organization),
            "can_score": services.examiner_can_score(request.user, plan),
            "can_view_certificates": access.can(
                request.user, "certification.view_certificate", plan.organization
            ),
        },
    )


def _q(**kwargs: Any) -> Any:
    from django.db.models import Q

    return Q(**kwargs)


@login_required
def plan_enrol(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    access.require(request.user, MANAGE, plan.organization)
    q = request.GET.get("q", "")[:50]
    eligible = services.eligible_workers(actor=request.user, plan=plan).select_related(
        "organization", "employer", "skill_level"
    )
    if q:
        eligible = eligible.filter(
            _q(name__icontains=q)
            | _q(name_pinyin__startswith=q.lower())
            | _q(name_initials__startswith=q.lower())
        )
    if request.method == "POST":
        codes = request.POST.getlist("worker")[:1000]
        workers = list(
            services.eligible_workers(actor=request.user, plan=plan).filter(code__in=codes)
        )
        try:
            created = services.candidates_enrol(actor=request.user, plan=plan, workers=workers)
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("%(n)d candidates enrolled.") % {"n": len(created)})
            return redirect("certification:plan_detail", code=plan.code)
    return render(
        request,
        "certification/plan_enrol.html",
        {
            "plan": plan,
            "page_obj": page(request, eligible.order_by("name_pinyin", "id"), 100),
            "q": q,
        },
    )


@login_required
def plan_scores(request: HttpRequest, code: str) -> HttpResponse:
    """Theory and review scores for all candidates on one screen (managers)."""
    plan = selectors.plan_get(actor=request.user, code=code)
    access.require(request.user, MANAGE, plan.organization)
    candidates = list(selectors.candidate_list(actor=request.user, plan=plan))
    if request.method == "POST":
        saved, failed = 0, []
        for cand in candidates:
            changes: dict[str, Any] = {}
            for part, field in (("theory", "theory_score"), ("review", "review_score")):
                key = f"{part}-{cand.code}"
                if key in request.POST and getattr(plan, f"has_{part}"):
                    raw = request.POST[key].strip()
                    current = getattr(cand, field)
                    if raw != ("" if current is None else f"{current}"):
                        changes[part] = raw or None
            if changes:
                try:
                    services.candidate_scores_set(actor=request.user, candidate=cand, **changes)
                    saved += 1
                except (ValidationError, ApplicationError) as exc:
                    failed.append(f"{cand.worker.name}: {_error_text(exc)}")
        if failed:
            for line in failed:
                messages.error(request, line)
        else:
            messages.success(request, _("Scores saved for %(n)d candidates.") % {"n": saved})
            return redirect("certification:plan_detail", code=plan.code)
        candidates = list(selectors.candidate_list(actor=request.user, plan=plan))
    return render(
        request, "certification/plan_scores.html", {"plan": plan, "candidates": candidates}
    )


def _plan_action(request: HttpRequest, code: str, act: Any, done: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    try:
        result = act(plan)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done % (result or {}))
    return redirect("certification:plan_detail", code=plan.code)


@login_required
@require_POST
def plan_decide(request: HttpRequest, code: str) -> HttpResponse:
    return _plan_action(
        request,
        code,
        lambda p: services.evaluation_results_decide(actor=request.user, plan=p),
        _(
            "Results decided: %(passed)d passed, %(failed)d failed (%(absent)d with a missing score)."
        ),
    )


@login_required
@require_POST
def plan_reopen(request: HttpRequest, code: str) -> HttpResponse:
    return _plan_action(
        request,
        code,
        lambda p: services.evaluation_plan_reopen(actor=request.user, plan=p) and None,
        _("The plan is open for scoring again."),
    )


@login_required
@require_POST
def plan_theory_from_exam(request: HttpRequest, code: str) -> HttpResponse:
    return _plan_action(
        request,
        code,
        lambda p: services.candidate_theory_from_exam(actor=request.user, plan=p),
        _(
            "Theory scores taken from the exam: %(filled)d filled, %(missing)d without a released result."
        ),
    )


@login_required
@require_POST
def plan_issue(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, code=code)
    try:
        job = certificates_issue_start(actor=request.user, plan=plan)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("certification:plan_detail", code=plan.code)
    return redirect("core:job_detail", code=job.code)


@login_required
@require_POST
def candidate_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    cand = selectors.candidate_get(actor=request.user, code=code)
    try:
        services.candidate_withdraw(actor=request.user, candidate=cand)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Candidate withdrawn."))
    return redirect("certification:plan_detail", code=cand.plan.code)


# -------------------------------------------------------------------------------- examiners
@login_required
def plan_examine(request: HttpRequest, code: str) -> HttpResponse:
    """The examiner's list of candidates (phone/tablet friendly)."""
    plan = selectors.plan_get(actor=request.user, code=code)
    if not services.examiner_can_score(request.user, plan):
        raise PermissionDenied
    q = request.GET.get("q", "")[:50]
    candidates = selectors.candidate_list(actor=request.user, plan=plan, q=q)
    mine = set(
        PracticalScore.objects.filter(candidate__plan=plan, examiner=request.user).values_list(
            "candidate_id", flat=True
        )
    )
    return render(
        request,
        "certification/examine_list.html",
        {"plan": plan, "candidates": candidates, "mine": mine, "q": q},
    )


@login_required
def candidate_score(request: HttpRequest, code: str) -> HttpResponse:
    """One candidate's practical checklist, scored by the examiner."""
    cand = selectors.candidate_get(actor=request.user, code=code)
    plan = cand.plan
    if not services.examiner_can_score(request.user, plan):
        raise PermissionDenied
    items = list(selectors.plan_items(plan=plan))
    values: dict[str, Any] = selectors.examiner_sheet(actor=request.user, candidate=cand)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {i.code: request.POST.get(f"item-{i.code}", "").strip() for i in items}
        try:
            services.practical_scores_save(actor=request.user, candidate=cand, points=values)
        except ValidationError as exc:
            errors = exc.message_dict
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Scores of %(name)s saved.") % {"name": cand.worker.name})
            return redirect("certification:plan_examine", code=plan.code)
    rows = [
        {"item": i, "value": values.get(i.code, ""), "errors": errors.get(i.code, [])}
        for i in items
    ]
    return render(
        request,
        "certification/candidate_score.html",
        {
            "candidate": cand,
            "plan": plan,
            "rows": rows,
            "errors": errors,
            "general_errors": errors.get("__all__", []),
            "total": sum((i.points for i in items), 0),
        },
    )


# ----------------------------------------------------------------------------- certificates
@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:40]
    qs = selectors.certificate_list(actor=request.user, q=q)
    return render(
        request, "certification/certificate_list.html", {"page_obj": page(request, qs), "q": q}
    )


@login_required
def certificate_detail(request: HttpRequest, code: str) -> HttpResponse:
    cert = selectors.certificate_get(actor=request.user, code=code)
    can_manage = access.can(request.user, MANAGE, cert.organization)
    form = RevokeForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                issuing.certificate_revoke(
                    actor=request.user, certificate=cert, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, ApplicationError) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request, _("Certificate %(number)s revoked.") % {"number": cert.number}
                )
                return redirect("certification:certificate_detail", code=cert.code)
    return render(
        request,
        "certification/certificate_detail.html",
        {
            "cert": cert,
            "form": form,
            "can_manage": can_manage,
            # the holder, and managers whose roles cover the body (certificate_pdf_response's rule)
            "can_download": Certificate.objects.visible_to(request.user, DOWNLOAD)
            .filter(pk=cert.pk)
            .exists(),
            "verify_url": public_url(request, cert.verify_path()),
        },
    )


@login_required
def certificate_download(request: HttpRequest, code: str) -> HttpResponse:
    return certificate_pdf_response(request, code)


def certificate_pdf_response(request: HttpRequest, code: str) -> HttpResponse:
    """The PDF, for the holder and for managers whose roles cover the evaluation body."""
    cert = selectors.certificate_get(actor=request.user, code=code, perm=DOWNLOAD)
    data = certificate_pdf(cert, public_url(request, cert.verify_path()))
    audit(
        actor=request.user,
        action="certification.certificate_download",
        obj=cert,
        details={"number": cert.number},
    )
    response = HttpResponse(data, content_type="application/pdf")
    return attach(response, download_filename(_("Certificate"), cert.number, ext="pdf"))
