"""Pages of innovation results: list, review queue, entry with the team, detail with the flow,
analytics and the list export. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import file_response, xlsx_bytes, xlsx_response
from gongjiang.core.jobs import own_job_get
from gongjiang.core.views import form_errors_from, page

from . import exports, result_files, selectors, services
from .forms import EffectForm, ImplementForm, ResultForm, ReviewForm
from .models import Result


def _require(user: Any, perm: str) -> None:
    if not access.can(user, perm):
        raise PermissionDenied(perm)


def _own_worker(user: Any) -> Any:
    return getattr(user, "worker", None) if getattr(user, "is_authenticated", False) else None


def _may_list(user: Any) -> bool:
    return access.can(user, "innovation.view_result") or access.can(
        user, "innovation.submit_result"
    )


@login_required
def result_list(request: HttpRequest) -> HttpResponse:
    if not _may_list(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    qs = selectors.result_list(actor=request.user, q=q, status=status, kind=kind)
    return render(
        request,
        "innovation/result_list.html",
        {
            "page_obj": page(request, qs),
            "q": q,
            "status": status,
            "kind": kind,
            "statuses": Result.Status.choices,
            "kinds": Result.Kind.choices,
            "may_submit": access.can(request.user, "innovation.submit_result"),
        },
    )


@login_required
def result_export(request: HttpRequest) -> HttpResponse:
    if not _may_list(request.user):
        raise PermissionDenied
    qs = selectors.result_list(
        actor=request.user,
        q=request.GET.get("q", "").strip()[:100],
        status=request.GET.get("status", ""),
        kind=request.GET.get("kind", ""),
    ).prefetch_related("members__worker")
    header = [
        _("code"),
        _("title of the result"),
        _("kind of result"),
        _("status"),
        _("employer"),
        _("team and contributions"),
        _("reviewed on"),
        _("yearly savings (yuan)"),
    ]
    rows = (
        [
            r.code,
            r.title,
            r.get_kind_display(),
            r.get_status_display(),
            r.employer.name,
            "；".join(f"{m.worker.name} {m.contribution}%" for m in r.members.all()),
            r.reviewed_on,
            r.savings,
        ]
        for r in qs.iterator(chunk_size=500)
    )
    return xlsx_response(xlsx_bytes([(_("Innovation results"), header, rows)]), "创新成果.xlsx")


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, "innovation.review_result")
    qs = selectors.results_to_review(actor=request.user).select_related("employer")
    return render(
        request,
        "innovation/review_list.html",
        {"page_obj": page(request, qs), "title": _("Results to review")},
    )


@login_required
def result_create(request: HttpRequest) -> HttpResponse:
    _require(request.user, "innovation.submit_result")
    employers = selectors.submit_employers(actor=request.user)
    own = _own_worker(request.user)
    code = request.POST.get("employer") or request.GET.get("employer")
    if code:
        employer = employers.filter(code=code).first()
        if employer is None:
            raise Http404("employer")
    elif own is not None and employers.filter(pk=own.employer_id).exists():
        employer = own.employer
    else:
        employer = None
    if employer is None:
        return render(
            request,
            "innovation/employer_pick.html",
            {"employers": employers.order_by("name")[:500]},
        )
    candidates = list(selectors.team_candidates(employer=employer)[:1000])
    form = ResultForm(request.POST or None, candidates=candidates)
    if request.method == "GET" and own is not None and own.employer_id == employer.pk:
        form.initial.update({"member_1": own.code, "contribution_1": 100})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.result_create(
                actor=request.user,
                employer=employer,
                kind=data["kind"],
                title=data["title"],
                method_name=data["method_name"],
                problem=data["problem"],
                solution=data["solution"],
                occupation=data["occupation"],
                started_on=data["started_on"],
                completed_on=data["completed_on"],
                publish_consent=data["publish_consent"],
                members=data["members"],
                patents=[(data["patent_number"], data["patent_status"] or "filed")]
                if data["patent_number"]
                else [],
                submit="submit" in request.POST,
            )
        except (ApplicationError, ValidationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The result is saved."))
            return redirect("innovation:result_detail", result.code)
    return render(request, "innovation/result_form.html", {"form": form, "employer": employer})


def _actions(user: Any, result: Result) -> dict[str, bool]:
    org = result.organization
    judge_ok = not services.involved(user, result)
    return {
        "submit": result.status == "draft"
        and access.can(user, "innovation.submit_result", org)
        and services._may_change(user, result),
        "review": result.status == "submitted"
        and access.can(user, "innovation.review_result", org)
        and judge_ok,
        "implement": result.status == "adopted"
        and access.can(user, "innovation.review_result", org),
        "certify": result.status == "implemented"
        and access.can(user, "innovation.certify_effect", org)
        and judge_ok,
    }


@login_required
def result_detail(request: HttpRequest, code: str) -> HttpResponse:
    result = selectors.result_get(actor=request.user, code=code)
    actions = _actions(request.user, result)
    forms: dict[str, Any] = {
        "review_form": ReviewForm(),
        "implement_form": ImplementForm(initial={"on": timezone.localdate()}),
        "effect_form": EffectForm(),
    }
    if request.method == "POST":
        act = request.POST.get("act", "")
        if not actions.get(act):
            raise PermissionDenied(act)
        try:
            if act == "submit":
                services.result_submit(actor=request.user, result=result)
            elif act == "review":
                form = forms["review_form"] = ReviewForm(request.POST)
                if form.is_valid():
                    services.result_review(
                        actor=request.user,
                        result=result,
                        adopted=form.cleaned_data["decision"] == "adopt",
                        reason=form.cleaned_data["reason"],
                    )
            elif act == "implement":
                form = forms["implement_form"] = ImplementForm(request.POST)
                if form.is_valid():
                    services.result_implement(
                        actor=request.user, result=result, on=form.cleaned_data["on"]
                    )
            elif act == "certify":
                form = forms["effect_form"] = EffectForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    services.result_certify_effect(
                        actor=request.user,
                        result=result,
                        savings=d["savings"],
                        output=d["output"],
                        quality=d["quality"],
                        safety=d["safety"],
                    )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
        else:
            if act == "submit" or forms_valid(forms, act):
                messages.success(request, _("Done."))
                return redirect("innovation:result_detail", result.code)
    return render(
        request,
        "innovation/result_detail.html",
        {
            "result": result,
            "members": result.members.select_related("worker"),
            "patents": result.patents.all(),
            "actions": actions,
            **forms,
            **_files_context(request.user, result),
        },
    )


def forms_valid(forms: dict[str, Any], act: str) -> bool:
    key = {"review": "review_form", "implement": "implement_form", "certify": "effect_form"}[act]
    return forms[key].is_bound and not forms[key].errors


@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    _require(request.user, selectors.ANALYTICS)
    by = request.GET.get("by", "employer")
    if by not in selectors.GROUPS:
        by = "employer"
    rows = selectors.analytics(actor=request.user, by=by)
    return render(
        request,
        "innovation/analytics.html",
        {
            "rows": rows,
            "by": by,
            "groups": [
                ("employer", _("employer")),
                ("industry", _("industry")),
                ("region", _("region")),
            ],
        },
    )


# ------------------------------------------------------------------------------ showcase


def showcase(request: HttpRequest) -> HttpResponse:
    """The public showcase: no login; adopted results their teams agreed to publish."""
    q = request.GET.get("q", "").strip()[:100]
    occupation = request.GET.get("occupation", "").strip()[:20]
    industry = request.GET.get("industry", "").strip()[:4]
    qs = selectors.showcase(q=q, occupation=occupation, industry=industry)
    return render(
        request,
        "innovation/showcase_list.html",
        {"page_obj": page(request, qs, 20), "q": q, "occupation": occupation, "industry": industry},
    )


def showcase_detail(request: HttpRequest, code: str) -> HttpResponse:
    result = selectors.showcase_get(code=code)
    names = [m.worker.name for m in result.members.select_related("worker")]
    return render(
        request,
        "innovation/showcase_detail.html",
        {
            "result": result,
            "names": names,
            "patents": result.patents.all(),
            "files": result_files.showcase_files(result),
            "exchange_method": result.kind == Result.Kind.METHOD and request.user.is_authenticated,
        },
    )


def _files_context(user: Any, result: Result) -> dict[str, Any]:
    from .views_files import ResultFileForm

    return {
        "files": result.files.all(),
        "may_files": result_files.may_change_files(user, result),
        "file_form": ResultFileForm(),
    }


@login_required
def list_export(request: HttpRequest, key: str) -> HttpResponse:
    """An innovation list as Excel (exports.KINDS); a large one is written by a background job."""
    kind = exports.export_kind(key)
    params = kind.filters(request.GET)
    job = exports.export_start(actor=request.user, kind=kind, params=params)
    if job is not None:
        messages.info(request, _("The list is long: the file is being written in the background."))
        return redirect("core:job_detail", code=job.code)
    handle, _rows = exports.export_write(actor=request.user, kind=kind, params=params)
    return xlsx_response(handle, kind.filename())


@login_required
def export_download(request: HttpRequest, code: str) -> HttpResponse:
    job = own_job_get(actor=request.user, code=code, kind=exports.JOB_KIND)
    if not job.output_file:
        raise Http404("export")
    kind = exports.export_kind(job.params.get("export", ""))
    return file_response(job.output_file.open("rb"), kind.filename())
