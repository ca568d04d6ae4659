"""Pages of the spine. Views stay thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, selectors, services
from .audit import audit_record
from .downloads import download_filename
from .errors import ApplicationError
from .exports import csv_response, xlsx_file, xlsx_response
from .forms import (
    AuditFilterForm,
    MembershipForm,
    MoveForm,
    OrganizationForm,
    TokenForm,
    UploadForm,
)
from .jobs import job_start
from .models import ApiToken, Industry, Membership, Occupation, Organization, Region, SkillLevel


def page(request: HttpRequest, queryset: Any, per_page: int = 50, *, param: str = "page") -> Any:
    """One page of ``queryset`` (ordered) chosen by ``?<param>=n`` (out of range: the last page, not
    a number: the first). A page showing several lists gives each its own ``param``;
    ``_pagination.html`` keeps the others' parameters in its links."""
    result = Paginator(queryset, per_page).get_page(request.GET.get(param))
    result.param = param
    return result


def form_errors_from(exc: Exception, form: Any) -> None:
    """Show an ApplicationError or ValidationError on a form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e)
    elif isinstance(exc, ApplicationError):
        form.add_error(None, exc.message)
    else:
        form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))


# ------------------------------------------------------------------------------------- auth
class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.get_user(), action="user.login")
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        username = str(form.data.get("username", ""))[:150]
        audit_record(actor=None, action="user.login_failed", details={"username": username})
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit_record(actor=request.user, action="user.logout")
        return super().post(request, *args, **kwargs)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A forged or stale form: the ordinary 403 page, with a hint to reload."""
    return render(request, "403.html", {"csrf_failure": True}, status=403)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=self.request.user, action="user.password_change", obj=self.request.user)
        return response


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = Membership.objects.filter(user=user, organization__is_active=True).select_related(
        "organization"
    )
    roles = access.roles_in(user)
    # a worker's home is their own work; organisations in scope are for the roles that manage them
    manages = access.has_staff_role(user)
    counts = {
        "organizations": Organization.objects.visible_to(user).filter(is_active=True).count()
        if manages
        else None,
    }
    from .context_processors import navigation
    from .todos import todos_for

    todos = todos_for(user)
    return render(
        request,
        "core/home.html",
        {
            "memberships": memberships,
            "roles": roles,
            "counts": counts,
            "todos": [t for t in todos if t.count is not None],
            "shortcuts": [t for t in todos if t.count is None],
            "sections": [i for i in navigation(request)["nav_items"] if i.url or i.children][1:],
        },
    )


# ----------------------------------------------------------------------------- organisations
@login_required
def organization_tree(request: HttpRequest) -> HttpResponse:
    roots = selectors.organization_roots(actor=request.user)
    return render(request, "core/organization_tree.html", {"roots": roots})


@login_required
def organization_children(request: HttpRequest, code: str) -> HttpResponse:
    parent = selectors.organization_get(actor=request.user, code=code)
    children = selectors.organization_children(actor=request.user, parent=parent)
    return render(request, "core/_organization_nodes.html", {"nodes": children})


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")[:12]
    status = request.GET.get("status", "")
    active = {"active": True, "inactive": False}.get(status)
    qs = selectors.organization_list(actor=request.user, q=q, kind=kind, active=active)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                o.code,
                o.name,
                o.get_kind_display(),
                o.parent.name if o.parent_id else "",
                o.region_id,
                o.region.name,
                o.industry_id or "",
                o.uscc,
                _("yes") if o.is_active else _("no"),
            ]
            for o in qs.iterator(2000)
        )
        header = [
            _("code"),
            _("name"),
            _("kind"),
            _("parent"),
            _("region code"),
            _("region"),
            _("industry code"),
            _("unified social credit code"),
            _("active"),
        ]
        return xlsx_response(
            xlsx_file([(_("Organizations"), header, rows)]),
            download_filename(
                _("Organizations"), timezone.localdate().strftime("%Y%m%d"), ext="xlsx"
            ),
        )
    return render(
        request,
        "core/organization_list.html",
        {
            "page_obj": page(request, qs),
            "q": q,
            "kind": kind,
            "status": status,
            "kinds": Organization.Kind.choices,
        },
    )


@login_required
def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.organization_get(actor=request.user, code=code)
    return render(
        request,
        "core/organization_detail.html",
        {
            "org": org,
            "ancestors": org.ancestors().filter(
                pk__in=Organization.objects.visible_to(request.user).values("pk")
            ),
            "children": selectors.organization_children(actor=request.user, parent=org),
            "memberships": selectors.membership_list(actor=request.user, organization=org)[:50]
            if access.can(request.user, "core.view_membership", org)
            else None,
            "can_change": access.can(request.user, "core.change_organization", org),
            # the enterprises this union covers (用人单位), each with its own legal record
            "enterprises": org.enterprises.select_related("industry").order_by("name")
            if org.kind == Organization.Kind.ENTERPRISE
            else None,
        },
    )


@login_required
def organization_create(request: HttpRequest, code: str) -> HttpResponse:
    parent = selectors.organization_get(actor=request.user, code=code)
    access.require(request.user, "core.change_organization", parent)
    form = OrganizationForm(request.POST or None, initial={"region": parent.region_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.organization_create(actor=request.user, parent=parent, **data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Organization “%(name)s” created.") % {"name": org.name})
            return redirect("core:organization_detail", code=org.code)
    return render(request, "core/organization_form.html", {"form": form, "parent": parent})


@login_required
def organization_edit(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.organization_get(actor=request.user, code=code)
    access.require(request.user, "core.change_organization", org)
    initial = {
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "region": org.region_id,
        "industry": org.industry_id,
        "uscc": org.uscc,
        "address": org.address,
        "contact": org.contact,
    }
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, organization=org, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:organization_detail", code=org.code)
    return render(request, "core/organization_form.html", {"form": form, "org": org})


@login_required
def organization_move(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.organization_get(actor=request.user, code=code)
    access.require(request.user, "core.change_organization", org)
    parents = selectors.organization_choices(actor=request.user).exclude(path__startswith=org.path)
    form = MoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_move(
                actor=request.user, organization=org, new_parent=form.cleaned_data["parent"]
            )
        except ApplicationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Moved."))
            return redirect("core:organization_detail", code=org.code)
    return render(request, "core/organization_move.html", {"form": form, "org": org})


@login_required
@require_POST
def organization_set_active(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.organization_get(actor=request.user, code=code)
    active = request.POST.get("active") == "1"
    try:
        n = services.organization_set_active(actor=request.user, organization=org, active=active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (
                _("%(n)d organizations reactivated.")
                if active
                else _("%(n)d organizations deactivated.")
            )
            % {"n": n},
        )
    return redirect("core:organization_detail", code=org.code)


@login_required
def organization_import(request: HttpRequest, code: str) -> HttpResponse:
    parent = selectors.organization_get(actor=request.user, code=code)
    access.require(request.user, "core.change_organization", parent)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = job_start(
            actor=request.user,
            kind="core.organization_import",
            organization=parent,
            params={"dry_run": request.POST.get("dry_run") == "1"},
            input_file=upload,
            input_name=upload.name,
        )
        return redirect("core:job_detail", code=job.code)
    return render(request, "core/organization_import.html", {"form": form, "parent": parent})


# ------------------------------------------------------------------------------------- jobs
@login_required
def job_detail(request: HttpRequest, code: str) -> HttpResponse:
    job = selectors.job_get(actor=request.user, code=code)
    template = "core/_job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


# ------------------------------------------------------------------------------ memberships
@login_required
def membership_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "core.view_membership"):
        raise PermissionDenied
    q = request.GET.get("q", "")[:100]
    role = request.GET.get("role", "")[:12]
    qs = selectors.membership_list(actor=request.user, q=q, role=role)
    from .models import Role

    return render(
        request,
        "core/membership_list.html",
        {
            "page_obj": page(request, qs),
            "q": q,
            "role": role,
            "roles": Role.choices,
            "can_change": access.can(request.user, "core.change_membership"),
        },
    )


@login_required
def membership_create(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "core.change_membership"):
        raise PermissionDenied
    orgs = selectors.organization_choices(actor=request.user, perm="core.change_membership")
    form = MembershipForm(
        request.POST or None,
        organizations=orgs,
        initial={"organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # a login outside the admin's scope is treated exactly as a name nobody has
        found, _missing = selectors.users_by_name(
            request.user, [data["username"]], "core.change_membership"
        )
        user = found[0] if found else None
        try:
            if user is None:
                if not data["password"]:
                    form.add_error("password", _("A new user needs an initial password."))
                    raise ApplicationError(_("A new user needs an initial password."))
                services.user_create(
                    actor=request.user,
                    username=data["username"],
                    password=data["password"],
                    organization=data["organization"],
                    role=data["role"],
                    full_name=data["full_name"],
                )
            else:
                services.membership_grant(
                    actor=request.user,
                    user=user,
                    organization=data["organization"],
                    role=data["role"],
                )
        except PermissionDenied:
            form.add_error(None, _("You may not give this role in this organization."))
        except ApplicationError as exc:
            if not form.errors:
                form_errors_from(exc, form)
        else:
            messages.success(request, _("Role granted."))
            return redirect("core:membership_list")
    return render(request, "core/membership_form.html", {"form": form})


@login_required
@require_POST
def membership_revoke(request: HttpRequest, code: str) -> HttpResponse:
    membership = access.get_visible_or_404(
        Membership.objects.select_related("user", "organization"), request.user, code=code
    )
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except PermissionDenied:
        messages.error(request, _("You may not remove this role."))
    else:
        messages.success(request, _("Role removed."))
    return redirect("core:membership_list")


# ------------------------------------------------------------------------------------ audit
@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "core.view_auditevent"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "q": d["q"],
            "action": d["action"],
            "actor_name": d["actor"],
            "since": d["since"],
            "until": d["until"],
        }
    qs = selectors.audit_list(actor=request.user, **filters)
    export = request.GET.get("export")
    if export in ("xlsx", "csv"):
        header = [
            _("time"),
            _("user"),
            _("action"),
            _("object type"),
            _("object"),
            _("object name"),
            _("organization"),
            _("client address"),
            _("details"),
        ]
        import json

        rows = (
            [
                e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_name,
                e.action,
                e.object_type,
                e.object_code,
                e.object_repr,
                e.organization.name if e.organization_id else "",
                e.client_address or "",
                json.dumps(e.details, ensure_ascii=False),
            ]
            for e in qs.select_related("organization").iterator(2000)
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        if export == "csv":  # for log tools; streamed, cells that could start a formula escaped
            return csv_response(header, rows, download_filename(_("Audit log"), stamp, ext="csv"))
        return xlsx_response(
            xlsx_file([(_("Audit log"), header, rows)]),
            download_filename(_("Audit log"), stamp, ext="xlsx"),
        )
    return render(request, "core/audit_list.html", {"form": form, "page_obj": page(request, qs)})


# --------------------------------------------------------------------------- reference data
REFERENCE = {
    "regions": (Region, _("Administrative divisions (GB/T 2260)")),
    "occupations": (Occupation, _("Occupations (职业分类大典, 2022 edition)")),
    "industries": (Industry, _("Industries (GB/T 4754-2017)")),
}


@login_required
def reference_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/reference_index.html",
        {
            "skill_levels": SkillLevel.objects.all(),
            "tables": [(k, str(v[1]), v[0].objects.count()) for k, v in REFERENCE.items()],
        },
    )


@login_required
def reference_list(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in REFERENCE:
        raise Http404(kind)
    model, title = REFERENCE[kind]
    q = request.GET.get("q", "")[:100]
    qs = model.objects.search(q).select_related("parent").order_by("code")
    level = request.GET.get("level", "")[:12]
    if level:
        qs = qs.filter(level=level)
    return render(
        request,
        "core/reference_list.html",
        {
            "kind": kind,
            "title": title,
            "q": q,
            "level": level,
            "levels": model.Level.choices,
            "page_obj": page(request, qs),
        },
    )


# ------------------------------------------------------------------------------ API tokens
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.api_token_create(
            actor=request.user, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    return render(
        request,
        "core/token_list.html",
        {
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, code: str) -> HttpResponse:
    token = ApiToken.objects.filter(code=code, user=request.user).first()
    if token is None:
        raise Http404("token")
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect(reverse("core:token_list"))


# ----------------------------------------------------------------------------- error pages
def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):  # an unknown API URL answers in the API's error shape
        return JsonResponse(
            {"code": "not_found", "message": "Not found.", "details": []}, status=404
        )
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No request context: the context processors query the database, which may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
