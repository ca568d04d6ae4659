"""Badges on a worker's profile (the workforce worker page and ``GET /api/v1/workforce/workers/{code}``)
that other apps provide without the workforce app importing them.

An app registers a provider (usually from its ``AppConfig.ready``)::

    from gongjiang.core.profile_badges import Badge, register

    @register("assistance")
    def assistance_badges(viewer, worker) -> list[Badge]:
        ...

Rules a provider keeps:
* return a badge only to a viewer who may know the fact behind it (the provider checks the
  viewer's permission over the worker's organisation itself); to everyone else return ``[]`` —
  the same answer as when the fact does not hold, so nobody can tell the two apart;
* one or two cheap queries, never a loop over rows;
* a badge says a fact, never the sensitive data behind it (no amounts, no household details).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Provider = Callable[[Any, Any], list["Badge"]]


@dataclass(frozen=True)
class Badge:
    key: str  # stable machine name, e.g. "assistance.receives_support"
    label: str  # translated text shown on the page
    url: str = ""  # where the viewer may follow it (a page they may open), or ""
    icon: str = "tag"


_PROVIDERS: dict[str, Provider] = {}


def register(name: str) -> Callable[[Provider], Provider]:
    """Register ``provider`` under ``name`` (re-registering a name replaces it: module reloads)."""

    def decorator(provider: Provider) -> Provider:
        _PROVIDERS[name] = provider
        return provider

    return decorator


def badges_for(viewer: Any, worker: Any) -> list[Badge]:
    """Every badge of ``worker`` that ``viewer`` may see, ordered by key."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    out: list[Badge] = []
    for provider in _PROVIDERS.values():
        out.extend(provider(viewer, worker))
    return sorted(out, key=lambda b: b.key)
