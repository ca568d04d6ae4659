"""Search pickers: a small JSON search behind the ``data-picker`` inputs (static
``gongjiang/picker.js`` fills the input's ``<datalist>`` as the user types). Each kind searches only
what the user may see — organisations and workers through ``visible_to``, users through the
memberships their roles cover — so a picker never tells anyone that something exists outside
their scope. The value put into the field is the opaque code (a user's login name), the label the
readable name; the forms behind the pickers accept exactly those values."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, JsonResponse

from .models import Membership, Organization
from .pinyin import pinyin_key

LIMIT = 20


def _organizations(user: Any, q: str) -> list[dict[str, str]]:
    qs = Organization.objects.visible_to(user, "core.view_organization").filter(
        Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q)
    )
    return [{"value": o.code, "label": o.name} for o in qs.order_by("path")[:LIMIT]]


def _users(user: Any, q: str) -> list[dict[str, str]]:
    scoped = Membership.objects.visible_to(user, "core.view_membership")
    users = (
        get_user_model()
        .objects.filter(pk__in=scoped.values("user_id"), is_active=True)
        .filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
        .order_by("username")[:LIMIT]
    )
    return [
        {"value": u.username, "label": f"{u.get_full_name() or u.username} · {u.username}"}
        for u in users
    ]


def _workers(user: Any, q: str, perm: str | None = None) -> list[dict[str, str]]:
    try:
        from gongjiang.workforce.models import Worker
    except ImportError:  # the workforce app is not installed
        return []
    key = pinyin_key(q) if q.isascii() else ""
    match = Q(name__icontains=q) | Q(code__iexact=q)
    if key:
        match |= Q(name_pinyin__startswith=key) | Q(name_initials__startswith=q.lower())
    qs = (
        Worker.objects.visible_to(user, perm)
        .filter(match)
        .select_related("organization")
        .order_by("name_pinyin", "id")[:LIMIT]
    )
    return [{"value": w.code, "label": f"{w.name} · {w.organization.name}"} for w in qs]


KINDS = {"organizations": _organizations, "users": _users, "workers": _workers}


def workers_under(perm: str) -> Any:
    """A worker search scoped by another permission than seeing workers (e.g. the assistance
    officers, who may open a file for any worker of their subtree), for ``register_kind``."""
    from .access import can

    def search(user: Any, q: str) -> list[dict[str, str]]:
        # without the permission anywhere, nobody (not even one's own record)
        return _workers(user, q, perm) if can(user, perm) else []

    return search


def register_kind(kind: str, search: Any) -> None:
    """Add a picker kind (an app's ``AppConfig.ready``): ``search(user, q)`` → value/label rows,
    scoped to what the user may see."""
    KINDS[kind] = search


@login_required
def pick(request: HttpRequest, kind: str) -> JsonResponse:
    """``GET /pick/<kind>/?q=…`` → ``{"results": [{"value", "label"}, …]}`` (at most 20)."""
    search = KINDS.get(kind)
    if search is None:
        raise Http404("picker")
    q = request.GET.get("q", "").strip()[:50]
    results = search(request.user, q) if q else []
    return JsonResponse({"results": results})
