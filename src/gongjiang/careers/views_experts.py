"""Expert-level selection pages: the cadre's desk (calls, appointments, terms due), a call's page
(places, applications, review, ties, notice and objections, appointment), the worker's phone page
“my expert level” (current term, open calls with the conditions, applications, notices to object
to) and an appointment's page with its re-evaluation. Thin: the same services as the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.access import get_visible_or_404
from gongjiang.core.downloads import download_filename
from gongjiang.core.exports import file_response, xlsx_response
from gongjiang.core.models import AuditEvent
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.notices.services import notice_objection_file
from gongjiang.core.review.models import PanelMember, ReviewCriterion, ReviewScore
from gongjiang.core.review.services import panel_member_add, review_scores_save
from gongjiang.core.selectors import organization_in_scope
from gongjiang.core.views import page as paged
from gongjiang.workforce.models import Worker

from . import experts, experts_documents, experts_io
from . import experts_selectors as sel
from .experts_ties import tie_words
from .experts_words import described
from .form_values import whole_number
from .models import ExpertLevel
from .views_expert_revoke import may_revoke
from .views_honours import _error_text


def _date(value: str, field: str) -> dt.date | None:
    value = (value or "").strip()[:10]
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: [_("Give a date as YYYY-MM-DD.")]}) from None


DOCUMENT_FIELDS = {
    "file": gettext_lazy("file"),
    "title": pgettext_lazy("document", "title"),
    "required_documents": gettext_lazy("required documents"),
    "kind": gettext_lazy("kind of document"),
    "reason": gettext_lazy("reason"),
    "note": gettext_lazy("note"),
    "statement": gettext_lazy("achievements"),
    "text": gettext_lazy("objection"),
}


def _document_error(exc: Exception) -> str:
    """The refusal with its field named (文件：…, 标题：…)."""
    if isinstance(exc, experts.ApplicationError) and exc.details:
        named = [
            f"{DOCUMENT_FIELDS[d['field']]}：{d.get('error', '')}"
            for d in exc.details
            if d.get("field") in DOCUMENT_FIELDS
        ]
        if named:
            return "；".join(named)
    return _error_text(exc)


def _appointment_rows(rows: Any, today: dt.date) -> list[Any]:
    out = []
    for a in rows:
        a.state = a.state_on(today)
        a.due = (
            a.reevaluated_on is None
            and a.revoked_on is None
            and experts.reevaluation_opens(a) <= today <= a.term_end
        )
        out.append(a)
    return out


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (access.can(user, experts.MANAGE) or access.can(user, experts.APPOINT)):
        if sel.my_worker(user) is not None:
            return redirect("careers:experts_me")
        raise Http404("experts")
    today = timezone.localdate()
    levels = (
        ExpertLevel.objects.visible_to(user, experts.MANAGE)
        .select_related("organization")
        .order_by("organization__path", "rank")[:300]
    )
    appointments = paged(
        request, sel.appointments(user).order_by("term_end", "id"), 50, param="appointments"
    )
    appointments.object_list = _appointment_rows(list(appointments.object_list), today)
    return render(
        request,
        "careers/experts_desk.html",
        {
            "calls": paged(request, sel.calls(user), 50, param="calls"),
            "levels": levels,
            "appointments": appointments,
            "to_score": sel.calls_to_score(user),
            "to_answer": sel.calls_with_open_objections(user),
            "to_appoint": sel.calls_to_appoint(user, today),
            "this_year": today.year,
            "closes": today + dt.timedelta(days=30),
            "document_kinds": list(experts_documents.KINDS.items()),
        },
    )


@login_required
@require_POST
def call_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    level = get_visible_or_404(
        ExpertLevel.objects.select_related("organization"),
        request.user,
        experts.MANAGE,
        code=post.get("level", ""),
    )
    try:
        call = experts.expert_call_create(
            actor=request.user,
            level=level,
            year=whole_number(post.get("year"), "year", digits=4),
            closes_on=_date(post.get("closes_on", ""), "closes_on") or timezone.localdate(),
            title=post.get("title", ""),  # whole: the service refuses past 200, never cut
            places=whole_number(post.get("places"), "places", digits=5)
            if post.get("places")
            else None,
            notice_days=whole_number(post.get("notice_days") or "5", "notice_days", digits=2),
            pass_mark=whole_number(post.get("pass_mark") or "60", "pass_mark", digits=3),
            term_starts_on=_date(post.get("term_starts_on", ""), "term_starts_on"),
            required_documents=post.getlist("required_documents")[:20],
        )
    except (ValidationError, experts.ApplicationError) as exc:
        messages.error(request, _document_error(exc))
        return redirect("careers:experts")
    messages.success(request, _("Call opened."))
    return redirect("careers:expert_call", code=call.code)


def _panel_rows(user: Any, call: Any) -> list[dict[str, Any]]:
    member = PanelMember.objects.filter(round_id=call.review_id, user_id=user.pk).first()
    if member is None:
        return []
    criteria = list(ReviewCriterion.objects.filter(round_id=call.review_id))
    scores = {
        (s.item_id, s.criterion_id): s.score for s in ReviewScore.objects.filter(member=member)
    }
    return [
        {
            "application": a,
            "scores": [(c, scores.get((a.review_item_id, c.pk), "")) for c in criteria],
        }
        for a in call.applications.filter(review_item__isnull=False).select_related(
            "worker", "organization"
        )
    ]


def _passed_down(call: Any, applications: list[Any]) -> list[dict[str, Any]]:
    """Each place struck out and whom it went to (from the audit), naming only the applications
    the reader sees."""
    seen = {a.code: a for a in applications}
    out = []
    for event in AuditEvent.objects.filter(
        action="careers.expert_pass_down", object_code=call.code
    ).order_by("id"):
        struck = seen.get(event.details.get("struck", ""))
        if struck is None:
            continue
        out.append(
            {
                "on": event.at,
                "struck": struck,
                "to": [seen[c] for c in event.details.get("to", []) if c in seen],
                "tied": event.details.get("tied_at_the_line", False),
                "tie": tie_words(event.details.get("tie_break")),
            }
        )
    return out


@login_required
def call_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    call = sel.call_get_for_panel(user, code)
    manages = sel.manages(user, call)
    visible = access.can(user, experts.MANAGE, call.organization) or access.can(
        user, experts.APPOINT, call.organization
    )
    context: dict[str, Any] = {
        "call": call,
        "manages": manages,
        "visible": visible,
        "applications": list(sel.applications(user, call)) if visible else [],
        "quotas": list(call.quotas.select_related("organization")) if visible else [],
        "may_apply": call.state == "open" and access.can(user, experts.APPLY, call.organization),
        "may_appoint": call.state == "notice"
        and access.can(user, experts.APPOINT, call.organization),
    }
    if call.review_id and call.state == "reviewing":
        context["panel"] = _panel_rows(user, call)
    if call.notice_id and visible:
        context["objections"] = list(
            NoticeObjection.objects.filter(notice_id__in=experts.call_notice_ids(call)).order_by(
                "id"
            )
        )
        context["passed_down"] = _passed_down(call, context["applications"])
        context["selected"] = [a for a in context["applications"] if a.status == "selected"]
    context["tied"] = [a for a in context["applications"] if a.status == "tied"]
    context["required"] = experts_documents.kinds_of(call.required_documents)
    context["document_kinds"] = list(experts_documents.KINDS.items())
    # the required documents change until the first application, never after (the service
    # refuses it then; the form is not offered)
    context["may_change_documents"] = (
        manages and call.state == "open" and not call.applications.exists()
    )
    return render(request, "careers/experts_call.html", context)


@login_required
def call_export(request: HttpRequest, code: str) -> HttpResponse:
    """The call's applications and ranking as Excel, for those who see them on the page (only the
    applications inside the reader's subtree are written)."""
    user = request.user
    call = sel.call_get(user, code)
    if not (
        access.can(user, experts.MANAGE, call.organization)
        or access.can(user, experts.APPOINT, call.organization)
    ):
        raise PermissionDenied(experts.MANAGE)
    return xlsx_response(experts_io.call_xlsx(user, call), f"{call.title[:60]}-申报与排名.xlsx")


@login_required
@require_POST
def call_step(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    call = sel.call_get(user, code)
    post = request.POST
    act = post.get("step", "")
    try:
        if act == "quota":
            unit = organization_in_scope(actor=user, perm=experts.MANAGE, code=post.get("unit", ""))
            experts.expert_quota_set(
                actor=user,
                call=call,
                organization=unit,
                places=whole_number(post.get("places"), "places", digits=5),
            )
        elif act == "documents":
            experts.expert_call_documents_set(
                actor=user, call=call, required_documents=post.getlist("required_documents")
            )
        elif act == "review":
            experts.expert_review_open(actor=user, call=call)
        elif act == "panel":
            reviewer = (
                get_user_model()
                .objects.filter(username=post.get("username", "")[:150], is_active=True)
                .first()
            )
            if reviewer is None or call.review is None:
                raise ValidationError({"username": [_("No such user.")]})
            access.require(user, experts.MANAGE, call.organization)
            panel_member_add(actor=user, round=call.review, user=reviewer)
        elif act == "finalise":
            experts.expert_review_finalise(actor=user, call=call)
        elif act == "ties":
            experts.expert_ties_break(
                actor=user,
                call=call,
                chosen=[c[:20] for c in post.getlist("chosen")[:100]],
                reason=post.get("reason", ""),  # whole: refused past 500, never cut
            )
        elif act == "notice":
            experts.expert_notice_publish(actor=user, call=call)
        elif act == "answer":
            objection = NoticeObjection.objects.filter(
                notice_id=call.notice_id, code=post.get("objection", "")[:20]
            ).first()
            if objection is None:
                raise Http404("objection")
            strike_code = post.get("strike", "")[:20]
            strike = call.applications.filter(code=strike_code).first() if strike_code else None
            experts.expert_objection_answer(
                actor=user,
                call=call,
                objection=objection,
                reply=post.get("reply", ""),
                strike=strike,
            )
        elif act == "appoint":
            experts.expert_appoint(actor=user, call=call)
        else:
            raise Http404("step")
    except experts.ApplicationError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, _document_error(exc))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("careers:expert_call", code=call.code)


@login_required
@require_POST
def call_apply(request: HttpRequest, code: str) -> HttpResponse:
    """A cadre files for a worker of the enterprise (``worker``), or a worker for themself."""
    user = request.user
    worker_code = request.POST.get("worker", "")[:20]
    if worker_code:
        call = sel.call_get(user, code)
        worker = get_visible_or_404(
            Worker.objects.select_related("organization"), user, experts.APPLY, code=worker_code
        )
        back = redirect("careers:expert_call", code=call.code)
    else:
        worker = sel.my_worker(user)
        call = (
            next((r["call"] for r in sel.open_calls_for(worker) if r["call"].code == code), None)
            if worker
            else None
        )
        if call is None:
            raise Http404("expert call")
        back = redirect("careers:experts_me")
    try:
        experts.expert_apply(
            actor=user, call=call, worker=worker, statement=request.POST.get("statement", "")
        )
    except (experts.ApplicationError, ValidationError) as exc:
        messages.error(request, _document_error(exc))
    else:
        messages.success(request, _("Application filed."))
    return back


@login_required
@require_POST
def application_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    application = sel.application_get(request.user, code)
    try:
        experts.expert_application_withdraw(actor=request.user, application=application)
    except experts.ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Application withdrawn."))
    if application.worker.user_id == request.user.pk:
        return redirect("careers:experts_me")
    return redirect("careers:expert_call", code=application.call.code)


@login_required
@require_POST
def call_score(request: HttpRequest, code: str) -> HttpResponse:
    call = sel.call_get_for_panel(request.user, code)
    if call.review is None:
        raise Http404("review")
    application = call.applications.filter(code=request.POST.get("application", "")[:20]).first()
    if application is None or application.review_item is None:
        raise Http404("application")
    try:
        sheet = {
            c: value
            for c in ReviewCriterion.objects.filter(round=call.review)
            if (value := request.POST.get(f"c{c.pk}", "").strip())
        }
        review_scores_save(actor=request.user, item=application.review_item, scores=sheet)
    except experts.ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Scores saved."))
    return redirect("careers:expert_call", code=call.code)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """“My expert level” on the phone."""
    worker = sel.my_worker(request.user)
    if worker is None:
        raise Http404("worker")
    today = timezone.localdate()
    calls = sel.open_calls_for(worker, today)
    for row in calls:
        row["described"] = described(row["conditions"])
    return render(
        request,
        "careers/experts_me.html",
        {
            "worker": worker,
            "appointments": _appointment_rows(sel.my_appointments(worker), today),
            "applications": paged(request, sel.my_applications(worker), 50, param="applications"),
            "calls": calls,
            "notices": sel.notices_for(request.user, worker),
        },
    )


@login_required
@require_POST
def me_object(request: HttpRequest, code: str) -> HttpResponse:
    worker = sel.my_worker(request.user)
    call = (
        next((c for c in sel.notices_for(request.user, worker) if c.code == code), None)
        if (worker)
        else None
    )
    if call is None:
        raise Http404("notice")
    try:
        notice_objection_file(
            actor=request.user, notice=call.notice, text=request.POST.get("text", "")
        )
    except experts.ApplicationError as exc:
        messages.error(request, _document_error(exc))
    else:
        messages.success(request, _("Objection filed; the organiser will answer it."))
    return redirect("careers:experts_me")


@login_required
def appointment_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    appointment = sel.appointment_get(user, code)
    if request.method == "POST":
        try:
            experts.expert_reevaluate(
                actor=user,
                appointment=appointment,
                renew=request.POST.get("renew") == "1",
                note=request.POST.get("note", ""),  # whole: refused past 500, never cut
            )
        except experts.ApplicationError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            messages.error(request, _document_error(exc))
        else:
            messages.success(request, _("Re-evaluation recorded."))
        return redirect("careers:expert_appointment", code=appointment.code)
    today = timezone.localdate()
    appointment = _appointment_rows([appointment], today)[0]
    return render(
        request,
        "careers/experts_appointment.html",
        {
            "a": appointment,
            "opens": experts.reevaluation_opens(appointment),
            "may_reevaluate": appointment.due
            and access.can(user, experts.APPOINT, appointment.organization)
            and appointment.worker.user_id != user.pk,
            "renewal": getattr(appointment, "renewal", None),
            "may_revoke": may_revoke(user, appointment),
            "today": today,
        },
    )


@login_required
def application_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An application with its documents: the applicant attaches and removes them while it is not
    yet reviewed; cadres in scope and the worker read and download them."""
    user = request.user
    application = sel.application_get(user, code)
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("step") == "document":
                experts_documents.expert_document_add(
                    actor=user,
                    application=application,
                    kind=post.get("kind", ""),
                    title=post.get("title", ""),
                    upload=request.FILES.get("file"),
                )
                messages.success(request, _("Document attached."))
            elif post.get("step") == "remove":
                document = application.documents.filter(code=post.get("document", "")).first()
                if document is None:
                    raise Http404("document")
                experts_documents.expert_document_remove(actor=user, document=document)
                messages.success(request, _("Document removed."))
            else:
                raise Http404("step")
        except (experts.ApplicationError, ValidationError) as exc:
            messages.error(request, _document_error(exc))
        return redirect("careers:expert_application", code=application.code)
    conditions = list(application.conditions) + experts_documents.conditions(application)
    return render(
        request,
        "careers/experts_application.html",
        {
            "a": application,
            "described": described(conditions),
            "documents": list(application.documents.all()),
            "kinds": list(experts_documents.KINDS.items()),
            "required": [
                experts_documents.KINDS[k]
                for k in experts_documents.kinds_of(application.call.required_documents)
            ],
            "missing": [experts_documents.KINDS[k] for k in experts_documents.missing(application)],
            "may_change": application.status == "submitted"
            and application.call.state == "open"
            and experts_documents.may_change(user, application),
            "is_worker": application.worker.user_id == user.pk,
        },
    )


@login_required
def document_open(request: HttpRequest, code: str) -> HttpResponse:
    """Download a document: the applicant, cadres over the worker's union, the call's reviewers
    (404 for everyone else); every opening is audited."""
    document = experts_documents.document_get(request.user, code)
    experts_documents.document_opened(request.user, document)
    ext = document.upload.name.rsplit(".", 1)[-1]
    return file_response(document.upload.open("rb"), download_filename(document.title, ext=ext))
