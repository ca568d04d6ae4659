"""Standardisation of scores for comparing across trades, behind a pluggable interface.

A scaler turns the raw totals of one trade into comparable figures; the page shows the scaler's
``label`` beside them so nobody mistakes a scaled figure for a raw one. Add a scaler by writing a
class with ``key``, ``label`` and ``scale`` and listing it in ``SCALERS``.
"""

from __future__ import annotations

import statistics
from typing import Protocol

from django.utils.translation import gettext_lazy as _


class Scaler(Protocol):
    key: str
    label: str

    def scale(self, values: list[float]) -> list[float | None]: ...


class NoScaler:
    key = "none"
    label = _("raw scores (no standardisation)")

    def scale(self, values: list[float]) -> list[float | None]:
        return [None for _ in values]


class WorldSkillsScaler:
    """WorldSkills style: the median entrant at 700, 100 points per (population) standard deviation;
    with one entrant, or all equal, everyone is at 700."""

    key = "worldskills"
    label = _("standardised: median 700, 100 points per standard deviation")
    centre = 700.0
    per_sd = 100.0

    def scale(self, values: list[float]) -> list[float | None]:
        if not values:
            return []
        median = statistics.median(values)
        sd = statistics.pstdev(values) if len(values) > 1 else 0.0
        if sd == 0:
            return [self.centre for _ in values]
        return [round(self.centre + (v - median) / sd * self.per_sd, 1) for v in values]


SCALERS: dict[str, Scaler] = {s.key: s for s in (NoScaler(), WorldSkillsScaler())}


def scaler_for(key: str) -> Scaler:
    return SCALERS.get(key, SCALERS["none"])
