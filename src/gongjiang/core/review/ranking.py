"""Ranking with ties ("1, 2, 2, 4": standard competition ranking) and grades by rank bands or score
thresholds — shared by competitions' results and every review round."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def competition_ranks(items: Sequence[T], key: Callable[[T], Any]) -> list[tuple[int, T]]:
    """(rank, item) for ``items`` already sorted by ``key`` (best first): equal keys share a rank,
    and the next rank skips as many places as shared it."""
    out: list[tuple[int, T]] = []
    previous: tuple[Any, int] | None = None
    for position, item in enumerate(items, start=1):
        k = key(item)
        rank = previous[1] if previous is not None and previous[0] == k else position
        out.append((rank, item))
        previous = (k, rank)
    return out


def grade_for_rank(rank: int, bands: Sequence[dict[str, Any]]) -> str:
    """Rank bands in order, each ``{"grade": …, "up_to": last rank}``: the first that covers."""
    for band in bands:
        if rank <= int(band["up_to"]):
            return str(band["grade"])
    return ""


def grade_for_score(score: Decimal, bands: Sequence[dict[str, Any]]) -> str:
    """Score thresholds, each ``{"grade": …, "min": lowest score}``: the highest threshold met."""
    met = [b for b in bands if score >= Decimal(str(b["min"]))]
    if not met:
        return ""
    return str(max(met, key=lambda b: Decimal(str(b["min"])))["grade"])
