"""Pages for officers: the survey list, the builder (desktop), sending, closing.
Answering: views_answer.py; results and downloads: views_results.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import content_disposition, xlsx_response
from gongjiang.core.models import Job, Organization
from gongjiang.core.selectors import job_get
from gongjiang.core.views import form_errors_from, page

from . import reissue, selectors, sending, services
from .forms import DistributeForm, LinkReissueBulkForm, LinkReissueForm, QuestionForm, SurveyForm
from .models import Survey
from .questions import TYPES


def _orgs(user: Any) -> Any:
    return (
        Organization.objects.visible_to(user, services.MANAGE)
        .filter(is_active=True)
        .exclude(kind__in=["team", "department"])
        .order_by("path")
        .only("id", "code", "name")
    )


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, selectors.VIEW):
        raise Http404("surveys")  # a page this role does not use, as in the other apps
    surveys = page(request, selectors.survey_list(actor=request.user))
    return render(
        request,
        "surveys/survey_list.html",
        {"surveys": surveys, "can_create": access.can(request.user, services.MANAGE)},
    )


@login_required
def survey_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, services.MANAGE):
        raise PermissionDenied
    orgs = _orgs(request.user)
    previous = selectors.survey_list(actor=request.user).exclude(status=Survey.Status.DRAFT)
    form = SurveyForm(request.POST or None, organizations=orgs, surveys=previous)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            survey = services.survey_create(
                actor=request.user,
                organization=orgs.get(code=d["organization"]),
                title=d["title"],
                description=d["description"],
                threshold=d["threshold"],
                previous=previous.get(code=d["previous"]) if d["previous"] else None,
                weight_by=d["weight_by"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            return redirect("surveys:detail", survey.code)
    return render(request, "surveys/form.html", {"form": form, "title": _("New survey")})


def _detail_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    version = survey.current_version()
    questions = version.questions if version else []
    user = request.user
    manage = access.can(user, services.MANAGE, survey.organization)
    return {
        "survey": survey,
        "version": version,
        "questions": [{**q, "type_label": TYPES[q["type"]]} for q in questions],
        "can_manage": manage,
        "is_draft": survey.status == Survey.Status.DRAFT,
        "editable": manage and survey.status == Survey.Status.DRAFT,
        "published": bool(version and version.published_at),
        "question_form": QuestionForm(earlier=questions),
        "distribute_form": DistributeForm(
            organizations=_orgs(user).filter(path__startswith=survey.organization.path)
        ),
        "progress": selectors.progress(survey),
        "send_job": _visible_send_job(user, survey) if manage else None,
        "send_job_running": manage and sending.send_job(survey, running=True) is not None,
        "can_read_text": access.can(user, selectors.READ_TEXT, survey.organization),
        "reissue_form": LinkReissueForm(),
        "bulk_form": LinkReissueBulkForm(),
        "bulk_errors": [],
        "reissue_job": _visible_reissue_job(user, survey) if manage else None,
    }


def _visible_reissue_job(user: Any, survey: Survey) -> Job | None:
    """The user's own latest bulk re-issue job of this survey (nobody else sees it)."""
    job = reissue.reissue_job(user, survey)
    if job is None:
        return None
    try:
        return job_get(actor=user, code=job.code)
    except Http404:
        return None


def _visible_send_job(user: Any, survey: Survey) -> Job | None:
    """The survey's latest sending job, shown to whoever may see the job (core.job_get's rule)."""
    job = sending.send_job(survey)
    if job is None:
        return None
    try:
        return job_get(actor=user, code=job.code)
    except Http404:
        return None


@login_required
def survey_detail(request: HttpRequest, code: str) -> HttpResponse:
    survey = selectors.survey_get(actor=request.user, code=code)
    return render(request, "surveys/survey_detail.html", _detail_context(request, survey))


@login_required
@require_POST
def question_add(request: HttpRequest, code: str) -> HttpResponse:
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    version = survey.current_version()
    questions = list(version.questions) if version else []
    form = QuestionForm(request.POST, earlier=questions)
    if form.is_valid():
        used = {q["key"] for q in questions}
        n = len(questions) + 1
        while f"q{n}" in used:
            n += 1
        try:
            services.survey_questions_save(
                actor=request.user, survey=survey, questions=[*questions, form.question(f"q{n}")]
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Question added."))
            return redirect("surveys:detail", survey.code)
    context = _detail_context(request, survey)
    context["question_form"] = form
    return render(request, "surveys/survey_detail.html", context, status=400)


@login_required
@require_POST
def question_change(request: HttpRequest, code: str, key: str) -> HttpResponse:
    """Remove a question or move it up or down (draft only)."""
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    version = survey.current_version()
    questions = list(version.questions) if version else []
    index = next((i for i, q in enumerate(questions) if q["key"] == key), None)
    if index is None:
        return redirect("surveys:detail", survey.code)
    act = request.POST.get("act")
    if act == "remove":
        questions.pop(index)
        questions = [
            q
            if q.get("show_if", {}).get("question") != key
            else {k: v for k, v in q.items() if k != "show_if"}
            for q in questions
        ]
    elif act in ("up", "down"):
        other = index - 1 if act == "up" else index + 1
        if 0 <= other < len(questions):
            questions[index], questions[other] = questions[other], questions[index]
    try:
        services.survey_questions_save(actor=request.user, survey=survey, questions=questions)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("surveys:detail", survey.code)


@login_required
@require_POST
def survey_act(request: HttpRequest, code: str, act: str) -> HttpResponse:
    """Publish or close."""
    if act not in ("publish", "close"):
        raise Http404("act")
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    try:
        if act == "publish":
            services.survey_publish(actor=request.user, survey=survey)
            messages.success(request, _("The questionnaire is published: it can no longer change."))
        elif act == "close":
            services.survey_close(actor=request.user, survey=survey)
            messages.success(request, _("The survey is closed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:detail", survey.code)


@login_required
def survey_distribute(request: HttpRequest, code: str) -> HttpResponse:
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    orgs = _orgs(request.user).filter(path__startswith=survey.organization.path)
    form = DistributeForm(request.POST or request.GET or None, organizations=orgs)
    context = _detail_context(request, survey)
    context["distribute_form"] = form
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        audience = orgs.get(code=d["audience"])
        if request.method != "POST" or "preview" in request.POST:
            if d["margin"]:
                context["plan"] = services.sample_plan(
                    actor=request.user,
                    audience=audience,
                    margin=d["margin"],
                    response_rate=d["response_rate"],
                )
            return render(request, "surveys/survey_detail.html", context)
        try:
            if sending.audience_size(audience) > sending.IN_REQUEST_MAX:
                sending.survey_send_start(
                    actor=request.user,
                    survey=survey,
                    audience=audience,
                    mode=d["mode"],
                    strata=d["strata"],
                    margin=d["margin"],
                    response_rate=d["response_rate"],
                )
                messages.info(
                    request, _("The survey is being sent in the background: follow it here.")
                )
                return redirect("surveys:detail", survey.code)
            sent = services.survey_distribute(
                actor=request.user,
                survey=survey,
                audience=audience,
                mode=d["mode"],
                strata=d["strata"],
                margin=d["margin"],
                response_rate=d["response_rate"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
            return render(request, "surveys/survey_detail.html", context, status=400)
        without_login = (
            survey.invitations.filter(worker__user=None)
            .select_related("worker", "worker__employer")
            .order_by("worker__name_pinyin")
        )
        links = [
            (
                inv.worker,
                request.build_absolute_uri(f"/surveys/a/{sent['tokens'][inv.worker.code]}/"),
            )
            for inv in without_login
        ]
        survey.refresh_from_db()
        return render(
            request,
            "surveys/sent.html",
            {"survey": survey, "invited": sent["invited"], "links": links},
        )
    return render(
        request, "surveys/survey_detail.html", context, status=400 if form.is_bound else 200
    )


@login_required
def survey_links(request: HttpRequest, code: str, job: str) -> HttpResponse:
    """The anonymous links of a sending job, once, for the officer who started it."""
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    try:
        data = sending.send_links_take(actor=request.user, survey=survey, job_code=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:detail", survey.code)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"{survey.title}-links.csv")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def survey_link_reissue(request: HttpRequest, code: str) -> HttpResponse:
    """A new anonymous link for a worker who lost theirs, shown once on the answer page."""
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    form = LinkReissueForm(request.POST)
    if form.is_valid():
        try:
            token = services.link_reissue(
                actor=request.user, survey=survey, worker_code=form.cleaned_data["worker"]
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            response = render(
                request,
                "surveys/reissued.html",
                {
                    "survey": survey,
                    "worker": form.cleaned_data["worker"],
                    "link": request.build_absolute_uri(f"/surveys/a/{token}/"),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    context = _detail_context(request, survey)
    context["reissue_form"] = form
    return render(request, "surveys/survey_detail.html", context, status=400)


@login_required
@require_POST
def survey_link_reissue_bulk(request: HttpRequest, code: str) -> HttpResponse:
    """New anonymous links for a list of workers: all or none. A short list is answered at once
    with the links as a workbook; a long one starts the background job shown on the survey page.
    Every bad entry is named (row, column, value) and nothing is re-issued then."""
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    form = LinkReissueBulkForm(request.POST, request.FILES)
    errors: list[dict[str, Any]] = []
    if form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            entries = reissue.entries_from_text(form.cleaned_data.get("codes") or "")
            if upload is not None:
                entries += reissue.entries_from_file(upload.file, upload.name)
            if len(entries) > reissue.IN_REQUEST_MAX:
                reissue.reissue_start(actor=request.user, survey=survey, entries=entries)
                messages.info(
                    request,
                    _("The links are re-issued in the background: follow it on this page."),
                )
                return redirect("surveys:detail", survey.code)
            issued = reissue.link_reissue_bulk(actor=request.user, survey=survey, entries=entries)
        except reissue.ListRefused as exc:
            form.add_error(None, exc.message)
            errors = exc.details
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            base = request.build_absolute_uri("/").rstrip("/")
            response = xlsx_response(
                reissue.links_xlsx(issued, base), f"{survey.title}-new-links.xlsx"
            )
            response["Cache-Control"] = "no-store"
            return response
    context = _detail_context(request, survey)
    context["bulk_form"] = form
    context["bulk_errors"] = errors
    return render(request, "surveys/survey_detail.html", context, status=400)


@login_required
def survey_relinks(request: HttpRequest, code: str, job: str) -> HttpResponse:
    """The new links of a bulk re-issue job, once, for the officer who started it."""
    survey = selectors.survey_get(actor=request.user, code=code, perm=services.MANAGE)
    try:
        data = reissue.reissue_links_take(actor=request.user, survey=survey, job_code=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:detail", survey.code)
    response = xlsx_response(data, f"{survey.title}-new-links.xlsx")
    response["Cache-Control"] = "no-store"
    return response
