"""Enterprise new-style apprenticeship (企业新型学徒制): the rules with the policy as their default,
each with its source, and the pure arithmetic of periods and subsidies.

A province, a city or an enterprise changes a rule with a row of its own (``ApprenticeRule``); the
row of the nearest organisation above (or at) the enterprise wins, and without one the policy row
below stands. Period rules may be set per target level.

Sources
-------
* SRC_2021 — 人力资源社会保障部 财政部 国务院国资委 中华全国总工会 全国工商联《关于全面推行中国特色企业新型
  学徒制 加强技能人才培养的指导意见》（人社部发〔2021〕39号）, as the ministry announced it on 2021-06-22:
  apprentices are new hires and transferred workers in skilled posts with a labour contract of at
  least one year; the targets are 中级工、高级工及技师、高级技师; “培养期限为1-2年，特殊情况可延长到3年”;
  two mentors (企业导师 and 院校导师); one plan per class (一班一方案); the subsidy is set by the
  human-resources departments of cities (市(地)) or above with the finance departments, “学徒每人每年的补贴
  标准原则上5000元以上”.
* SRC_2018 — 人力资源社会保障部 财政部《关于全面推行企业新型学徒制的意见》（人社部发〔2018〕66号）: the
  enterprise picks excellent highly-skilled workers (高技能人才) as mentors; the enterprise and the
  apprentice sign a training agreement (培养协议); its subsidy was “原则上4000元” a year — superseded
  by the 2021 figure.
* 平台默认 — what no national text fixes: the mentor's lowest level read as 高级工 (the lowest
  高技能 level of the registry's scale), three apprentices per mentor, the documents of a claim.
  Set them from the province's or city's own implementing rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

SRC_2021 = "人社部发〔2021〕39号《关于全面推行中国特色企业新型学徒制 加强技能人才培养的指导意见》"
SRC_2018 = "人社部发〔2018〕66号《关于全面推行企业新型学徒制的意见》"
SRC_PLATFORM = "平台默认"

# the keys of the rules table
PERIOD_MIN = "period_min"
PERIOD_MAX = "period_max"
PERIOD_SPECIAL_MAX = "period_special_max"
SUBSIDY = "subsidy_per_year"
MENTOR_LEVEL = "mentor_min_level"
MENTOR_LIMIT = "mentor_max_apprentices"
CONTRACT_MIN = "contract_min_months"
DOCUMENTS = "required_documents"
ADVANCE = "subsidy_advance_pct"

PERIOD_KEYS = (PERIOD_MIN, PERIOD_MAX, PERIOD_SPECIAL_MAX)
KEYS = (*PERIOD_KEYS, SUBSIDY, MENTOR_LEVEL, MENTOR_LIMIT, CONTRACT_MIN, DOCUMENTS, ADVANCE)
# set by cities (市(地)) or above, never by the enterprise that is paid (SRC_2021)
GOVERNMENT_KEYS = (SUBSIDY, ADVANCE)

# the guidance's targets (SRC_2021), lowest first
TARGET_LEVELS = ("INTERMEDIATE", "SENIOR", "TECHNICIAN", "SENIOR_TECHNICIAN")
# the guidance's floor of the yearly subsidy (“原则上”: a province may set otherwise; pages flag it)
SUBSIDY_FLOOR = Decimal("5000.00")
# the outer bound of any period rule: three years (SRC_2021)
PERIOD_CEILING = 36

DOCUMENT_KINDS = {
    "agreement": "学徒培养协议",
    "contract": "劳动合同（一年以上）",
    "cooperation": "企业与培训机构合作协议",
    "plan": "培训计划（一班一方案）",
    "roster": "学徒花名册",
    "costs": "培训费用凭证",
}


@dataclass(frozen=True)
class Default:
    value: str
    source: str


POLICY: dict[str, Default] = {
    PERIOD_MIN: Default("12", f"{SRC_2021}：培养期限为1-2年"),
    PERIOD_MAX: Default("24", f"{SRC_2021}：培养期限为1-2年"),
    PERIOD_SPECIAL_MAX: Default("36", f"{SRC_2021}：特殊情况可延长到3年"),
    SUBSIDY: Default(
        "5000.00",
        f"{SRC_PLATFORM}，取{SRC_2021}的标准下限：由市(地)以上人社部门会同财政部门确定，"
        f"学徒每人每年原则上5000元以上（{SRC_2018}为4000元）",
    ),
    MENTOR_LEVEL: Default(
        "SENIOR",
        f"{SRC_2018}：选拔优秀高技能人才担任企业导师；{SRC_PLATFORM}：高技能人才自高级工（三级）起",
    ),
    MENTOR_LIMIT: Default("3", f"{SRC_PLATFORM}：各地规定不一，按本省（市）实施办法设定"),
    CONTRACT_MIN: Default("12", f"{SRC_2021}：签订1年以上劳动合同的技能岗位新招用和转岗等人员"),
    ADVANCE: Default(
        "0",
        f"{SRC_PLATFORM}：不预拨（0%）。{SRC_2021}由市(地)以上人社部门会同财政部门确定补贴的标准和拨付"
        "办法；预拨一部分年度补贴的省份按本省实施办法设定比例",
    ),
    DOCUMENTS: Default(
        "agreement,contract,plan,roster",
        f"{SRC_2018}：培养协议；{SRC_2021}：劳动合同、一班一方案；{SRC_PLATFORM}：学徒花名册",
    ),
}


@dataclass(frozen=True)
class Rule:
    """One rule as it stands for an enterprise: its value, where it was set and its source."""

    key: str
    level: str  # "" for every target level
    value: str
    source: str
    set_at: str  # the organisation's name, or "" for the policy


@dataclass(frozen=True)
class Row:
    """A row of the rules table as the resolver needs it."""

    key: str
    level: str
    value: str
    source: str
    depth: int
    organization: str


def resolve(rows: Iterable[Row], key: str, level: str = "") -> Rule:
    """The rule standing for ``key`` (and target ``level``) given the rows of the enterprise's
    organisation and those above it: the deepest row wins; at one depth a row for the level wins
    over one for every level; without rows, the policy."""
    best: Row | None = None
    for row in rows:
        if row.key != key or row.level not in ("", level):
            continue
        rank = (row.depth, row.level != "")
        if best is None or rank > (best.depth, best.level != ""):
            best = row
    if best is None:
        d = POLICY[key]
        return Rule(key, "", d.value, d.source, "")
    return Rule(key, best.level, best.value, best.source, best.organization)


# ---------------------------------------------------------------------------------- periods
def anniversary(start: dt.date, months: int) -> dt.date:
    """The day ``months`` months after ``start``; a day the month lacks (31 April, 29 February
    in a common year) falls on the first of the next month, as the bridge's anniversaries do."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    try:
        return dt.date(year, month, start.day)
    except ValueError:
        return dt.date(year + month // 12, month % 12 + 1, 1)


def period_end(start: dt.date, months: int) -> dt.date:
    """The last day of a period of ``months`` months from ``start`` (the day before the
    anniversary): 2026-03-01 + 12 → 2027-02-28."""
    return anniversary(start, months) - dt.timedelta(days=1)


def whole_months(start: dt.date, end: dt.date) -> int:
    """The whole months of an agreement from ``start`` to ``end`` (both days included)."""
    if end < start:
        return 0
    n = (end.year - start.year) * 12 + end.month - start.month + 1
    while n > 0 and period_end(start, n) > end:
        n -= 1
    return n


@dataclass(frozen=True)
class PeriodCheck:
    ok: bool
    special: bool  # longer than the regular longest period (a special case)
    months: int
    shortest_end: dt.date
    regular_end: dt.date
    special_end: dt.date


def check_period(
    start: dt.date, end: dt.date, *, shortest: int, longest: int, special: int
) -> PeriodCheck:
    """Judge an agreement's period against the rules (months, both ends included): at least
    ``shortest`` months, at most ``longest``, or up to ``special`` months in a special case."""
    shortest_end = period_end(start, shortest)
    regular_end = period_end(start, longest)
    special_end = period_end(start, max(special, longest))
    ok = shortest_end <= end <= special_end
    return PeriodCheck(
        ok, end > regular_end, whole_months(start, end), shortest_end, regular_end, special_end
    )


# --------------------------------------------------------------------------------- subsidies
def months_in_year(start: dt.date, months: int, year: int) -> int:
    """Of ``months`` training months from ``start``, those beginning in ``year``: each month is
    counted once, in the year it begins, so the years of a period add up to its months."""
    return sum(1 for k in range(months) if anniversary(start, k).year == year)


def subsidy_amount(per_year: Decimal, months: int) -> Decimal:
    """One apprentice's subsidy for ``months`` months at ``per_year`` yuan a year, to the fen
    (half a fen rounds up). A claim's total is the sum of these amounts."""
    return (per_year * months / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def document_kinds(value: str) -> list[str]:
    return [k for k in (value or "").split(",") if k in DOCUMENT_KINDS]


def missing_documents(required: Sequence[str], attached: Iterable[str]) -> list[str]:
    have = set(attached)
    return [k for k in required if k not in have]


# ------------------------------------------------------------------------ advance payment
def advance_amount(per_year: Decimal, months: int, percent: Decimal) -> Decimal:
    """The advance of one apprentice's year: ``percent`` % of the year's amount for ``months``
    months (:func:`subsidy_amount`), to the fen, rounded **down** — so a claim's advance (the sum
    of these) is never above ``percent`` % of the year's amount."""
    whole = subsidy_amount(per_year, months)
    return (whole * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def final_after_advance(due: Decimal, advanced: Decimal) -> Decimal:
    """What the year's final claim pays: the year's amount due less the advance paid (never
    below zero: a larger advance is refused by the service, not netted silently)."""
    return due - advanced
