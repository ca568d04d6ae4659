"""Who acts: a person (a User) or a system (the CLI, another app's background work).

Services accept either. A :class:`SystemActor` is superuser-equivalent for permission checks and
is written to the audit log as "system" with its name in the details.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from gongjiang.core.audit import audit_record
from gongjiang.core.models import AuditEvent, Organization


class SystemActor:
    """A superuser-equivalent actor for system work (``SystemActor("import-workers")``)."""

    is_authenticated = True
    is_superuser = True
    is_active = True
    is_staff = False
    is_anonymous = False
    pk = None
    id = None

    def __init__(self, name: str = "system") -> None:
        self.name = name

    def get_username(self) -> str:
        return f"system:{self.name}"

    def __str__(self) -> str:
        return self.get_username()


SYSTEM = SystemActor()


def user_or_none(actor: Any) -> Any:
    """The User behind an actor (for ``recorded_by``/``created_by`` foreign keys), or None."""
    return actor if isinstance(actor, get_user_model()) else None


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organization: Organization | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """``core.audit.audit_record`` that also accepts a SystemActor."""
    details = dict(details or {})
    user = user_or_none(actor)
    if user is None and actor is not None:
        details.setdefault("system", getattr(actor, "name", str(actor)))
    return audit_record(
        actor=user, action=action, obj=obj, organization=organization, details=details
    )
