"""The audit helper of this app: accepts a User or a system actor (a background job, the demo)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from gongjiang.core.audit import audit_record
from gongjiang.core.models import AuditEvent, Organization


def user_or_none(actor: Any) -> Any:
    return actor if isinstance(actor, get_user_model()) else None


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organization: Organization | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """``core.audit.audit_record``; a non-User actor is written as "system" with its name."""
    details = dict(details or {})
    user = user_or_none(actor)
    if user is None and actor is not None:
        details.setdefault(
            "system", actor.get_username() if hasattr(actor, "get_username") else str(actor)
        )
    return audit_record(
        actor=user, action=action, obj=obj, organization=organization, details=details
    )
