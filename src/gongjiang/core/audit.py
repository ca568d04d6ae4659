"""Writing the audit log: who, when, what, which object, which organisation, from where."""

from __future__ import annotations

from typing import Any

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


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organization: Organization | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. Call it inside the service's transaction."""
    if organization is None and obj is not None:
        if isinstance(obj, Organization):
            organization = obj
        else:
            organization = getattr(obj, "organization", None)
    object_code = ""
    if obj is not None:
        object_code = str(getattr(obj, "code", None) or obj.pk or "")
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_code=object_code[:40],
        object_repr=str(obj)[:200] if obj is not None else "",
        organization=organization,
        client_address=client_address.get(),
        details=_jsonable(details or {}),
    )


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
