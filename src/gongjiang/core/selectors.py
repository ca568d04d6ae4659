"""Reads for screens and exports, always starting from a queryset scoped to the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from . import access
from .models import AuditEvent, Job, Membership, Organization


def organization_list(
    *,
    actor: Any,
    q: str = "",
    kind: str = "",
    active: bool | None = None,
    within: Organization | None = None,
) -> QuerySet[Organization]:
    qs = Organization.objects.visible_to(actor).select_related("region", "industry", "parent")
    if within is not None:
        qs = qs.within(within)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(uscc__iexact=q) | Q(code=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("path")


def organization_get(*, actor: Any, code: str) -> Organization:
    return access.get_visible_or_404(
        Organization.objects.select_related("region", "industry", "parent"), actor, code=code
    )


def organization_roots(*, actor: Any) -> QuerySet[Organization]:
    """The top organisations of the user's scope (the roots of the tree they see)."""
    paths = access.scope_paths(actor, "core.view_organization")
    qs = Organization.objects.select_related("region").annotate(n_children=Count("children"))
    if paths is None:
        return qs.filter(parent__isnull=True).order_by("path")
    return qs.filter(path__in=paths).order_by("path")


def organization_children(*, actor: Any, parent: Organization) -> QuerySet[Organization]:
    return (
        Organization.objects.visible_to(actor)
        .filter(parent=parent)
        .select_related("region")
        .annotate(n_children=Count("children"))
        .order_by("kind", "name")
    )


def organization_choices(
    *, actor: Any, perm: str = "core.change_organization"
) -> QuerySet[Organization]:
    """Organisations the actor may act on with ``perm`` (for form choices)."""
    return Organization.objects.visible_to(actor, perm).filter(is_active=True).order_by("path")


def organization_in_scope(
    *,
    actor: Any,
    perm: str,
    code: Any,
    queryset: QuerySet[Organization] | None = None,
) -> Organization:
    """The organisation a form names by its code (typed, or picked from the suggestions of the
    ``_organization_code.html`` input), looked up in the actor's scope for ``perm`` within
    ``queryset`` (active organisations by default): any organisation in scope is accepted, not
    only the first few a list would show. The code is taken whole, never cut: an unknown code,
    one outside the scope and one the queryset leaves out all answer the same 404 ("not found, or
    outside your organisations"), so the answer never tells which organisations exist."""
    text = ("" if code is None else str(code)).strip()
    base = Organization.objects.filter(is_active=True) if queryset is None else queryset
    found = None
    if text and len(text) <= Organization._meta.get_field("code").max_length:
        found = base.visible_to(actor, perm).filter(code=text).first()
    if found is None:
        raise Http404("organization")
    return found


def membership_list(
    *, actor: Any, q: str = "", role: str = "", organization: Organization | None = None
) -> QuerySet[Membership]:
    qs = Membership.objects.visible_to(actor).select_related("user", "organization")
    if organization is not None:
        qs = qs.within(organization)
    if q:
        qs = qs.filter(
            Q(user__username__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(organization__name__icontains=q)
        )
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("organization__path", "user__username", "role")


def audit_list(
    *,
    actor: Any,
    q: str = "",
    action: str = "",
    actor_name: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.visible_to(actor).select_related("organization")
    if q:
        qs = qs.filter(
            Q(object_repr__icontains=q) | Q(object_code=q) | Q(client_address=q)
            if _is_ip(q)
            else Q(object_repr__icontains=q) | Q(object_code=q)
        )
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_name:
        qs = qs.filter(actor_name__iexact=actor_name)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def job_get(*, actor: Any, code: str) -> Job:
    """A job is visible to whoever started it, and to admins of its organisation."""
    try:
        job = Job.objects.select_related("organization").get(code=code)
    except Job.DoesNotExist as exc:
        from django.http import Http404

        raise Http404("job") from exc
    if job.created_by_id == getattr(actor, "pk", None) or actor.is_superuser:
        return job
    if job.organization is not None and access.can(actor, "core.view_auditevent", job.organization):
        return job
    from django.http import Http404

    raise Http404("job")


# the one answer for a user name that is missing or belongs to somebody outside the actor's scope
NO_SUCH_USER = gettext_lazy("There is no user of this name in your organizations.")


def users_visible_to(actor: Any, perm: str) -> QuerySet[Any]:
    """Active logins the actor may see for ``perm``: those holding a role inside the actor's scope
    for it. A user elsewhere is, to the actor, the same as no user at all (role grants, exam
    candidates, judges), so a name cannot be probed for existence in another province."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if access.scope_paths(actor, perm) is None:  # superuser
        return users
    return users.filter(pk__in=Membership.objects.visible_to(actor, perm).values("user_id"))


def users_by_name(actor: Any, names: Iterable[str], perm: str) -> tuple[list[Any], list[str]]:
    """(users found, names not found) among the logins visible to the actor for ``perm``; a name of
    a user outside the actor's scope is reported exactly like a name nobody has."""
    wanted = list(dict.fromkeys(n for n in names if n))
    found = list(users_visible_to(actor, perm).filter(username__in=wanted))
    known = {u.username for u in found}
    return found, [n for n in wanted if n not in known]
