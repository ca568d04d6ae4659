"""Conflict-of-interest checks for panels: may this person score this item?

Two checks apply to every review round: a panel member never scores what they nominated, nor an
item from an organisation on their own branch of the tree (their organisation, one inside it or one
above it — memberships at the round's owner or above are neutral, so the organising federation's
own experts may score everyone). The same affiliation rule serves competitions' judges
(:func:`affiliation_conflict`). An app adds its own check for its kind of round with
:func:`register_conflict_check` (for example: the panel member is one of the result's authors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import ReviewItem

ConflictCheck = Callable[[Any, "ReviewItem"], str | None]
_CHECKS: dict[str, list[ConflictCheck]] = {}


def register_conflict_check(kind: str, check: ConflictCheck) -> None:
    """Add ``check(user, item) -> reason or None`` for rounds of ``kind`` (idempotent)."""
    checks = _CHECKS.setdefault(kind, [])
    if check not in checks:
        checks.append(check)


def affiliations(user: Any) -> list[tuple[str, str]]:
    """(name, path) of each active organisation where ``user`` has a role: read once and pass
    to the checks below when one person is checked against many items."""
    from ..models import Membership

    return list(
        Membership.objects.filter(user=user, organization__is_active=True).values_list(
            "organization__name", "organization__path"
        )
    )


def affiliation_conflict(
    user: Any,
    *,
    subject_paths: Sequence[str],
    neutral_path: str,
    memberships: Sequence[tuple[str, str]] | None = None,
) -> str | None:
    """The name of the user's organisation on the same branch as one of ``subject_paths`` (the
    subject's organisation, inside it or above it), or None. Memberships at ``neutral_path`` or
    above it are neutral. ``memberships``: the user's :func:`affiliations`, when already read."""
    if memberships is None:
        memberships = affiliations(user)
    for name, path in memberships:
        if neutral_path.startswith(path):
            continue
        if any(p.startswith(path) or path.startswith(p) for p in subject_paths):
            return name
    return None


def review_conflict_reason(
    user: Any, item: ReviewItem, *, memberships: Sequence[tuple[str, str]] | None = None
) -> str | None:
    """Why ``user`` may not score ``item`` (None when free to). ``memberships``: the user's
    :func:`affiliations`, when checking one person against many items."""
    if item.nominated_by_id is not None and item.nominated_by_id == user.pk:
        return _("The panel member nominated “%(item)s”.") % {"item": item.label}
    org = affiliation_conflict(
        user,
        subject_paths=[item.organization.path],
        neutral_path=item.round.organization.path,
        memberships=memberships,
    )
    if org is not None:
        return _("The panel member belongs to %(org)s, where “%(item)s” comes from.") % {
            "org": org,
            "item": item.label,
        }
    for check in _CHECKS.get(item.round.kind, []):
        reason = check(user, item)
        if reason:
            return reason
    return None
