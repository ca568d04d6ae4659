"""Honours selection pages: the rounds, a round's nomination list with its live composition bars
(htmx: the list and the bars are redrawn after each nomination or withdrawal), the stage steps,
the panel's scores, the approval by the level above. Thin: the same services as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
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
from gongjiang.core.errors import ApplicationError
from gongjiang.core.exports import file_response
from gongjiang.core.models import Organization
from gongjiang.core.review.models import PanelMember, ReviewCriterion, ReviewScore
from gongjiang.core.review.services import panel_member_add, review_scores_save
from gongjiang.core.selectors import organization_in_scope
from gongjiang.core.views import page as paged
from gongjiang.workforce.models import Worker

from . import honours
from . import honours_selectors as sel
from .form_values import whole_number
from .models_honours import CATEGORIES, HONOUR_LEVELS, NominationDocument

CATEGORY_NAMES = dict(CATEGORIES)


FIELD_LABELS = {"reason": gettext_lazy("reason for returning")}
# posted text a careers service refuses past its bound (form_values.bounded_text or the model's
# own check): the refusal names the field on every careers page that shows it
TEXT_FIELDS = {
    "note": gettext_lazy("note"),
    "title": pgettext_lazy("document", "title"),
    "name": pgettext_lazy("careers field", "name"),
    "deeds": gettext_lazy("deeds"),
    "designated_by": gettext_lazy("designated by"),
    "source": gettext_lazy("source"),
    "value": gettext_lazy("value"),
    "special_reason": gettext_lazy("reason for the longer period"),
    "agreement_number": gettext_lazy("agreement number"),
    "teacher_name": gettext_lazy("institution teacher"),
    "result": gettext_lazy("result"),
    "summary": gettext_lazy("what was learnt"),
    "mentor_comment": gettext_lazy("mentor's comment"),
    "reference": gettext_lazy("voucher number"),
    "student_number": gettext_lazy("student number"),
    "certificate_number": gettext_lazy("certificate number"),
    "memo": pgettext_lazy("careers field", "memo"),
    "description": gettext_lazy("description"),
    "course": gettext_lazy("course"),
    "honour_title": pgettext_lazy("careers field", "honour"),
    "courses": pgettext_lazy("careers field", "courses"),
}


def _error_text(exc: Exception) -> str:
    labels = {**TEXT_FIELDS, **FIELD_LABELS}
    if isinstance(exc, ApplicationError) and exc.details:
        named = [
            f"{labels[d['field']]}：{d.get('error', '')}"
            for d in exc.details
            if d.get("field") in labels
        ]
        if named:
            return "；".join(named)
    if isinstance(exc, ApplicationError):
        details = "；".join(d.get("error", "") for d in exc.details or [] if d.get("error"))
        return (
            f"{exc.message}（{details}）" if details and details not in exc.message else exc.message
        )
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):  # each refusal with its field named (备注：…)
            return "；".join(
                f"{labels.get(f, f)}：{' '.join(m)}" if f != "__all__" else " ".join(m)
                for f, m in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    return str(exc)


def _bars(actor: Any, round_: Any, unit: Organization | None) -> list[dict[str, Any]]:
    bars = sel.composition_view(actor, round_, unit)
    for b in bars:
        b["who"] = "、".join(str(CATEGORY_NAMES.get(c, c)) for c in b["categories"])
        b["width"] = min(100, round(b["share"]))
    return bars


def _unit_blocks(request: HttpRequest, round_: Any) -> list[dict[str, Any]]:
    user = request.user
    blocks = []
    for quota in sel.units(user, round_):
        unit = quota.organization
        rows = list(sel.nominations(user, round_, unit))
        blocks.append(
            {
                "unit": unit,
                "places": quota.places,
                "nominations": rows,
                "bars": _bars(user, round_, unit),
            }
        )
    return blocks


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "careers/honours_list.html",
        {
            "rounds": paged(request, sel.rounds(user), 50, param="page"),
            "may_create": access.can(user, honours.MANAGE),
            "levels": HONOUR_LEVELS,
            "this_year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def round_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        organization = organization_in_scope(
            actor=request.user, perm=honours.MANAGE, code=post.get("organization", "")
        )
        round_ = honours.honour_round_create(
            actor=request.user,
            organization=organization,
            title=post.get("title", ""),
            honour_title=post.get("honour_title", ""),
            honour_level=post.get("honour_level", ""),
            year=_int(post.get("year"), "year"),
            places=_int(post.get("places"), "places"),
            notice_days=_int(post.get("notice_days") or "5", "notice_days"),
        )
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect("careers:honours")
    messages.success(request, _("Round opened with the default composition rules."))
    return redirect("careers:honour_round", code=round_.code)


def _int(value: Any, field: str) -> int:
    return whole_number(value, field, digits=6)


def _detail_context(request: HttpRequest, round_: Any) -> dict[str, Any]:
    user = request.user
    manages = sel.manages(user, round_)
    context: dict[str, Any] = {
        "round": round_,
        "manages": manages,
        "blocks": _unit_blocks(request, round_),
        "rules": list(round_.rules.order_by("id")),
        "category_names": CATEGORY_NAMES,
        "may_approve": sel.may_approve(user, round_) and round_.state == "notice",
        "returns": honours.returns(round_),
    }
    if manages:
        context["all_nominations"] = list(sel.nominations(user, round_))
        context["round_bars"] = _bars(user, round_, None)
        context["quotas"] = list(round_.quotas.select_related("organization"))
    if round_.review_id and round_.state == "reviewing":
        member = PanelMember.objects.filter(round_id=round_.review_id, user_id=user.pk).first()
        if member is not None:
            criteria = list(ReviewCriterion.objects.filter(round_id=round_.review_id))
            scores = {
                (s.item_id, s.criterion_id): s.score
                for s in ReviewScore.objects.filter(member=member)
            }
            context["panel"] = [
                {
                    "nomination": n,
                    "scores": [(c, scores.get((n.review_item_id, c.pk), "")) for c in criteria],
                }
                for n in round_.nominations.filter(review_item__isnull=False).select_related(
                    "worker", "organization"
                )
            ]
    return context


@login_required
def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    round_ = sel.round_get_for_panel(request.user, code)
    return render(request, "careers/honours_round.html", _detail_context(request, round_))


def _unit_of(request: HttpRequest, round_: Any, code: str) -> Organization:
    for q in sel.units(request.user, round_):
        if q.organization.code == code:
            return q.organization
    raise Http404("unit")


def _unit_fragment(request: HttpRequest, round_: Any, unit: Organization, error: str = "") -> Any:
    block = next(b for b in _unit_blocks(request, round_) if b["unit"].pk == unit.pk)
    return render(
        request,
        "careers/_honours_unit.html",
        {"round": round_, "b": block, "error": error, "category_names": CATEGORY_NAMES},
    )


@login_required
@require_POST
def nominate(request: HttpRequest, code: str) -> HttpResponse:
    round_ = sel.round_get(request.user, code)
    unit = _unit_of(request, round_, request.POST.get("unit", "")[:20])
    error = ""
    try:
        worker = get_visible_or_404(
            Worker.objects.select_related("organization"),
            request.user,
            "careers.view",
            code=request.POST.get("worker", "")[:20],
        )
        honours.honour_nominate(
            actor=request.user,
            round=round_,
            organization=unit,
            worker=worker,
            deeds=request.POST.get("deeds", ""),
        )
    except Http404:
        error = _("No such worker in your units.")
    except (ApplicationError, ValidationError) as exc:
        error = _error_text(exc)
    if request.htmx:
        return _unit_fragment(request, round_, unit, error)
    if error:
        messages.error(request, error)
    return redirect("careers:honour_round", code=round_.code)


@login_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    nomination = sel.nomination_get(request.user, code)
    error = ""
    try:
        honours.honour_nomination_withdraw(actor=request.user, nomination=nomination)
    except ApplicationError as exc:
        error = _error_text(exc)
    if request.htmx:
        return _unit_fragment(request, nomination.round, nomination.organization, error)
    if error:
        messages.error(request, error)
    return redirect("careers:honour_round", code=nomination.round.code)


@login_required
@require_POST
def step(request: HttpRequest, code: str) -> HttpResponse:
    """The organiser's stage steps and the approval of the level above."""
    round_ = sel.round_get(request.user, code)
    act = request.POST.get("step", "")
    services = {
        "review": honours.honour_review_open,
        "finalise": honours.honour_review_finalise,
        "notice": honours.honour_notice_publish,
    }
    try:
        if act == "return":
            honours.honour_round_return(
                actor=request.user, round=round_, reason=request.POST.get("reason", "")
            )
        elif act == "approve":
            honours.honour_round_approve(
                actor=request.user, round=round_, note=request.POST.get("note", "")
            )
        elif act == "panel":
            from django.contrib.auth import get_user_model

            user = (
                get_user_model()
                .objects.filter(username=request.POST.get("username", "")[:150], is_active=True)
                .first()
            )
            if user is None or round_.review is None:
                raise ValidationError({"username": [_("No such user.")]})
            access.require(request.user, honours.MANAGE, round_.organization)
            panel_member_add(actor=request.user, round=round_.review, user=user)
        elif act in services:
            services[act](actor=request.user, round=round_)
        else:
            raise Http404("step")
    except ApplicationError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, _error_text(exc))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("careers:honour_round", code=round_.code)


@login_required
@require_POST
def score(request: HttpRequest, code: str) -> HttpResponse:
    round_ = sel.round_get_for_panel(request.user, code)
    if round_.review is None:
        raise Http404("review")
    nomination = round_.nominations.filter(code=request.POST.get("nomination", "")[:20]).first()
    if nomination is None or nomination.review_item is None:
        raise Http404("nomination")
    try:
        sheet = {
            c: value
            for c in ReviewCriterion.objects.filter(round=round_.review)
            if (value := request.POST.get(f"c{c.pk}", "").strip())
        }
        review_scores_save(actor=request.user, item=nomination.review_item, scores=sheet)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Scores saved."))
    return redirect("careers:honour_round", code=round_.code)


@login_required
def nomination_detail(request: HttpRequest, code: str) -> HttpResponse:
    nomination = sel.nomination_get(request.user, code)
    if request.method == "POST":
        try:
            honours.nomination_document_add(
                actor=request.user,
                nomination=nomination,
                title=request.POST.get("title", ""),
                upload=request.FILES.get("upload"),
            )
        except ApplicationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Document attached."))
        return redirect("careers:honour_nomination", code=nomination.code)
    return render(
        request,
        "careers/honours_nomination.html",
        {
            "n": nomination,
            "category": CATEGORY_NAMES.get(nomination.category, ""),
            "documents": nomination.documents.order_by("id"),
            "failures": honours.nominee_failures(
                nomination.round, nomination.worker, timezone.localdate()
            ),
            "may_records": access.can(request.user, honours.MANAGE, nomination.worker.organization),
            "may_attach": nomination.round.state == "nominating"
            and access.can(request.user, honours.NOMINATE, nomination.organization),
        },
    )


@login_required
def document_open(request: HttpRequest, code: str) -> HttpResponse:
    document = get_visible_or_404(
        NominationDocument.objects.select_related("nomination"),
        request.user,
        honours.NOMINATE,
        code=code,
    )
    from gongjiang.core.actors import audit

    audit(
        actor=request.user,
        action="careers.honour_document_open",
        obj=document.nomination,
        organization=document.nomination.organization,
        details={"document": document.code},
    )
    ext = document.upload.name.rsplit(".", 1)[-1]
    return file_response(document.upload.open("rb"), download_filename(document.title, ext=ext))
