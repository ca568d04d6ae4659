"""Pages of congresses: the dashboard, a term's delegate list against the rules, a session with
its agenda, attendance and votes, sign-in by QR code. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError

from . import rates, selectors, services
from . import selectors_proposals as SP
from .models import Delegate, Resolution, Term, Vote
from .models_proposals import Proposal


def _fail(request: HttpRequest, exc: Exception) -> None:
    messages.error(
        request, getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)]))
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff = access.can(user, "congress.view")
    seats = selectors.terms_of_delegate(actor=user)
    if not staff and not seats.exists() and not access.can(user, "congress.take_part"):
        raise PermissionDenied
    context: dict[str, Any] = {
        "staff": staff,
        "seats": seats.select_related("organization"),
        "votes_open": selectors.votes_open_for(actor=user).select_related("session"),
        "to_rate": SP.to_rate(actor=user),
        "replies_due": SP.replies_due(actor=user),
        "can_propose": seats.filter(status=Term.Status.ACTIVE).exists(),
        "can_manage": access.can(user, "congress.manage"),
    }
    if staff:
        context["terms"] = selectors.term_list(actor=user)
        context["without_session"] = selectors.unions_without_session(actor=user)
    if access.can(user, "congress.view_proposal"):
        context["rates"] = rates.rates(Proposal.objects.visible_to(user, "congress.view_proposal"))
    return render(request, "congress/index.html", context)


@login_required
def term_detail(request: HttpRequest, code: str) -> HttpResponse:
    term = access.get_visible_or_404(Term.objects, request.user, "congress.view", code=code)
    counts, checks = selectors.term_composition(term)
    delegates = (
        Delegate.objects.filter(term=term)
        .select_related("worker", "delegation", "replaced_by__worker")
        .order_by("-active", "delegation__name", "worker__name_pinyin")
    )
    return render(
        request,
        "congress/term_detail.html",
        {
            "term": term,
            "counts": counts,
            "checks": checks,
            "delegates": delegates,
            "sessions": term.sessions.all(),
            "categories": Delegate.Category.choices,
            "can_manage": access.can(request.user, "congress.manage", term.organization),
        },
    )


@login_required
@require_POST
def term_finalise(request: HttpRequest, code: str) -> HttpResponse:
    term = access.get_visible_or_404(Term.objects, request.user, "congress.view", code=code)
    try:
        services.term_finalise(actor=request.user, term=term)
        messages.success(request, _("The delegate list is final."))
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("congress:term_detail", code=term.code)


@login_required
@require_POST
def delegate_replace(request: HttpRequest, code: str) -> HttpResponse:
    """The clerk replaces a delegate mid-term (by-election), with the reason."""
    from .services_documents import replacement_worker

    old = access.get_visible_or_404(
        Delegate.objects.select_related("term__organization"),
        request.user,
        "congress.view",
        code=code[:20],
    )
    try:
        new = services.delegate_replace(
            actor=request.user,
            delegate=old,
            worker=replacement_worker(
                actor=request.user, term=old.term, code=request.POST.get("worker", "")
            ),
            reason=request.POST.get("reason", "")[:200],
            category=request.POST.get("category", "")[:12] or Delegate.Category.WORKER,
        )
        messages.success(
            request,
            _("%(old)s replaced by %(new)s.") % {"old": old.worker.name, "new": new.worker.name},
        )
    except (ApplicationError, ValidationError) as exc:
        _fail(request, exc)
    return redirect("congress:term_detail", code=old.term.code)


@login_required
def session_detail(request: HttpRequest, code: str) -> HttpResponse:
    session = selectors.session_get(actor=request.user, code=code)
    org = session.term.organization
    can_manage = access.can(request.user, "congress.manage", org)
    me = services.delegate_of(request.user, session.term)
    votes = []
    for vote in session.votes.select_related("agenda_item"):
        votes.append(
            {
                "vote": vote,
                "result": selectors.vote_result(vote),
                "voted": selectors.has_voted(vote, me),
                "resolved": Resolution.objects.filter(vote=vote).exists(),
            }
        )
    signed = session.attendance.filter(delegate=me).exists() if me else False
    qr = None
    if can_manage and session.status == "open":
        url = request.build_absolute_uri(
            reverse("congress:checkin", args=[session.code]) + f"?t={session.checkin_token}"
        )
        qr = mark_safe(segno.make(url, error="m").svg_inline(scale=4))  # noqa: S308 (our own SVG)
    return render(
        request,
        "congress/session_detail.html",
        {
            "session": session,
            "agenda": session.agenda.prefetch_related("documents"),
            "votes": votes,
            "me": me,
            "signed": signed,
            "present": session.attendance.filter(delegate__active=True).count(),
            "serving": selectors.serving(session.term).count(),
            "absent": selectors.serving(session.term)
            .exclude(attendance__session=session)
            .select_related("worker")
            if can_manage
            else [],
            "resolutions": session.resolutions.prefetch_related("notices"),
            "can_manage": can_manage,
            "qr": qr,
        },
    )


@login_required
def checkin(request: HttpRequest, code: str) -> HttpResponse:
    """The page the hall's QR code opens on a delegate's phone."""
    session = selectors.session_get(actor=request.user, code=code)
    token = request.POST.get("t") or request.GET.get("t", "")
    if request.method == "POST":
        try:
            services.sign_in(actor=request.user, session=session, token=token)
            messages.success(request, _("You are signed in."))
        except (ApplicationError, PermissionDenied, Http404) as exc:
            _fail(request, exc)
        return redirect("congress:session_detail", code=session.code)
    return render(request, "congress/checkin.html", {"session": session, "token": token[:40]})


@login_required
@require_POST
def session_act(request: HttpRequest, code: str) -> HttpResponse:
    """The clerk's acts on a session: open/close it, sign a delegate in, open/close a vote."""
    session = selectors.session_get(actor=request.user, code=code)
    act = request.POST.get("act", "")
    try:
        if act in ("open", "closed"):
            services.session_set_status(actor=request.user, session=session, status=act)
        elif act == "sign_in":
            delegate = Delegate.objects.filter(
                term=session.term, code=request.POST.get("delegate", "")
            ).first()
            if delegate is None:
                raise Http404("delegate")
            services.sign_in(actor=request.user, session=session, delegate=delegate)
        elif act in ("vote_open", "vote_close"):
            vote = Vote.objects.filter(session=session, code=request.POST.get("vote", "")).first()
            if vote is None:
                raise Http404("vote")
            fn = services.vote_open if act == "vote_open" else services.vote_close
            fn(actor=request.user, vote=vote)
        elif act == "minutes":
            from .services_documents import session_minutes_set

            session_minutes_set(
                actor=request.user,
                session=session,
                minutes=request.POST.get("minutes", "")[:20000],
            )
            messages.success(request, _("The minutes are saved."))
        elif act == "vote_new":
            services.vote_create(
                actor=request.user,
                session=session,
                title=request.POST.get("title", "")[:200],
                secret=request.POST.get("secret") == "1",
            )
        else:
            raise Http404("act")
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("congress:session_detail", code=session.code)


@login_required
@require_POST
def ballot(request: HttpRequest, code: str) -> HttpResponse:
    vote = selectors.vote_get(actor=request.user, code=code)
    try:
        services.ballot_cast(actor=request.user, vote=vote, choice=request.POST.get("choice", ""))
        messages.success(request, _("Your ballot is recorded."))
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("congress:session_detail", code=vote.session.code)
