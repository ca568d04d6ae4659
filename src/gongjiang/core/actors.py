"""Who acts: a person (a User) or a system (the CLI, another app's background work).

Services accept either. A :class:`SystemActor` is superuser-equivalent for permission checks and
is written to the audit log as "system" with its name in the details.
"""

from __future__ import annotations

from gongjiang.core.audit import audit_record, user_or_none

__all__ = ["SYSTEM", "SystemActor", "audit", "user_or_none"]


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

# A system actor is audited as "system" with its name in the details (core.audit.audit_record);
# ``audit`` is kept as the name most services import it by.
audit = audit_record
