"""Writing the audit log: who, when, what, which object, which organisation, from where."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from .middleware import client_address
from .models import AuditEvent, Organization


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def user_or_none(actor: Any) -> Any:
    """The User behind an actor (for ``recorded_by``/``created_by`` foreign keys), or None: a
    :class:`~gongjiang.core.actors.SystemActor`, an anonymous visitor or None give None."""
    return actor if isinstance(actor, get_user_model()) else None


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organization: Organization | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. Call it inside the service's transaction.

    ``actor`` is a User, None, an anonymous visitor, or a system actor
    (:class:`~gongjiang.core.actors.SystemActor`: written as "system" with its name in the details).
    """
    if organization is None and obj is not None:
        if isinstance(obj, Organization):
            organization = obj
        else:
            organization = getattr(obj, "organization", None)
    object_code = ""
    if obj is not None:
        object_code = str(getattr(obj, "code", None) or obj.pk or "")
    user = user_or_none(actor)
    details = dict(details or {})
    if user is None and getattr(actor, "is_authenticated", False):
        details.setdefault("system", getattr(actor, "name", str(actor)))
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_code=object_code[:40],
        object_repr=str(obj)[:200] if obj is not None else "",
        organization=organization,
        client_address=client_address.get(),
        details=_jsonable(details),
    )


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
