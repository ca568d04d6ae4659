"""Pages of studios and alliances: the list with the dashboard, proposing a studio, a studio's page
(naming, renaming, members, plan and report, assessment, mentoring), alliances and joint projects.
Thin: parse, call studios.py, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core import access
from gongjiang.core.charts import bar_chart_svg
from gongjiang.core.errors import ApplicationError, field_error
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Organization
from gongjiang.workforce.models import Worker

from . import studios
from .models_studios import MentoringPair, Studio
from .views_revenue import _errors

#: the most worker or studio codes one form takes (more is refused, never cut)
MAX_CODES = 200


class StudioForm(BootstrapForm):
    organization = forms.ModelChoiceField(label=gettext_lazy("host union"), queryset=None)
    name = forms.CharField(label=gettext_lazy("studio name"), max_length=100)
    level = forms.ChoiceField(label=gettext_lazy("level"), choices=Studio.Level.choices)
    leader = forms.CharField(label=gettext_lazy("leader (worker code)"), max_length=20)
    fields_ = forms.CharField(label=gettext_lazy("fields"), max_length=300, required=False)
    site = forms.CharField(label=gettext_lazy("site"), max_length=200, required=False)
    funding = forms.DecimalField(
        label=gettext_lazy("yearly funding (yuan)"),
        min_value=0,
        max_value=Decimal("999999999999.99"),
        max_digits=14,
        decimal_places=2,
        initial=0,
    )

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs


class AssessForm(BootstrapForm):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    comment = forms.CharField(label=gettext_lazy("comment"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, top in studios.CRITERIA:
            self.fields[f"score_{key}"] = forms.DecimalField(
                label=f"{label}（0–{top}）",
                min_value=0,
                max_value=top,
                max_digits=5,
                decimal_places=2,
            )


class PlanForm(BootstrapForm):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    plan = forms.CharField(
        label=gettext_lazy("yearly plan"), max_length=5000, required=False, widget=forms.Textarea
    )
    report = forms.CharField(
        label=gettext_lazy("yearly report"), max_length=10000, required=False, widget=forms.Textarea
    )


class MentoringForm(BootstrapForm):
    mentor = forms.CharField(label=gettext_lazy("mentor (worker code)"), max_length=20)
    mentee = forms.CharField(label=gettext_lazy("mentee (worker code)"), max_length=20)
    started_on = forms.DateField(
        label=gettext_lazy("started on"), widget=forms.DateInput(attrs={"type": "date"})
    )


def _worker(studio_org: Organization, code: str) -> Worker:
    worker = Worker.objects.filter(
        code=code, organization__path__startswith=studio_org.path
    ).first()
    if worker is None:
        raise ApplicationError(_("No such worker in the host union."), code="unknown_worker")
    return worker


def _manage_orgs(user: Any) -> Any:
    paths = access.scope_paths(user, studios.MANAGE)
    qs = Organization.objects.filter(is_active=True).exclude(kind="team")
    if paths is None:
        return qs
    from gongjiang.core.scoping import prefix_q

    return qs.filter(prefix_q("path", paths))


@login_required
def studio_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, studios.VIEW):
        raise PermissionDenied(studios.VIEW)
    board = studios.dashboard(actor=request.user)
    yearly = board["yearly"]
    labels = [str(y["year"]) for y in yearly]
    charts = (
        [
            bar_chart_svg(
                title=_("Results and awards of the studios per year"),
                desc=_(
                    "Results: %(results)s; awards: %(awards)s (the table below has the figures)."
                )
                % {
                    "results": "，".join(f"{y['year']} {y['results']}" for y in yearly),
                    "awards": "，".join(f"{y['year']} {y['awards']}" for y in yearly),
                },
                labels=labels,
                series=[
                    (_("results"), [y["results"] for y in yearly]),
                    (_("awards"), [y["awards"] for y in yearly]),
                ],
            ),
            bar_chart_svg(
                title=_("Benefit of the studios' results per year (yuan)"),
                desc=_("Yearly savings: %(savings)s (the table below has the figures).")
                % {"savings": "，".join(f"{y['year']} {y['savings']}" for y in yearly)},
                labels=labels,
                series=[(_("savings (yuan)"), [y["savings"] for y in yearly])],
            ),
        ]
        if yearly
        else []
    )
    return render(
        request,
        "innovation/studios/studio_list.html",
        {
            "board": board,
            "charts": charts,
            "levels": dict(Studio.Level.choices),
            "may_manage": access.can(request.user, studios.MANAGE),
            "to_approve": studios.studios_to_approve(actor=request.user),
        },
    )


@login_required
def studio_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, studios.MANAGE):
        raise PermissionDenied(studios.MANAGE)
    orgs = _manage_orgs(request.user)
    form = StudioForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leader = _worker(data["organization"], data["leader"])
            studio = studios.studio_propose(
                actor=request.user,
                organization=data["organization"],
                name=data["name"],
                level=data["level"],
                leader=leader,
                fields=data["fields_"],
                site=data["site"],
                funding=data["funding"],
            )
        except ApplicationError as exc:
            if exc.code == "unknown_worker":
                form.add_error("leader", exc.message)
            else:
                _errors(exc, form)
        except ValidationError as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("The studio is proposed for naming."))
            return redirect("innovation:studio_detail", code=studio.code)
    return render(request, "innovation/studios/studio_form.html", {"form": form})


def _act(request: HttpRequest, studio: Studio, forms_: dict[str, Any]) -> bool:
    """Run one posted act; True when it succeeded (the page redirects)."""
    act = request.POST.get("act", "")
    user = request.user
    if act == "approve":
        studios.studio_approve(actor=user, studio=studio)
    elif act == "rename":
        studios.studio_rename_request(
            actor=user, studio=studio, new_name=request.POST.get("new_name", "")
        )
    elif act in ("rename_approve", "rename_refuse"):
        rename = studio.renames.filter(code=request.POST.get("rename", "")).first()
        if rename is None:
            raise Http404("rename")
        studios.studio_rename_decide(actor=user, rename=rename, approve=act == "rename_approve")
    elif act == "members":
        codes = [
            c.strip()
            for c in request.POST.get("workers", "").replace("，", ",").split(",")
            if c.strip()
        ]
        if len(codes) > MAX_CODES:
            raise field_error(
                "workers", _("At most 200 worker codes at a time."), "too_many", status=422
            )
        workers = [_worker(studio.organization, c) for c in codes]
        studios.studio_members_add(actor=user, studio=studio, workers=workers)
    elif act == "plan":
        form = forms_["plan"]
        if not form.is_valid():
            return False
        studios.studio_year_save(actor=user, studio=studio, **form.cleaned_data)
    elif act == "assess":
        form = forms_["assess"]
        if not form.is_valid():
            return False
        data = form.cleaned_data
        scores = {key: data[f"score_{key}"] for key, _l, _m in studios.CRITERIA}
        studios.studio_assess(
            actor=user, studio=studio, year=data["year"], scores=scores, comment=data["comment"]
        )
    elif act == "mentoring":
        form = forms_["mentoring"]
        if not form.is_valid():
            return False
        data = form.cleaned_data
        studios.mentoring_pair_add(
            actor=user,
            studio=studio,
            mentor=_worker(studio.organization, data["mentor"]),
            mentee=_worker(studio.organization, data["mentee"]),
            started_on=data["started_on"],
        )
    elif act == "outcome":
        pair = studio.pairs.filter(code=request.POST.get("pair", "")).first()
        if pair is None:
            raise Http404("pair")
        studios.mentoring_outcome(actor=user, pair=pair, outcome=request.POST.get("outcome", ""))
    else:
        raise Http404("act")
    return True


@login_required
def studio_detail(request: HttpRequest, code: str) -> HttpResponse:
    studio = studios.studio_get(actor=request.user, code=code)
    org = studio.organization
    act = request.POST.get("act", "") if request.method == "POST" else ""
    forms_ = {
        "plan": PlanForm(
            request.POST if act == "plan" else None, initial={"year": timezone.localdate().year}
        ),
        "assess": AssessForm(
            request.POST if act == "assess" else None,
            initial={"year": timezone.localdate().year - 1},
        ),
        "mentoring": MentoringForm(request.POST if act == "mentoring" else None),
    }
    if request.method == "POST":
        try:
            if _act(request, studio, forms_):
                messages.success(request, _("Saved."))
                return redirect("innovation:studio_detail", code=studio.code)
        except (ApplicationError, ValidationError) as exc:
            if act in forms_:
                _errors(exc, forms_[act])
            else:
                messages.error(request, getattr(exc, "message", str(exc)))
    may_manage = access.can(request.user, studios.MANAGE, org)
    years = list(studio.years.all())
    by_year = {y.year: y for y in years}
    assessments = list(studio.assessments.all())
    for a in assessments:  # the assessment row links the year's plan and report files
        a.year_row = by_year.get(a.year)
    return render(
        request,
        "innovation/studios/studio_detail.html",
        {
            "studio": studio,
            "honour": studios.qualifying_honour(studio.leader, studio.level),
            "members": studio.members.select_related("worker"),
            "years": years,
            "assessments": assessments,
            "this_year": timezone.localdate().year,
            "renames": studio.renames.all()[:10],
            "pairs": studio.pairs.select_related("mentor", "mentee"),
            "outcomes": [c for c in MentoringPair.Outcome.choices if c[0] != "ongoing"],
            "alliances": studio.alliances.all(),
            "may_manage": may_manage,
            "may_approve": access.can(request.user, studios.APPROVE, org),
            "may_assess": access.can(request.user, studios.ASSESS, org)
            and studio.status in ("named", "marked"),
            "forms": forms_,
        },
    )


class AllianceForm(BootstrapForm):
    organization = forms.ModelChoiceField(label=gettext_lazy("organising union"), queryset=None)
    name = forms.CharField(label=gettext_lazy("alliance name"), max_length=100)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs


@login_required
def alliance_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, studios.VIEW):
        raise PermissionDenied(studios.VIEW)
    may_manage = access.can(request.user, studios.MANAGE)
    form = (
        AllianceForm(request.POST or None, orgs=_manage_orgs(request.user)) if may_manage else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(studios.MANAGE)
        if form.is_valid():
            try:
                alliance = studios.alliance_create(actor=request.user, **form.cleaned_data)
            except (ApplicationError, ValidationError) as exc:
                _errors(exc, form)
            else:
                return redirect("innovation:alliance_detail", code=alliance.code)
    return render(
        request,
        "innovation/studios/alliance_list.html",
        {"alliances": studios.alliance_list(actor=request.user)[:200], "form": form},
    )


@login_required
def alliance_detail(request: HttpRequest, code: str) -> HttpResponse:
    alliance = studios.alliance_get(actor=request.user, code=code)
    may_manage = access.can(request.user, studios.MANAGE, alliance.organization)
    if request.method == "POST":
        act = request.POST.get("act", "")
        try:
            if not may_manage:
                raise PermissionDenied(studios.MANAGE)
            visible = studios.studio_list(actor=request.user)
            picked = request.POST.getlist("studios")
            if len(picked) > MAX_CODES:
                raise field_error(
                    "studios", _("At most 200 studios at a time."), "too_many", status=422
                )
            chosen = list(visible.filter(code__in=picked))
            if act == "join":
                studios.alliance_studios_add(actor=request.user, alliance=alliance, studios=chosen)
            elif act == "project":
                studios.joint_project_create(
                    actor=request.user,
                    alliance=alliance,
                    title=request.POST.get("title", ""),
                    goal=request.POST.get("goal", ""),
                    studios=chosen,
                )
            elif act == "task_done":
                task = studios.ProjectTask.objects.filter(
                    project__alliance=alliance, code=request.POST.get("task", "")
                ).first()
                if task is None:
                    raise Http404("task")
                studios.project_task_done(actor=request.user, task=task)
            else:
                raise Http404("act")
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", " ".join(getattr(exc, "messages", []))))
        else:
            messages.success(request, _("Saved."))
        return redirect("innovation:alliance_detail", code=alliance.code)
    members = list(alliance.studios.select_related("leader", "organization"))
    candidates = (
        studios.studio_list(actor=request.user)
        .filter(organization__path__startswith=alliance.organization.path)
        .exclude(pk__in=[s.pk for s in members])
        .exclude(status="revoked")[:200]
        if may_manage
        else []
    )
    return render(
        request,
        "innovation/studios/alliance_detail.html",
        {
            "alliance": alliance,
            "members": members,
            "projects": alliance.projects.prefetch_related("studios", "tasks__studio", "results"),
            "candidates": candidates,
            "may_manage": may_manage,
        },
    )
