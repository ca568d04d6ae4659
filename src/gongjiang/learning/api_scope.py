"""Looking up the organisation an API call names, within the caller's scope (shared by the learning
API modules, so that none of them has to import ``api.py``, which mounts them)."""

from __future__ import annotations

from typing import Any

from gongjiang.core.access import get_visible_or_404
from gongjiang.core.models import Organization


def org_for(actor: Any, code: str, perm: str) -> Organization:
    """The organisation ``code`` if ``actor`` holds ``perm`` in it; 404 when it is missing or out
    of scope alike."""
    return get_visible_or_404(Organization.objects.all(), actor, perm, code=code)
