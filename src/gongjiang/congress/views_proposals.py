"""Pages of proposals: list (with the filters the rates click through to), submit, detail with the
acts each person may do, the rates dashboard and the two Excel tables."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from, page

from . import exports, rates, selectors
from . import selectors_proposals as SP
from . import services_proposals as P
from .forms import AssignForm, DecisionForm, ProposalForm, RateForm, ReplyForm
from .models import Session, Term
from .models_proposals import Category, Proposal


def _filters(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    org = session = None
    if request.GET.get("organization"):
        org = access.get_visible_or_404(
            Organization.objects,
            user,
            "congress.view_proposal",
            code=request.GET["organization"][:20],
        )
    if request.GET.get("session"):
        session = selectors.session_get(actor=user, code=request.GET["session"][:20])
    return {
        "status": request.GET.get("status", "")[:12],
        "category": request.GET.get("category", "")[:12],
        "organization": org,
        "session": session,
        "q": request.GET.get("q", "")[:100],
    }


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    seats = selectors.terms_of_delegate(actor=user)
    if (
        not access.can(user, "congress.view_proposal")
        and not access.can(user, "congress.take_part")
        and not SP.is_responder(user)
    ):
        raise PermissionDenied
    filters = _filters(request)
    qs = SP.proposal_list(actor=user, **filters)
    return render(
        request,
        "congress/proposal_list.html",
        {
            "page_obj": page(request, qs),
            "filters": filters,
            "statuses": [*Proposal.Status.choices, ("overdue", _("reply overdue"))],
            "categories": Category.choices,
            "can_propose": seats.filter(status=Term.Status.ACTIVE).exists(),
            "can_export": access.can(user, "congress.view_proposal"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    terms = selectors.terms_of_delegate(actor=request.user).filter(status=Term.Status.ACTIVE)
    term = terms.select_related("organization").first()
    if term is None:
        raise PermissionDenied
    form = ProposalForm(request.POST or None)
    session = (
        Session.objects.filter(term=term, status__in=["planned", "open"])
        .order_by("held_on")
        .first()
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = P.proposal_create(actor=request.user, term=term, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("Drafted: ask at least two delegates to co-sign, then submit.")
            )
            return redirect("congress:proposal_detail", code=proposal.code)
    return render(
        request,
        "congress/form.html",
        {"form": form, "title": _("New proposal"), "term": term, "session": session},
    )


@login_required
def proposal_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    proposal = SP.proposal_get(actor=user, code=code)
    me = P.delegate_of(user, proposal.term)
    S = Proposal.Status  # noqa: N806
    is_proposer = me is not None and me.pk == proposal.proposer_id
    committee = access.can(user, "congress.review_proposal", proposal.organization)
    context: dict[str, Any] = {
        "p": proposal,
        "cosignatures": proposal.cosignatures.select_related("delegate__worker"),
        "replies": proposal.replies.select_related("department"),
        "merged": proposal.merged.all(),
        "is_proposer": is_proposer,
        "can_cosign": me is not None
        and not is_proposer
        and proposal.status == S.DRAFT
        and not proposal.cosignatures.filter(delegate=me).exists(),
        "can_submit": is_proposer and proposal.status == S.DRAFT,
        "committee": committee,
        "need": P.R.rules_for(proposal.organization).cosigners_required,
    }
    if committee and proposal.status == S.SUBMITTED:
        others = P.merge_targets(actor=user, proposal=proposal)
        context["decision_form"] = DecisionForm(others=others)
    if committee and proposal.status == S.ACCEPTED:
        context["assign_form"] = AssignForm(departments=SP.departments_of(proposal.organization))
    if proposal.status == S.ASSIGNED and P.may_reply(user, proposal):
        context["reply_form"] = ReplyForm()
    if is_proposer and proposal.status == S.REPLIED:
        context["rate_form"] = RateForm()
    context["can_close"] = committee and proposal.status == S.RATED
    return render(request, "congress/proposal_detail.html", context)


@login_required
@require_POST
def proposal_act(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    proposal = SP.proposal_get(actor=user, code=code)
    act = request.POST.get("act", "")
    try:
        if act == "cosign":
            P.proposal_cosign(actor=user, proposal=proposal)
        elif act == "submit":
            P.proposal_submit(actor=user, proposal=proposal)
        elif act == "decide":
            form = DecisionForm(request.POST, others=P.merge_targets(actor=user, proposal=proposal))
            if not form.is_valid():
                raise ApplicationError(_("Check the decision."))
            d = form.cleaned_data
            if d["decision"] == "accept":
                P.proposal_accept(actor=user, proposal=proposal, reason=d["reason"])
            elif d["decision"] == "merge":
                P.proposal_merge(actor=user, proposal=proposal, into=d["into"], reason=d["reason"])
            else:
                P.proposal_convert(actor=user, proposal=proposal, reason=d["reason"])
        elif act == "assign":
            depts = list(SP.departments_of(proposal.organization))
            form = AssignForm(request.POST, departments=depts)
            if not form.is_valid():
                raise ApplicationError(_("Choose the lead department."))
            by_code = {d.code: d for d in depts}
            P.proposal_assign(
                actor=user,
                proposal=proposal,
                lead=by_code[form.cleaned_data["lead"]],
                cooperating=[by_code[c] for c in form.cleaned_data["cooperating"]],
                due=form.cleaned_data["due"],
            )
        elif act == "reply":
            form = ReplyForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Write the reply and choose its outcome."))
            P.proposal_reply(actor=user, proposal=proposal, **form.cleaned_data)
        elif act == "rate":
            form = RateForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose a rating."))
            P.proposal_rate(actor=user, proposal=proposal, **form.cleaned_data)
        elif act == "close":
            P.proposal_close(actor=user, proposal=proposal)
        else:
            raise Http404("act")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("congress:proposal_detail", code=proposal.code)


@login_required
def rates_view(request: HttpRequest) -> HttpResponse:
    """Rates over the subtree, by organisation, session and category; every count links to the
    proposals behind it."""
    user = request.user
    if not access.can(user, "congress.view_proposal"):
        raise PermissionDenied
    filters = _filters(request)
    qs = Proposal.objects.visible_to(user, "congress.view_proposal")
    if filters["organization"] is not None:
        qs = qs.filter(organization__path__startswith=filters["organization"].path)
    if filters["category"] and filters["category"] not in Category.values:
        messages.error(request, _("Unknown category: showing every category."))
        filters["category"] = ""
    if filters["category"]:
        qs = qs.filter(category=filters["category"])
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=qs.values("organization_id"))}
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=qs.values("session_id"))}
    return render(
        request,
        "congress/rates.html",
        {
            "total": rates.rates(qs),
            "by_org": [dict(r, obj=orgs[r["key"]]) for r in rates.rates_by(qs, "organization")],
            "by_session": [
                dict(r, obj=sessions.get(r["key"])) for r in rates.rates_by(qs, "session")
            ],
            "by_category": rates.rates_by_category(qs),
            "filters": filters,
            "categories": Category.choices,
            # the category chosen travels with every click-through
            "cq": f"&category={filters['category']}" if filters["category"] else "",
        },
    )


@login_required
def export_summary(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "congress.view_proposal"):
        raise PermissionDenied
    qs = SP.proposal_list(actor=request.user, **_filters(request)).exclude(status="draft")
    return exports.summary_response(qs)


@login_required
def export_handling(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "congress.view_proposal"):
        raise PermissionDenied
    qs = SP.proposal_list(actor=request.user, **_filters(request)).filter(
        status__in=Proposal.ACCEPTED_STATES
    )
    return exports.handling_response(qs)
