"""Pages of online campaigns (网络主题活动): the worker's campaign page on the phone (description,
period, the knowledge contest, their result, the ranking of units, participation) and the cadres'
desktop pages (publish, change, participation per subtree with drill-down)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from

from . import campaigns as camp
from .audience import home_organization
from .campaign_tallies import tallies_freshness
from .forms import CampaignForm
from .views_home import phone_context, require_use


# ---------------------------------------------------------------------------- the phone
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    require_use(request)
    items = list(camp.campaigns_for(actor=request.user)[:50])
    return render(
        request,
        "members/campaign_list.html",
        phone_context(request, items=items, manages=access.can(request.user, camp.MANAGE)),
    )


def _answers_from(request: HttpRequest, campaign: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in camp.contest_questions(campaign):
        key = f"q_{q['code']}"
        if q["qtype"] == "multiple":
            value: Any = [v[:5] for v in request.POST.getlist(key)[:10]]
        elif q["qtype"] == "fill":
            value = [v[:200] for v in request.POST.getlist(key)[:10]]
        else:
            value = request.POST.get(key, "")[:200] or None
        if value not in (None, [], ""):
            answers[q["code"]] = value
    return answers


@login_required
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    campaign = camp.campaign_get(actor=request.user, code=code[:20])
    entry = camp.my_entry(actor=request.user, campaign=campaign)
    if request.method == "POST" and entry is None:
        try:
            entry = camp.contest_submit(
                actor=request.user, campaign=campaign, answers=_answers_from(request, campaign)
            )
            messages.success(request, _("Submitted: you scored %(s)s.") % {"s": entry.score})
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("members:campaign_detail", code=campaign.code)
    unit = home_organization(request.user)
    scope = campaign.organization
    ranking = camp.rankings(campaign=campaign, organization=scope)
    my_path = unit.path if unit else None
    my_rank = next(
        (r for r in ranking if my_path and my_path.startswith(r["path"])), None
    )  # the unit under the organiser that the worker belongs to
    return render(
        request,
        "members/campaign_detail.html",
        phone_context(
            request,
            campaign=campaign,
            entry=entry,
            running=camp.is_running(campaign),
            questions=camp.contest_questions(campaign) if entry is None else [],
            ranking=ranking[:20],
            my_rank=my_rank,
            total=camp.participation(campaign=campaign, organization=scope),
            mine=camp.participation(campaign=campaign, organization=unit) if unit else None,
            freshness=tallies_freshness(campaign),
            unit=unit,
            manages=access.can(request.user, camp.MANAGE, scope),
        ),
    )


# ------------------------------------------------------------------------- the desktop
def _require_manage(request: HttpRequest) -> None:
    if not access.can(request.user, camp.MANAGE):
        raise PermissionDenied


@login_required
def campaign_manage(request: HttpRequest) -> HttpResponse:
    """Publish a campaign (organiser = one of the cadre's unions, audience = its subtree) and list
    the campaigns organised inside the cadre's scope with their participation."""
    _require_manage(request)
    form = CampaignForm()
    chosen: list[str] = []
    if request.method == "POST":
        form = CampaignForm(request.POST)
        chosen = [c[:20] for c in request.POST.getlist("questions")[: camp.MAX_QUESTIONS + 1]]
        org = access.get_visible_or_404(
            Organization.objects.all(),
            request.user,
            camp.MANAGE,
            code=request.POST.get("organization", "")[:20],
        )
        if form.is_valid():
            try:
                campaign = camp.campaign_create(
                    actor=request.user,
                    organization=org,
                    question_codes=chosen,
                    **form.cleaned_data,
                )
            except (ValidationError, ApplicationError) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Campaign published."))
                return redirect("members:campaign_results", code=campaign.code)
    managed = list(camp.campaigns_managed(actor=request.user)[:100])
    rows = [
        (c, camp.participation(campaign=c, organization=c.organization), camp.is_running(c))
        for c in managed
    ]
    return render(
        request,
        "members/campaigns/manage.html",
        {
            "form": form,
            "orgs": Organization.objects.visible_to(request.user, camp.MANAGE)
            .filter(is_active=True)
            .exclude(kind="team")
            .order_by("path")[:500],
            "questions": list(camp.usable_questions(actor=request.user)[:200]),
            "chosen": set(chosen),
            "rows": rows,
            "max_questions": camp.MAX_QUESTIONS,
        },
    )


@login_required
def campaign_results(request: HttpRequest, code: str) -> HttpResponse:
    """One campaign for a cadre: participation and the ranking of the units under a subtree
    (drill down by clicking a unit), and, for its organiser's cadres, its settings."""
    _require_manage(request)
    campaign = camp.campaign_get(actor=request.user, code=code[:20])
    scope = camp.results_scope(
        actor=request.user, campaign=campaign, organization_code=request.GET.get("org", "")
    )
    may_edit = access.can(request.user, camp.MANAGE, campaign.organization)
    tz = timezone.get_current_timezone()
    initial = {
        "title": campaign.title,
        "description": campaign.description,
        "starts_at": campaign.starts_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": campaign.ends_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
    }
    form = CampaignForm(initial=initial)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                camp.campaign_update(actor=request.user, campaign=campaign, **form.cleaned_data)
            except (ValidationError, ApplicationError) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("members:campaign_results", code=campaign.code)
    ranking = camp.rankings(campaign=campaign, organization=scope)
    visible = set(
        Organization.objects.visible_to(request.user, camp.MANAGE)
        .filter(path__in=[r["path"] for r in ranking])
        .values_list("path", flat=True)
    )
    codes = dict(Organization.objects.filter(path__in=list(visible)).values_list("path", "code"))
    return render(
        request,
        "members/campaigns/results.html",
        {
            "campaign": campaign,
            "scope": scope,
            "total": camp.participation(campaign=campaign, organization=scope),
            "freshness": tallies_freshness(campaign),
            "ranking": [{**r, "code": codes.get(r["path"])} for r in ranking[:200]],
            "form": form,
            "may_edit": may_edit,
            "running": camp.is_running(campaign),
            "question_count": campaign.questions.count(),
        },
    )
