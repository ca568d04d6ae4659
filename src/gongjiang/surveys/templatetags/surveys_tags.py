"""Template filters of the survey pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` (None when missing or not a mapping)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def rank_of(ranking: Any, key: str) -> int | None:
    """The 1-based place of ``key`` in a submitted ranking."""
    if isinstance(ranking, list) and key in ranking:
        return ranking.index(key) + 1
    return None
