"""Who sees what a union offers: the members of its subtree (the union or any unit below it) and
the roles above it. A worker at an enterprise sees the activities of their enterprise, city and
province; an officer sees everything inside their scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongjiang.core import access
from gongjiang.core.models import Organization


def prefixes(path: str) -> list[str]:
    step = Organization.SEGMENT
    return [path[: i + step] for i in range(0, len(path), step)]


def audience_q(actor: Any, field: str = "organization__path") -> Q:
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return Q(pk__in=[])
    if getattr(actor, "is_superuser", False):
        return Q()
    q = Q(pk__in=[])
    for _role, path, _org in access.memberships_of(actor):
        q |= Q(**{f"{field}__in": prefixes(path)}) | Q(**{f"{field}__startswith": path})
    return q


def home_organization(actor: Any) -> Organization | None:
    """The unit a person belongs to: their worker record's union, else their deepest membership."""
    worker = getattr(actor, "worker", None) if getattr(actor, "pk", None) else None
    if worker is not None:
        return worker.organization
    rows = sorted(access.memberships_of(actor), key=lambda r: -len(r[1]))
    if not rows:
        return None
    return Organization.objects.filter(pk=rows[0][2]).first()
