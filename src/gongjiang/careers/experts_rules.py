"""The pure rules of expert-level selection: who may apply (the level's definition: lowest skill
level and full years at it), the term of an appointment, and the selection of a ranked list within
the call's places and the units' places — with ties at the line left for the organiser to break.

No database here: the services (experts.py) read the registry and call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from .bridge import Record, full_years, reached_on, skill_rank

SELECTED = "selected"
TIED = "tied"
NOT_SELECTED = "not_selected"
BELOW_PASS = "below_pass"  # scored under the call's pass mark: never selected

# the window before a term's end in which it is re-evaluated (platform default)
REEVALUATION_DAYS = 90


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February falls on 1 March (as the bridge's anniversaries)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def term_end(start: dt.date, years: int) -> dt.date:
    """The last day of a term of ``years`` from ``start`` (a 3-year term from 2026-07-01 ends
    2029-06-30)."""
    return add_years(start, years) - dt.timedelta(days=1)


def eligibility(
    *,
    min_skill_level: str,
    min_years: int,
    record: Record,
    on_the_job: bool,
    held_rank: int | None,
    rank: int,
) -> list[dict[str, Any]]:
    """The conditions of the level's definition on ``record.as_of``, each ``{rule, required,
    actual, met}`` (codes, as the bridge answers): on the job, not already an expert of this level
    or a higher one (a smaller rank), the lowest skill level, the full years at it or above."""
    level = _level_on(record)
    since = reached_on(record, min_skill_level)
    years = full_years(since, record.as_of) if since else 0
    return [
        {
            "rule": "on_the_job",
            "required": "active",
            "actual": "active" if on_the_job else "no",
            "met": on_the_job,
        },
        {
            "rule": "not_yet_held",
            "required": str(rank),
            "actual": str(held_rank) if held_rank is not None else "",
            "met": held_rank is None or held_rank > rank,
        },
        {
            "rule": "skill_level",
            "required": min_skill_level,
            "actual": level,
            "met": skill_rank(level) >= skill_rank(min_skill_level),
        },
        {
            "rule": "years_at_skill_level",
            "required": f"{min_years}@{min_skill_level}",
            "actual": f"{years}@{min_skill_level}",
            "met": since is not None and years >= min_years,
        },
    ]


def _level_on(record: Record) -> str:
    from .bridge import level_on

    return level_on(record)


@dataclass(frozen=True)
class Ranked:
    """One reviewed application: its key, its rank (ties share one), its total and its unit
    (None when the call has no unit places)."""

    key: Any
    rank: int
    total: Any
    unit: Any = None


def select(
    ranked: Sequence[Ranked],
    *,
    places: int,
    unit_places: Mapping[Any, int],
    pass_mark: Any = 0,
    preferred: Iterable[Any] = (),
) -> dict[Any, str]:
    """Who is selected: down the ranking, a group of equal rank is taken whole while the call's
    places and each unit's places hold it; a group that does not fit is *tied at the line* (the
    organiser chooses among it: ``preferred`` — their choice — goes ahead of the rest of its
    group); below the line everyone is not selected. Totals under ``pass_mark`` are never
    selected. A unit without places of its own is limited by the call's places only."""
    chosen = set(preferred)
    left = places
    unit_left = dict(unit_places)
    out: dict[Any, str] = {}
    eligible = []
    for r in ranked:
        if r.total is None or r.total < pass_mark:
            out[r.key] = BELOW_PASS
        else:
            eligible.append(r)
    eligible.sort(key=lambda r: (r.rank, r.key not in chosen))
    for _k, group_iter in groupby(eligible, key=lambda r: (r.rank, r.key not in chosen)):
        group = list(group_iter)
        room = [r for r in group if unit_left.get(r.unit, 1) > 0 and left > 0]
        for r in group:
            if r not in room:
                out[r.key] = NOT_SELECTED
        if not room:
            continue
        by_unit: dict[Any, list[Ranked]] = {}
        for r in room:
            by_unit.setdefault(r.unit, []).append(r)
        take = {
            u: min(len(rows), unit_left[u]) if u in unit_left else len(rows)
            for u, rows in by_unit.items()
        }
        if sum(take.values()) > left:  # the call's places cannot hold the group: all tied
            for r in room:
                out[r.key] = TIED
            left = 0
            continue
        for u, rows in by_unit.items():
            status = SELECTED if take[u] == len(rows) else TIED
            for r in rows:
                out[r.key] = status
            if u in unit_left:
                unit_left[u] -= take[u]
            left -= take[u]
    return out


# ------------------------------------------------ a tie at a place freed during the notice
# How an enterprise breaks a tie at the line when a place is freed during the public notice (an
# application struck out after an objection), per ExpertTieRule; platform default
# CRITERION_THEN_LEVEL_DATE. Neither the 14号文 nor the enterprises' schemes we read fix it.
CRITERION_THEN_LEVEL_DATE = "criterion_date"
PANEL = "panel"
TIE_RULES = (CRITERION_THEN_LEVEL_DATE, PANEL)
DEFAULT_TIE_RULE = CRITERION_THEN_LEVEL_DATE

BY_CRITERION = "criterion"  # the higher mean score on the call's first criterion
BY_LEVEL_DATE = "level_date"  # equal on it: the earlier day at the level's lowest skill level
BY_PANEL = "panel"  # still equal (or the rule says so): the place stays open for the panel


@dataclass(frozen=True)
class TieFacts:
    """One application tied at the line: its key, its mean score on the first criterion (a
    Fraction, exact; None without scores) and the day its unbroken stretch at the level's lowest
    skill level began (None when unknown)."""

    key: Any
    first_criterion: Any
    level_since: dt.date | None


def _tie_key(f: TieFacts) -> tuple[Any, dt.date]:
    score = f.first_criterion if f.first_criterion is not None else -1
    return (-score, f.level_since or dt.date.max)


def tie_order(tied: Sequence[TieFacts]) -> list[TieFacts]:
    """The tied applications in the rule's order, best first (equal ones keep their key order)."""
    return sorted(tied, key=lambda f: (_tie_key(f), str(f.key)))


def break_tie(tied: Sequence[TieFacts], places: int, rule: str) -> tuple[list[Any], str]:
    """Who takes the ``places`` a tie holds: ``(keys, how)``. The first ``places`` of
    :func:`tie_order` when they are strictly ahead of the next one — ``how`` is ``criterion`` when
    the first criterion separates them, else ``level_date``; otherwise (equal on both, or the
    rule leaves every tie to the panel) ``([], "panel")`` and the place stays open."""
    if rule == PANEL or not 0 < places < len(tied):
        return [], BY_PANEL
    order = tie_order(tied)
    last, first_out = order[places - 1], order[places]
    if _tie_key(last) == _tie_key(first_out):
        return [], BY_PANEL
    how = BY_CRITERION if _tie_key(last)[0] != _tie_key(first_out)[0] else BY_LEVEL_DATE
    return [f.key for f in order[:places]], how
