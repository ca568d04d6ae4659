"""The one place that decides "may this user do this act here".

Roles (core.models.Role) are granted permissions (strings such as ``workforce.change_worker``)
in a registry that each app fills from its ``permissions.py`` at start-up. A membership's role
covers its organisation's whole subtree. Superusers are unrestricted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

if TYPE_CHECKING:
    from .models import Organization

ALL_ROLES = (
    "admin",
    "officer",
    "trainer",
    "judge",
    "inspector",
    "worker",
    "assistance",
    "committee",
    "hr",
)
_ROLE_PERMISSIONS: dict[str, set[str]] = {role: set() for role in ALL_ROLES}
# A role held in a government department (an organisation of kind ``department``: a ministry's
# liaison for the reform) carries only these permissions: the reform ledger, not the union's
# workforce, learning, evaluation or competitions.
_DEPARTMENT_PERMISSIONS: set[str] = set()
DEPARTMENT_KIND = "department"


def grant(perm: str, roles: Iterable[str]) -> None:
    for role in roles:
        if role not in _ROLE_PERMISSIONS:
            raise ValueError(f"unknown role {role!r}")
        _ROLE_PERMISSIONS[role].add(perm)


def grant_departments(perms: Iterable[str]) -> None:
    """Let roles held in government departments use ``perms`` (their roles must grant them too)."""
    _DEPARTMENT_PERMISSIONS.update(perms)


def department_may(perm: str) -> bool:
    return perm in _DEPARTMENT_PERMISSIONS


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in _ROLE_PERMISSIONS.items() if perm in perms}


def role_has(role: str, perm: str) -> bool:
    return perm in _ROLE_PERMISSIONS.get(role, set())


def memberships_of(user: Any) -> list[tuple[str, str, int]]:
    """(role, organization path, organization id) for the user's memberships in active
    organisations; cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gj_memberships", None)
    if cached is None:
        # through the user's reverse relation: core.models imports this module's scoping, so
        # importing core.models here would close a circle (tests/test_import_cycles.py)
        rows = list(
            user.memberships.filter(organization__is_active=True).values_list(
                "role", "organization__path", "organization_id", "organization__kind"
            )
        )
        cached = [(role, path, org_id) for role, path, org_id, _kind in rows]
        user._gj_memberships = cached
        user._gj_department_orgs = {
            org_id for _r, _p, org_id, kind in rows if kind == DEPARTMENT_KIND
        }
    return cached


def _department_orgs(user: Any) -> set[int]:
    memberships_of(user)
    return getattr(user, "_gj_department_orgs", set())


def forget(user: Any) -> None:
    """Drop the cached memberships (after roles change)."""
    if hasattr(user, "_gj_memberships"):
        del user._gj_memberships
    if hasattr(user, "_gj_department_orgs"):
        del user._gj_department_orgs


def collapse(paths: Iterable[str]) -> list[str]:
    """Remove paths covered by a shorter one (a subtree inside another)."""
    out: list[str] = []
    for path in sorted(set(paths)):
        if not out or not path.startswith(out[-1]):
            out.append(path)
    return out


def scope_paths(user: Any, perm: str) -> list[str] | None:
    """Organisation paths whose subtrees the user may act on with ``perm``; None means everything."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "is_active", False)
    ):
        return []
    if user.is_superuser:
        return None
    departments = _department_orgs(user) if perm not in _DEPARTMENT_PERMISSIONS else set()
    return collapse(
        path
        for role, path, org_id in memberships_of(user)
        if role_has(role, perm) and org_id not in departments
    )


def can(user: Any, perm: str, organization: Organization | None = None) -> bool:
    """May ``user`` do ``perm`` on something belonging to ``organization`` (or anywhere, if None)?"""
    paths = scope_paths(user, perm)
    if paths is None:
        return True
    if organization is None:
        return bool(paths)
    return any(organization.path.startswith(p) for p in paths)


def require(user: Any, perm: str, organization: Organization | None = None) -> None:
    """Raise PermissionDenied unless ``can``. Use after the object was fetched through
    ``visible_to`` (so an out-of-scope object has already answered 404)."""
    if not can(user, perm, organization):
        raise PermissionDenied(perm)


def get_visible_or_404(queryset: Any, user: Any, perm: str | None = None, **lookup: Any) -> Any:
    """Fetch one object through ``visible_to``: missing and out-of-scope both answer 404."""
    try:
        return queryset.visible_to(user, perm).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(str(queryset.model._meta.verbose_name)) from exc


def roles_in(user: Any) -> set[str]:
    return {role for role, _, _ in memberships_of(user)}


def has_staff_role(user: Any) -> bool:
    """A superuser, or a role other than worker: someone who works for organisations, whose home
    shows the organisations in scope (a worker's home is their own exams, certificates, record)."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_in(user) - {"worker"})


# ----------------------------------------------------------------------- core permissions
EVERYONE = ALL_ROLES
grant("core.view_organization", EVERYONE)
grant("core.change_organization", ["admin", "officer"])
grant("core.view_enterprise", EVERYONE)
grant("core.change_enterprise", ["admin", "officer"])
grant("core.view_membership", ["admin", "officer"])
grant("core.change_membership", ["admin"])
grant("core.view_auditevent", ["admin"])
grant("core.view_job", EVERYONE)
grant("core.view_full_citizen_id", ["admin", "officer"])
# the money ledger (core.ledger): who sees funds and who posts to them
grant("core.view_fund", ["admin", "officer"])
grant("core.view_ledgerentry", ["admin", "officer"])
grant("core.change_fund", ["admin", "officer"])
# public notices (core.notices): every member sees the notices of their audience; officers publish
grant("core.view_publicnotice", EVERYONE)
grant("core.change_publicnotice", ["admin", "officer"])
grant("core.view_noticeobjection", ["admin", "officer"])
# review rounds (core.review): officers set rounds up and finalise them; panel members score
grant("core.view_reviewround", ["admin", "officer"])
grant("core.change_reviewround", ["admin", "officer"])
grant_departments(["core.view_organization", "core.view_job"])
