"""Pages of the innovation award: rounds, nominations, the panel's score sheet, the notice with
objections, publication, payments and the award list for download. Thin: services do the work."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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
from gongjiang.core.exports import xlsx_response
from gongjiang.core.ledger.models import Fund
from gongjiang.core.models import Organization
from gongjiang.core.notices.models import NoticeObjection
from gongjiang.core.notices.services import notice_objection_file, notice_objection_reply
from gongjiang.core.review.conflicts import review_conflict_reason
from gongjiang.core.review.models import PanelMember, ReviewItem, ReviewScore
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.core.scoping import prefix_q

from . import awards
from .award_list import award_list_xlsx
from .forms_awards import AwardRoundForm, NominateForm, PanelAddForm, QuotaForm
from .models import GRADES, AwardRound, Result


def _round(request: HttpRequest, code: str) -> AwardRound:
    try:
        return (
            AwardRound.objects.visible_to(request.user)
            .select_related("organization", "review", "notice", "fund")
            .get(code=code)
        )
    except AwardRound.DoesNotExist as exc:
        raise Http404("award round") from exc


def _manages(user: Any, round_: AwardRound) -> bool:
    return awards.manages(user, round_)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = AwardRound.objects.visible_to(request.user).select_related("organization")
    if not (access.can(request.user, "innovation.view_award") or rounds.exists()):
        raise PermissionDenied
    return render(
        request,
        "innovation/award_list.html",
        {"rounds": rounds, "may_create": access.can(request.user, awards.MANAGE)},
    )


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, awards.MANAGE):
        raise PermissionDenied
    orgs = (
        Organization.objects.visible_to(request.user, awards.MANAGE)
        .filter(is_active=True)
        .exclude(kind__in=["team", "department"])
        .order_by("path")
    )
    funds = Fund.objects.visible_to(request.user, "core.change_fund")
    form = AwardRoundForm(request.POST or None, orgs=orgs, funds=funds)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            round_ = awards.award_round_create(
                actor=request.user,
                organization=d["organization"],
                year=d["year"],
                title=d["title"],
                bands=d["bands"],
                notice_days=d["notice_days"],
                fund=d["fund"],
                grade_amounts=d["grade_amounts"],
            )
        except (ApplicationError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or " ".join(exc.messages))
        else:
            return redirect("innovation:award_detail", round_.code)
    return render(request, "innovation/award_form.html", {"form": form})


def _nominating_units(user: Any, round_: AwardRound) -> list[Any]:
    return awards.nominating_quotas(user, round_)


@login_required
def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    round_ = _round(request, code)
    manages = _manages(request.user, round_)
    units = _nominating_units(request.user, round_)
    nominate_form = None
    if units and round_.state == AwardRound.State.NOMINATING:
        paths = [q.organization.path for q in units]
        candidates = (
            Result.objects.adopted()
            .filter(prefix_q("organization__path", paths))
            .exclude(nominations__round=round_)
        )
        nominate_form = NominateForm(units=units, results=candidates[:500])
    nominations = awards.nominations_visible(request.user, round_)
    notice = round_.notice
    objections = []
    if notice is not None:
        objections = NoticeObjection.objects.filter(notice=notice)
        if not manages:
            objections = objections.filter(user=request.user)
    return render(
        request,
        "innovation/award_detail.html",
        {
            "round": round_,
            "manages": manages,
            "units": units,
            "nominate_form": nominate_form,
            "quota_form": QuotaForm(orgs=_quota_orgs(request.user, round_)) if manages else None,
            "panel_form": PanelAddForm() if manages else None,
            "nominations": nominations,
            "panel": round_.review.panel.select_related("user"),
            "on_panel": round_.review.panel.filter(user=request.user).exists(),
            "notice": notice,
            "objections": objections,
            "may_object": notice is not None
            and notice.state == "open"
            and any(
                p.startswith(notice.audience.path)
                for _r, p, _o in access.memberships_of(request.user)
            ),
            "grades": GRADES,
        },
    )


def _quota_orgs(user: Any, round_: AwardRound) -> Any:
    return (
        Organization.objects.filter(path__startswith=round_.organization.path, is_active=True)
        .exclude(pk=round_.organization_id)
        .exclude(kind__in=["team", "department"])
        .order_by("path")[:300]
    )


@login_required
@require_POST
def round_act(request: HttpRequest, code: str) -> HttpResponse:
    round_ = _round(request, code)
    act = request.POST.get("act", "")
    try:
        if act == "nominate":
            units = _nominating_units(request.user, round_)
            unit = next(
                (q.organization for q in units if q.organization.code == request.POST.get("unit")),
                None,
            )
            result = Result.objects.adopted().filter(code=request.POST.get("result", "")).first()
            if unit is None or result is None:
                raise Http404
            awards.nomination_add(
                actor=request.user,
                round=round_,
                result=result,
                organization=unit,
                spread=bool(request.POST.get("spread")),
            )
        elif act == "object":
            if round_.notice is None:
                raise Http404
            notice_objection_file(
                actor=request.user, notice=round_.notice, text=request.POST.get("text", "")
            )
        elif not _manages(request.user, round_):
            raise PermissionDenied(act)
        elif act == "quota":
            org = (
                _quota_orgs(request.user, round_)
                .filter(code=request.POST.get("organization"))
                .first()
            )
            if org is None:
                raise Http404
            awards.award_quota_set(
                actor=request.user,
                round=round_,
                organization=org,
                quota=int(request.POST.get("quota") or 0),
            )
        elif act == "panel":
            user = panel_candidate(request.user, request.POST.get("username", ""))
            if user is None:
                raise ApplicationError(_("No such user."), code="unknown_user")
            panel_member_add(actor=request.user, round=round_.review, user=user)
        elif act == "open_review":
            awards.award_review_open(actor=request.user, round=round_)
        elif act == "finalise":
            awards.award_round_finalise(actor=request.user, round=round_)
        elif act == "notice":
            awards.award_notice_publish(actor=request.user, round=round_)
        elif act == "publish":
            awards.award_round_publish(actor=request.user, round=round_)
        elif act == "reply":
            objection = NoticeObjection.objects.filter(
                notice=round_.notice, code=request.POST.get("objection", "")
            ).first()
            if objection is None:
                raise Http404
            notice_objection_reply(
                actor=request.user, objection=objection, reply=request.POST.get("reply", "")
            )
        elif act == "pay":
            nomination = round_.nominations.filter(code=request.POST.get("nomination", "")).first()
            if nomination is None:
                raise Http404
            awards.award_pay(actor=request.user, nomination=nomination)
        else:
            raise Http404(act)
    except (ApplicationError, ValidationError, ValueError) as exc:
        messages.error(
            request, getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)]))
        )
    else:
        messages.success(request, _("Done."))
    return redirect("innovation:award_detail", round_.code)


@login_required
def panel_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """A panel member's score sheet: every item × criterion; conflicts shown and refused."""
    round_ = _round(request, code)
    member = PanelMember.objects.filter(round=round_.review, user=request.user).first()
    if member is None:
        raise Http404("panel")
    criteria = list(round_.review.criteria.all())
    items = list(
        ReviewItem.objects.filter(round=round_.review).select_related(
            "organization", "round__organization"
        )
    )
    if request.method == "POST":
        saved = 0
        for item in items:
            for c in criteria:
                raw = request.POST.get(f"s-{item.code}-{c.pk}", "").strip()
                if not raw:
                    continue
                try:
                    review_score_save(
                        actor=request.user, item=item, criterion=c, score=Decimal(raw)
                    )
                    saved += 1
                except (ApplicationError, InvalidOperation) as exc:
                    messages.error(request, f"{item.label}：{getattr(exc, 'message', str(exc))}")
        if saved:
            messages.success(request, _("%(n)s scores saved.") % {"n": saved})
        return redirect("innovation:panel_sheet", round_.code)
    mine = {(s.item_id, s.criterion_id): s.score for s in ReviewScore.objects.filter(member=member)}
    rows = [
        {
            "item": item,
            "conflict": review_conflict_reason(request.user, item),
            "cells": [(c, mine.get((item.pk, c.pk))) for c in criteria],
        }
        for item in items
    ]
    return render(
        request,
        "innovation/panel_sheet.html",
        {
            "round": round_,
            "criteria": criteria,
            "rows": rows,
            "open": round_.review.state == "open",
        },
    )


@login_required
def award_list_export(request: HttpRequest, code: str) -> HttpResponse:
    """The award list for download: managers at any stage after ranking, others once published."""
    round_ = _round(request, code)
    ranked = round_.state not in (AwardRound.State.NOMINATING, AwardRound.State.REVIEWING)
    if not ranked or (
        not _manages(request.user, round_) and round_.state != AwardRound.State.PUBLISHED
    ):
        raise Http404("award list")
    return xlsx_response(award_list_xlsx(round_), f"{round_.title}获奖名单.xlsx")


def panel_candidate(actor: Any, username: str) -> Any:
    """The user picked for the panel, among those the scoped user picker offers the manager
    (core.pickers: users with a role inside the manager's scope); None otherwise."""
    from django.contrib.auth import get_user_model

    from gongjiang.core.models import Membership

    scoped = Membership.objects.visible_to(actor, "core.view_membership")
    return (
        get_user_model()
        .objects.filter(pk__in=scoped.values("user_id"), is_active=True, username=username)
        .first()
    )
