"""Pages to set a congress up: a new term with its delegations, a new session with its agenda,
the replying departments with their responders, the per-organisation rules. Thin: parse, call a
service of services_setup / services, render. Out of the user's scope: 404."""

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
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from

from . import rules as R
from . import services, services_setup
from .forms_setup import (
    AgendaFormSet,
    DepartmentForm,
    ResponderForm,
    RulesForm,
    SessionForm,
    TermForm,
)
from .models import CongressRules, Term
from .models_proposals import Department
from .sources import FIXED_RULES

MANAGE = "congress.manage"


def _errors(exc: Exception, form: Any) -> None:
    """An ApplicationError's details on the fields they name; the message above the form."""
    details = getattr(exc, "details", None) or []
    placed = False
    for d in details:
        if d.get("field") in form.fields:
            form.add_error(d["field"], getattr(exc, "message", str(exc)))
            placed = True
    if not placed:
        form_errors_from(exc, form)


def _organization(user: Any, code: str) -> Organization:
    """An organisation the user manages congresses of (404 otherwise: nothing is revealed)."""
    return access.get_visible_or_404(Organization.objects, user, MANAGE, code=(code or "")[:20])


def _must_manage(user: Any) -> None:
    if not access.can(user, MANAGE):
        raise PermissionDenied


@login_required
def term_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _must_manage(user)
    initial = {"kind": Term.Kind.CONGRESS, "organization": request.GET.get("organization", "")}
    form = TermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = _organization(user, data["organization"])
        try:
            term = services_setup.term_setup(
                actor=user,
                organization=org,
                number=data["number"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                delegations=data["delegations"].splitlines(),
            )
        except (ApplicationError, ValidationError) as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("Term created: add the delegates, then finalise."))
            return redirect("congress:term_detail", code=term.code)
    return render(
        request, "congress/setup_form.html", {"form": form, "title": _("New congress term")}
    )


@login_required
def session_create(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    term = access.get_visible_or_404(Term.objects, user, MANAGE, code=code)
    form = SessionForm(request.POST or None, prefix="s")
    agenda = AgendaFormSet(request.POST or None, prefix="a")
    if request.method == "POST" and form.is_valid() and agenda.is_valid():
        items = [(f.cleaned_data.get("kind", ""), f.cleaned_data.get("title", "")) for f in agenda]
        try:
            session = services_setup.session_setup(
                actor=user, term=term, agenda=items, **form.cleaned_data
            )
        except (ApplicationError, ValidationError) as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("Session created."))
            return redirect("congress:session_detail", code=session.code)
    elif request.method == "POST" and not agenda.is_valid() and agenda.non_form_errors():
        form.add_error(None, " ".join(agenda.non_form_errors()))
    return render(
        request,
        "congress/setup_form.html",
        {"form": form, "agenda": agenda, "title": _("New session"), "term": term},
    )


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _must_manage(user)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = _organization(user, data["organization"])
        try:
            services_setup.department_setup(
                actor=user, organization=org, name=data["name"], responder=data["responder"]
            )
        except (ApplicationError, ValidationError) as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("Department added."))
            return redirect("congress:department_list")
    departments = (
        Department.objects.visible_to(user, MANAGE)
        .select_related("organization")
        .prefetch_related("responders")
        .order_by("organization__path", "name")
    )
    return render(
        request,
        "congress/departments.html",
        {"form": form, "departments": departments[:500], "responder_form": ResponderForm()},
    )


@login_required
@require_POST
def department_act(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    dept = access.get_visible_or_404(Department.objects, user, MANAGE, code=code)
    act = request.POST.get("act", "")
    if act not in ("add", "remove"):
        raise Http404("act")
    try:
        services_setup.department_responder_set(
            actor=user,
            department=dept,
            username=request.POST.get("responder", ""),
            add=act == "add",
        )
    except ApplicationError as exc:
        messages.error(request, f"{dept.name}: {exc.message}")
    else:
        messages.success(request, _("Responders of %(d)s updated.") % {"d": dept.name})
    return redirect("congress:department_list")


def _source(org: Organization, rules: CongressRules) -> str:
    if rules.pk is None:
        return _("the defaults of the 2012 rules")
    if rules.organization_id == org.pk:
        return _("this organisation's own settings")
    return _("inherited from %(o)s") % {"o": rules.organization.name}


@login_required
def rules_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The rules in force for an organisation (own, inherited or the defaults), and its own."""
    user = request.user
    org = _organization(user, code)
    current = R.rules_for(org)
    shown = CongressRules(
        organization=org, **{f: getattr(current, f) for f in services.RULE_FIELDS}
    )
    form = RulesForm(request.POST or None, instance=shown)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.RULE_FIELDS}
        try:
            services.rules_update(actor=user, organization=org, **data)
        except (ApplicationError, ValidationError) as exc:
            _errors(exc, form)
        else:
            messages.success(request, _("Rules saved for %(o)s.") % {"o": org.name})
            return redirect("congress:rules_edit", code=org.code)
    return render(
        request,
        "congress/rules.html",
        {
            "form": form,
            "organization": org,
            "source": _source(org, current),
            "fixed_rules": FIXED_RULES,
        },
    )
