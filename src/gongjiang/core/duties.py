"""Separation of duties: whoever submits, marks or changes a thing never approves it.

Each app states its own rule in its service (the one place pages and API both call) and raises
:class:`DutyConflict` when it is broken. The refusal is audited: a service wrapped in
:func:`audited_refusals` writes one audit row ``<action>.refused`` after its transaction has rolled
back, so the row survives the refusal.

:func:`acts_only_for` answers the second half of the rule: review belongs to the body that
supervises the work, so a reviewer whose roles (with the reviewing permission) all sit inside the
reporting unit's own subtree acts only for that unit and may not review it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import models

from . import access
from .audit import audit_record
from .errors import ApplicationError

P = ParamSpec("P")
R = TypeVar("R")

CODE = "separation_of_duties"


class DutyConflict(ApplicationError):
    """The actor may not approve what they did themselves (answers 403 with a clear message)."""

    status = 403

    def __init__(
        self,
        message: str,
        *,
        action: str,
        obj: models.Model | None = None,
        organization: Any = None,
        reason: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=CODE)
        self.action = action
        self.obj = obj
        self.organization = organization
        self.reason = reason
        self.audit_details = details or {}


def acts_only_for(user: Any, perm: str, unit: Any) -> bool:
    """True when every role through which ``user`` holds ``perm`` sits inside ``unit``'s own
    subtree (and there is at least one): the user acts only for that unit. Superusers and anyone
    with the permission from a body outside the unit (one that supervises it) do not."""
    if getattr(user, "is_superuser", False):
        return False
    inside = outside = False
    for role, path, _ in access.memberships_of(user):
        if access.role_has(role, perm):
            if path.startswith(unit.path):
                inside = True
            else:
                outside = True
    return inside and not outside


def same_person(user: Any, other: Any) -> bool:
    """Is ``other`` (a user or a user id, possibly None) the same person as ``user``?"""
    if other is None or user is None or getattr(user, "pk", None) is None:
        return False
    return getattr(other, "pk", other) == user.pk


def audited_refusals(func: Callable[P, R]) -> Callable[P, R]:
    """Write the audit row of a :class:`DutyConflict` raised by ``func`` (put this decorator
    outside ``transaction.atomic`` so the row is written after the rollback)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DutyConflict as exc:
            audit_record(
                actor=kwargs.get("actor"),
                action=f"{exc.action}.refused",
                obj=exc.obj,
                organization=exc.organization,
                details={"rule": CODE, "reason": exc.reason, **exc.audit_details},
            )
            raise

    return wrapper
