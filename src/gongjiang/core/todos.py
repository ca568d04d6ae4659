"""The to-dos of the home page (工作台), registered once here by every app.

An app lists what waits for a user in its own ``todos.py``::

    from gongjiang.core.todos import Todo, register

    @register("reform")
    def reform_todos(user) -> list[Todo]:
        if not access.can(user, "reform.review"):
            return []
        return [Todo(_("Reports awaiting my review"), reports_to_review(actor=user).count(),
                     reverse("reform:review_list"), priority=10)]

Rules a provider keeps:
* return only what the user's roles may open (the link must not answer 403 or 404);
* count with scoped, cheap COUNT queries (``.visible_to(user)``), one or two per to-do, never a
  loop over rows — the home page's query count is bounded by a test;
* ``count=None`` is a shortcut without a count (a worker's "My certificates").

``CoreConfig.ready`` imports every installed app's ``todos`` module, so a provider registers itself
by being defined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Provider = Callable[[Any], list["Todo"]]


@dataclass(frozen=True)
class Todo:
    label: str
    count: int | None
    url: str
    priority: int = 50  # smaller first
    icon: str = "check2-square"

    @property
    def waiting(self) -> bool:
        """Something waits for the user (a non-zero count)."""
        return bool(self.count)


_PROVIDERS: dict[str, Provider] = {}


def register(name: str) -> Callable[[Provider], Provider]:
    """Register ``provider`` under ``name`` (re-registering a name replaces it: module reloads)."""

    def decorator(provider: Provider) -> Provider:
        _PROVIDERS[name] = provider
        return provider

    return decorator


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def todos_for(user: Any) -> list[Todo]:
    """Every registered to-do of ``user``: waiting ones first, then by priority and label."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    out: list[Todo] = []
    for provider in _PROVIDERS.values():
        out.extend(provider(user))
    return sorted(
        out,
        key=lambda t: (t.count is not None and not t.waiting, t.count is None, t.priority, t.label),
    )


# ------------------------------------------------------------------------- core's own to-dos
FAILED_JOB_DAYS = 7


@register("core")
def core_todos(user: Any) -> list[Todo]:
    """Background work the user started that failed recently (an import, a report)."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .models import Job

    failed = list(
        Job.objects.filter(
            created_by=user,
            status=Job.Status.FAILED,
            finished_at__gte=timezone.now() - dt.timedelta(days=FAILED_JOB_DAYS),
        )
        .order_by("-finished_at")
        .values_list("code", flat=True)[:100]
    )
    if not failed:
        return []
    return [
        Todo(
            _("Background jobs of mine that failed"),
            len(failed),
            reverse("core:job_detail", args=[failed[0]]),
            priority=5,
            icon="exclamation-triangle",
        )
    ]
