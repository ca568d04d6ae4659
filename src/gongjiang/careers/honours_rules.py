"""Composition rules of an honours round, judged on a list of nominees (pure, no database).

A rule says a share of the list: ``min`` — the nominees of the named categories make up at least
``percent`` % of it; ``max`` — at most. Shares are compared exactly in integers
(``count × 100 ≥ percent × total``), so 7 of 10 meets "at least 70 %" and 3 of 20 meets "at most
15 %". An empty list breaks no rule (there is nothing to judge yet).

Defaults (``DEFAULT_RULES``): the national unions' notices for 全国五一劳动奖章 and 劳动模范 ask for a
minimum share of frontline workers and professional technicians and cap the share of enterprise
leaders; the figures differ by year and honour, so the defaults are the platform's (平台默认) for
the organiser to set from the round's own notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SRC_DEFAULT = "平台默认（依评选通知设定：一线职工和专业技术人员比例下限、企业负责人比例上限）"

DEFAULT_RULES: list[dict[str, object]] = [
    {"categories": "frontline,technician", "bound": "min", "percent": 70, "source": SRC_DEFAULT},
    {"categories": "leader", "bound": "max", "percent": 15, "source": SRC_DEFAULT},
]

# 职业分类大典 2022 major groups: 1 负责人; 2 专业技术人员; 4/5/6 生产一线; 3 and X other
_CATEGORY_BY_GROUP = {"1": "leader", "2": "technician", "4": "frontline", "5": "frontline"}
_CATEGORY_BY_GROUP["6"] = "frontline"


def category_of(occupation_code: str | None) -> str:
    """The nominee's category from the registry's occupation code."""
    return _CATEGORY_BY_GROUP.get((occupation_code or "")[:1], "other")


@dataclass(frozen=True)
class RuleSpec:
    categories: tuple[str, ...]
    bound: str  # "min" or "max"
    percent: int


@dataclass(frozen=True)
class RuleState:
    rule: RuleSpec
    count: int
    total: int
    met: bool

    @property
    def share(self) -> float:
        """The share in percent, for drawing the bar (the judgement itself is exact)."""
        return 100.0 * self.count / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "categories": list(self.rule.categories),
            "bound": self.rule.bound,
            "percent": self.rule.percent,
            "count": self.count,
            "total": self.total,
            "met": self.met,
        }


def judge_rule(rule: RuleSpec, categories: Sequence[str]) -> RuleState:
    total = len(categories)
    count = sum(1 for c in categories if c in rule.categories)
    if total == 0:
        return RuleState(rule, 0, 0, True)
    if rule.bound == "min":
        met = count * 100 >= rule.percent * total
    else:
        met = count * 100 <= rule.percent * total
    return RuleState(rule, count, total, met)


def composition(rules: Iterable[RuleSpec], categories: Sequence[str]) -> list[RuleState]:
    """Every rule judged on the list of categories."""
    return [judge_rule(r, categories) for r in rules]
