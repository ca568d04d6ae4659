"""The bridge (立交桥) engine: may this worker move to (or be recognised at) a target title or level?

Pure functions over a :class:`Record` (what the registry knows of one worker on a date) and the
rule rows in force (the enterprise's table or the policy defaults). A target has one or more
paths (the standard one, one for outstanding achievement, the skills ladder …); the worker is
eligible when every condition of one path is met. The answer names the conditions of the path
that is met, or else of the path that comes closest (fewest unmet conditions, then table order),
so a worker always reads exactly what they lack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .policy import HONOUR_RANK, SKILL_RANK, TITLE_RANK, Kind, RuleRow, target_kind


@dataclass(frozen=True)
class Record:
    """One worker as the registry knows them on ``as_of``.

    ``skill_history``: (date, level code or None) of every standing (not reverted) skill-level
    change, in the order they were recorded; ``titles``: (level, date) of standing professional
    titles; ``honours``: (level, year) of standing honours.
    """

    as_of: dt.date
    skill_level: str | None = None
    skill_history: Sequence[tuple[dt.date, str | None]] = ()
    occupation: str = ""
    titles: Sequence[tuple[str, dt.date]] = ()
    honours: Sequence[tuple[str, int]] = ()
    # management grades held: (grade, since, ended_on or None); held on d when since <= d < end
    grades: Sequence[tuple[str, dt.date, dt.date | None]] = ()
    # the management grades of the table in force, lowest first (their order ranks them)
    grade_order: Sequence[str] = ()


@dataclass
class Condition:
    rule: str
    required: str
    actual: str
    met: bool
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "required": self.required,
            "actual": self.actual,
            "met": self.met,
        }


@dataclass
class Answer:
    target: str
    eligible: bool
    path: str
    conditions: list[Condition] = field(default_factory=list)

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    def as_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "conditions": [c.as_dict() for c in self.conditions]}


def full_years(since: dt.date, on: dt.date) -> int:
    """Completed years from ``since`` to ``on`` (an anniversary on 29 February falls on 1 March)."""
    years = on.year - since.year
    if (on.month, on.day) < (since.month, since.day):
        years -= 1
    return max(years, 0)


def skill_rank(code: str | None) -> int:
    return SKILL_RANK.get(code or "", 0)


def _days(record: Record) -> list[tuple[dt.date, str | None]]:
    """The level the worker ended each day of change with, in date order, up to ``as_of`` (of two
    changes on one day the one recorded later stands; a change undone the same day leaves no gap)."""
    by_day: dict[dt.date, str | None] = {}
    for date, code in record.skill_history:  # recording order: the later one overwrites
        if date <= record.as_of:
            by_day[date] = code
    return sorted(by_day.items(), key=lambda item: item[0])


def reached_on(record: Record, level: str) -> dt.date | None:
    """The day the worker's current unbroken stretch at ``level`` or above began (None when they
    are below it on ``as_of``). Changes dated after ``as_of`` do not count; of two changes on one day
    the one recorded later stands."""
    need = skill_rank(level)
    since: dt.date | None = None
    for date, code in _days(record):
        if skill_rank(code) >= need:
            if since is None:
                since = date
        else:
            since = None
    return since


def level_on(record: Record) -> str:
    """The worker's skill level on ``as_of``: from the history when there is one."""
    if not record.skill_history:
        return record.skill_level or ""
    days = _days(record)
    return (days[-1][1] or "") if days else ""


def _title_rank(record: Record) -> tuple[int, str]:
    best = ("", 0)
    for level, date in record.titles:
        if date <= record.as_of and TITLE_RANK.get(level, 0) > best[1]:
            best = (level, TITLE_RANK[level])
    return best[1], best[0]


def _title_since(record: Record, level: str) -> dt.date | None:
    need = TITLE_RANK.get(level, 0)
    dates = [d for lv, d in record.titles if d <= record.as_of and TITLE_RANK.get(lv, 0) >= need]
    return min(dates) if dates else None


def _honour_best(record: Record) -> str:
    best = ""
    for level, year in record.honours:
        if year <= record.as_of.year and HONOUR_RANK.get(level, 0) > HONOUR_RANK.get(best, 0):
            best = level
    return best


def _grade_meets(record: Record, held: str, need: str) -> bool:
    """Is ``held`` the grade ``need`` or a higher one of the table? (A grade the table does not
    rank meets only itself.)"""
    order = list(record.grade_order)
    if held == need:
        return True
    return held in order and need in order and order.index(held) >= order.index(need)


def grade_on(record: Record) -> str:
    """The management grade held on ``as_of`` ('' when none)."""
    for grade, since, ended in record.grades:
        if since <= record.as_of and (ended is None or record.as_of < ended):
            return grade
    return ""


def grade_reached_on(record: Record, level: str) -> dt.date | None:
    """The first day of the unbroken stretch, up to ``as_of``, in which the worker held ``level``
    or a higher grade (None when they do not hold one on ``as_of``). A grade ending on the day the
    next begins leaves no gap."""
    spans = sorted(
        (since, ended)
        for grade, since, ended in record.grades
        if since <= record.as_of and _grade_meets(record, grade, level)
    )
    start: dt.date | None = None
    end: dt.date | None = None
    for since, ended in spans:
        if start is None or (end is not None and since > end):
            start, end = since, ended  # a new stretch (a gap before it)
        elif end is not None:
            end = None if ended is None else max(end, ended)
    if start is None or (end is not None and end <= record.as_of):
        return None
    return start


def _check(rule: RuleRow, record: Record) -> Condition:
    kind = rule.kind
    if kind == Kind.SKILL_LEVEL:
        actual = level_on(record)
        met = skill_rank(actual) >= skill_rank(rule.level)
        return Condition(kind, rule.level, actual, met, rule.source)
    if kind == Kind.YEARS_AT_SKILL:
        since = reached_on(record, rule.level)
        years = full_years(since, record.as_of) if since else 0
        required = f"{rule.years}@{rule.level}"
        actual = f"{years}@{rule.level}" if since else ""
        return Condition(
            kind, required, actual, since is not None and years >= (rule.years or 0), rule.source
        )
    if kind == Kind.TITLE_LEVEL:
        rank, level = _title_rank(record)
        return Condition(
            kind, rule.level, level, rank >= TITLE_RANK.get(rule.level, 99), rule.source
        )
    if kind == Kind.YEARS_AT_TITLE:
        since = _title_since(record, rule.level)
        years = full_years(since, record.as_of) if since else 0
        actual = f"{years}@{rule.level}" if since else ""
        met = since is not None and years >= (rule.years or 0)
        return Condition(kind, f"{rule.years}@{rule.level}", actual, met, rule.source)
    if kind == Kind.OCCUPATION:
        prefixes = [p.strip() for p in rule.prefixes.split(",") if p.strip()]
        met = bool(record.occupation) and any(record.occupation.startswith(p) for p in prefixes)
        return Condition(kind, ",".join(prefixes), record.occupation, met, rule.source)
    if kind == Kind.HONOUR:
        best = _honour_best(record)
        met = HONOUR_RANK.get(best, 0) >= HONOUR_RANK.get(rule.level, 99)
        return Condition(kind, rule.level, best, met, rule.source)
    if kind == Kind.MANAGEMENT_GRADE:
        held = grade_on(record)
        met = bool(held) and _grade_meets(record, held, rule.level)
        return Condition(kind, rule.level, held, met, rule.source)
    if kind == Kind.YEARS_AT_GRADE:
        since = grade_reached_on(record, rule.level)
        years = full_years(since, record.as_of) if since else 0
        actual = f"{years}@{rule.level}" if since else ""
        met = since is not None and years >= (rule.years or 0)
        return Condition(kind, f"{rule.years}@{rule.level}", actual, met, rule.source)
    raise ValueError(f"unknown rule kind {kind!r}")


def _not_held(target: str, record: Record) -> Condition:
    if target_kind(target) == "title":
        rank, level = _title_rank(record)
        return Condition(Kind.NOT_HELD, target, level, rank < TITLE_RANK[target])
    actual = level_on(record)
    return Condition(Kind.NOT_HELD, target, actual, skill_rank(actual) < SKILL_RANK[target])


def evaluate(target: str, record: Record, rules: Iterable[RuleRow]) -> Answer:
    """Judge one target. ``rules`` are all rows in force (any target); unknown targets raise."""
    if not target_kind(target):
        raise ValueError(f"unknown target {target!r}")
    paths: dict[str, list[RuleRow]] = {}
    for rule in rules:
        if rule.target == target:
            paths.setdefault(rule.path, []).append(rule)
    held = _not_held(target, record)
    if not paths:
        none = Condition("pathway", target, "", False)
        return Answer(target, False, "", [held, none])
    best: Answer | None = None
    for name, rows in paths.items():
        conditions = [held] + [_check(rule, record) for rule in rows]
        answer = Answer(target, all(c.met for c in conditions), name, conditions)
        if answer.eligible:
            return answer
        if best is None or len(answer.unmet) < len(best.unmet):
            best = answer
    assert best is not None
    return best
