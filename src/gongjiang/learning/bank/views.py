"""Manager pages: question bank (list, create, edit, import, export), papers, exam sessions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core import selectors as core_selectors
from gongjiang.core.downloads import attach, download_filename
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import xlsx_bytes, xlsx_response
from gongjiang.core.forms import UploadForm
from gongjiang.core.models import Occupation, Organization
from gongjiang.core.views import form_errors_from, page

from .. import selectors
from ..exams import marking
from ..exams import services as exams
from ..forms import OrgChoiceForm, PaperForm, QuestionForm, ReasonForm, SessionForm
from ..models import Difficulty, QuestionType, ReviewWhen
from . import services
from . import transfer as bank_io
from . import word as bank_docx


def _orgs(user: Any, perm: str) -> Any:
    return Organization.objects.visible_to(user, perm).filter(is_active=True).order_by("path")


def _require_any(user: Any, perm: str) -> None:
    if not access.can(user, perm):
        raise PermissionDenied(perm)


# -------------------------------------------------------------------------------- questions
@login_required
def question_list(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, "learning.view_question")
    q = request.GET.get("q", "")[:100]
    qtype = request.GET.get("qtype", "")[:12]
    kp = request.GET.get("kp", "")[:100]
    qs = selectors.question_list(actor=request.user, q=q, qtype=qtype, knowledge_point=kp)
    if request.GET.get("export") == "xlsx":
        data = xlsx_bytes([(_("Question bank"), bank_io.EXPORT_HEADER, bank_io.export_rows(qs))])
        stamp = timezone.localdate().strftime("%Y%m%d")
        return xlsx_response(data, download_filename(_("Question bank"), stamp, ext="xlsx"))
    return render(
        request,
        "learning/question_list.html",
        {
            "page_obj": page(request, qs),
            "q": q,
            "qtype": qtype,
            "kp": kp,
            "qtypes": QuestionType.choices,
            "can_change": access.can(request.user, "learning.change_question"),
        },
    )


def _question_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    qtype = data["qtype"]
    occupation = None
    if data.get("occupation"):
        occupation = Occupation.objects.filter(code=data["occupation"].strip()).first()
        if occupation is None:
            raise ValidationError({"occupation": [_("Unknown occupation code.")]})
    return {
        "stem": data["stem"],
        "options": [line for line in data.get("options", "").splitlines() if line.strip()],
        "answer": bank_io.parse_answer(qtype, data.get("answer", "")),
        "explanation": data.get("explanation", ""),
        "rubric": data.get("rubric", ""),
        "checklist": bank_io.parse_checklist(data.get("checklist", "")),
        "scoring_rule": data.get("scoring_rule") or "all",
        "score": data["score"],
        "difficulty": data["difficulty"],
        "knowledge_point": data.get("knowledge_point", ""),
        "occupation": occupation,
        "skill_level": data.get("skill_level"),
    }


@login_required
def question_create(request: HttpRequest) -> HttpResponse:
    orgs = _orgs(request.user, "learning.change_question")
    if not orgs.exists():
        raise PermissionDenied
    form = QuestionForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        try:
            q = services.question_create(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                qtype=form.cleaned_data["qtype"],
                **_question_kwargs(form.cleaned_data),
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Question saved."))
            return redirect("learning:question_detail", code=q.code)
    return render(request, "learning/question_form.html", {"form": form})


@login_required
def question_detail(request: HttpRequest, code: str) -> HttpResponse:
    q = selectors.question_get(actor=request.user, code=code)
    return render(
        request,
        "learning/question_detail.html",
        {
            "question": q,
            "version": q.current,
            "versions": q.versions.order_by("-number"),
            "can_change": access.can(request.user, "learning.change_question", q.organization),
            "can_regrade": access.can(request.user, "learning.regrade", q.organization),
            "reason_form": ReasonForm(),
        },
    )


@login_required
def question_edit(request: HttpRequest, code: str) -> HttpResponse:
    q = selectors.question_get(actor=request.user, code=code)
    access.require(request.user, "learning.change_question", q.organization)
    v = q.current
    initial = {
        "organization": q.organization.code,
        "qtype": q.qtype,
        "stem": v.stem,
        "options": "\n".join(o["text"] for o in v.options),
        "answer": bank_io.format_answer(v),
        "explanation": v.explanation,
        "rubric": v.rubric,
        "checklist": "\n".join(f"{c['item']}: {c['points']:g}" for c in v.checklist),
        "scoring_rule": v.scoring_rule,
        "score": v.score,
        "difficulty": q.difficulty,
        "knowledge_point": q.knowledge_point,
        "occupation": q.occupation_id or "",
        "skill_level": q.skill_level,
    }
    orgs = Organization.objects.filter(pk=q.organization_id)
    form = QuestionForm(request.POST or None, initial=initial, organizations=orgs)
    form.fields["qtype"].disabled = True
    form.fields["organization"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            data = {**form.cleaned_data, "qtype": q.qtype}
            services.question_update(actor=request.user, question=q, **_question_kwargs(data))
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Question saved."))
            return redirect("learning:question_detail", code=q.code)
    return render(request, "learning/question_form.html", {"form": form, "question": q})


@login_required
@require_POST
def question_correct_key(request: HttpRequest, code: str) -> HttpResponse:
    q = selectors.question_get(actor=request.user, code=code)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            result = marking.question_version_correct_key(
                actor=request.user,
                version=q.current,
                answer=bank_io.parse_answer(q.qtype, request.POST.get("answer", "")),
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("Key corrected: %(items)d answers regraded, %(n)d attempts changed.")
                % {"items": result["items"], "n": result["attempts_changed"]},
            )
    return redirect("learning:question_detail", code=q.code)


# ----------------------------------------------------------------------------------- import
class QuestionImportForm(UploadForm, OrgChoiceForm):
    """A spreadsheet (the roster import's checks) or a Word file in the “1. / A. / 答案：” layout."""

    file = forms.FileField(label=gettext_lazy("file (.xlsx, .xls, .csv or Word .docx)"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        bank_io.question_import_file_check(f)
        return f


@login_required
def question_import(request: HttpRequest) -> HttpResponse:
    orgs = bank_io.question_import_organizations(request.user)
    if not orgs.exists():
        raise PermissionDenied
    if request.method == "GET" and request.GET.get("sample") == "docx":
        response = HttpResponse(
            bank_docx.sample_docx(),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        return attach(response, download_filename(_("question-import-sample"), ext="docx"))
    form = QuestionImportForm(request.POST or None, request.FILES or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        job = bank_io.question_import_start(
            actor=request.user,
            organization=form.cleaned_data["organization"],
            upload=form.cleaned_data["file"],
        )
        return redirect("learning:question_import_review", code=job.code)
    return render(request, "learning/question_import.html", {"form": form})


@login_required
def question_import_review(request: HttpRequest, code: str) -> HttpResponse:
    job = bank_io.question_import_job_get(actor=request.user, code=code)
    if request.method == "POST":
        try:
            real = bank_io.question_import_confirm(actor=request.user, job=job)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("learning:question_import_review", code=job.code)
        return redirect("learning:question_import_review", code=real.code)
    template = (
        "learning/_import_status.html" if request.htmx else "learning/question_import_review.html"
    )
    return render(request, template, {"job": job})


# ------------------------------------------------------------------------------------ papers
@login_required
def paper_list(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, "learning.view_paper")
    return render(
        request,
        "learning/paper_list.html",
        {
            "page_obj": page(request, selectors.paper_list(actor=request.user)),
            "can_change": access.can(request.user, "learning.change_paper"),
        },
    )


def _parse_blueprint(text: str) -> list[dict[str, Any]]:
    """Cells of a blueprint typed one per line; a type by its Chinese name, its label in the
    page's language or in English (“single choice”), or its internal value."""
    with translation.override("en"):
        labels = {str(label).lower(): value for value, label in QuestionType.choices}
    labels.update({str(label).lower(): value for value, label in QuestionType.choices})
    cells = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,，]", line)]
        parts += [""] * (5 - len(parts))
        qtype = bank_io.parse_qtype(parts[0]) or labels.get(parts[0].lower()) or parts[0]
        if parts[2] and not parts[2].isdigit():
            parts[2] = str(bank_io.parse_difficulty(parts[2]) or "")
        cells.append(
            {
                "qtype": qtype,
                "knowledge_point": parts[1],
                "difficulty": int(parts[2]) if parts[2] else None,
                "count": parts[3],
                "score": parts[4] or None,
            }
        )
    return cells


@login_required
def paper_create(request: HttpRequest) -> HttpResponse:
    orgs = _orgs(request.user, "learning.change_paper")
    if not orgs.exists():
        raise PermissionDenied
    form = PaperForm(
        request.POST or None,
        organizations=orgs,
        initial={"questions": request.GET.get("questions", "")[:5000]},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            paper = services.paper_create(
                actor=request.user,
                organization=d["organization"],
                title=d["title"],
                mode=d["mode"],
                question_codes=d["questions"].split(),
                blueprint=_parse_blueprint(d["blueprint"]) if d["mode"] == "blueprint" else [],
                is_practice=d["is_practice"],
                practice_minutes=d["practice_minutes"],
            )
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Paper saved."))
            return redirect("learning:paper_detail", code=paper.code)
    return render(request, "learning/paper_form.html", {"form": form})


@login_required
def paper_detail(request: HttpRequest, code: str) -> HttpResponse:
    paper = selectors.paper_get(actor=request.user, code=code)
    items = paper.items.select_related("question__current").order_by("position")
    types = dict(QuestionType.choices)
    blueprint = [
        {**row, "qtype_label": types.get(row.get("qtype"), row.get("qtype"))}
        for row in (paper.blueprint or [])
    ]
    return render(
        request,
        "learning/paper_detail.html",
        {"paper": paper, "items": items, "blueprint": blueprint},
    )


# ---------------------------------------------------------------------------------- sessions
@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, "learning.view_examsession")
    qs = selectors.session_list(actor=request.user).filter(is_mock=False)
    return render(
        request,
        "learning/session_list.html",
        {
            "page_obj": page(request, qs),
            "can_change": access.can(request.user, "learning.change_examsession"),
        },
    )


@login_required
def session_create(request: HttpRequest) -> HttpResponse:
    orgs = _orgs(request.user, "learning.change_examsession")
    if not orgs.exists():
        raise PermissionDenied
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = SessionForm(
        request.POST or None,
        organizations=orgs,
        papers=selectors.paper_list(actor=request.user),
        initial={"opens_at": now, "closes_at": now + dt.timedelta(days=1)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        names = d["candidates"].split()
        # only logins the caller may see: a user elsewhere is reported like a name nobody has
        users, missing = core_selectors.users_by_name(
            request.user, names, "learning.change_examsession"
        )
        if missing:
            form.add_error(
                "candidates",
                f"{core_selectors.NO_SUCH_USER} ({', '.join(sorted(missing))})",
            )
        else:
            try:
                session = exams.exam_session_create(
                    actor=request.user,
                    organization=d["organization"],
                    paper=d["paper"],
                    title=d["title"],
                    opens_at=d["opens_at"],
                    closes_at=d["closes_at"],
                    duration_minutes=d["duration_minutes"],
                    attempts_allowed=d["attempts_allowed"],
                    shuffle_questions=d["shuffle_questions"],
                    shuffle_options=d["shuffle_options"],
                    pass_percent=d["pass_percent"],
                    double_marking=d["double_marking"],
                    marking_tolerance=d["marking_tolerance"],
                    invigilation=d["invigilation"],
                    # a field left out keeps the exam default (marks now, the rest after close)
                    review_marks=d["review_marks"] or ReviewWhen.AFTER_ATTEMPT,
                    review_correctness=d["review_correctness"] or ReviewWhen.AFTER_CLOSE,
                    review_answers=d["review_answers"] or ReviewWhen.AFTER_CLOSE,
                    review_explanations=d["review_explanations"] or ReviewWhen.AFTER_CLOSE,
                    candidates=users,
                    candidate_organizations=list(d["candidate_organizations"]),
                )
            except (ValidationError, ApplicationError) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Exam session created."))
                return redirect("learning:session_detail", code=session.code)
    return render(request, "learning/session_form.html", {"form": form})


@login_required
def session_detail(request: HttpRequest, code: str) -> HttpResponse:
    session = selectors.session_get(actor=request.user, code=code)
    attempts = selectors.session_attempts(actor=request.user, session=session)
    return render(
        request,
        "learning/session_detail.html",
        {
            "session": session,
            "page_obj": page(request, attempts),
            "summary": selectors.session_summary(session),
            "can_regrade": access.can(request.user, "learning.regrade", session.organization),
            "reason_form": ReasonForm(),
            "difficulties": Difficulty.choices,
        },
    )


@login_required
@require_POST
def session_regrade(request: HttpRequest, code: str) -> HttpResponse:
    session = selectors.session_get(actor=request.user, code=code)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            result = marking.exam_session_regrade(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request, _("Regraded: %(n)d attempts changed.") % {"n": result["attempts_changed"]}
            )
    return redirect("learning:session_detail", code=session.code)
