"""Worker programmes: each kind's default eligibility with its source, and the eligibility judge
(pure: the registry's facts about one worker on a date in, every condition — met or not — out).

The conditions have the shape of the bridge contract (``rule``, ``required``, ``actual``, ``met``)
so pages and API show every unmet condition by name.

Sources
-------
* 求学圆梦行动: 教育部、全国总工会《农民工学历与能力提升行动计划——“求学圆梦行动”》(教职成〔2016〕3号)
  — union-funded continuing degree education for migrant workers; widened in 2025 to all industrial
  workers by 全国总工会、教育部、人力资源社会保障部、全国工商联《关于广泛实施求学圆梦行动 推进产业工人
  学历与能力提升的意见》 (人民日报 2025-08-03: “将行动实施对象从农民工扩大到产业工人”).
* Entry education (福建开放大学 2025 招生, 福州日报): 专科 — 普通高中、职业高中、技工学校、中专毕业;
  本科 — 国民教育系列高等专科学历.
* Subsidy (same notice): 每人每学年 1000 元, three academic years → 3000 元 per person.
* 16 years: 《劳动法》第十五条 (no employment under sixteen). The upper age, the skill bounds of the
  skills programmes and the union-membership condition are the platform's defaults (平台默认), set per
  programme from its own notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .policy import SKILL_RANK, SKILL_ZH

SRC_2016 = "教职成〔2016〕3号《求学圆梦行动》"
SRC_2025 = "全总等《关于广泛实施求学圆梦行动 推进产业工人学历与能力提升的意见》(2025)"
SRC_FJ = "福建开放大学2025年求学圆梦行动招生通知"
SRC_LABOUR = "《劳动法》第十五条"
SRC_PLATFORM = "平台默认"

# prior education as the registry writes it (workforce generate.data.EDUCATION), ranked
EDUCATION_RANK = {
    "小学": 0,
    "初中": 1,
    "高中": 2,
    "职高": 2,
    "中专": 2,
    "技工学校": 2,
    "大专": 3,
    "专科": 3,
    "本科": 4,
    "硕士研究生": 5,
    "博士研究生": 6,
}
EMPLOYMENT_ORDER = ["migrant", "contract", "dispatched", "other"]  # migrant workers first


@dataclass(frozen=True)
class KindDefault:
    employment_types: tuple[str, ...]
    age_min: int
    age_max: int
    skill_level_min: str | None
    skill_level_max: str | None
    education_min: str
    member_required: bool
    subsidy_per_person: Decimal
    sources: dict[str, str] = field(default_factory=dict)


DEFAULTS: dict[str, KindDefault] = {
    "degree": KindDefault(
        employment_types=tuple(EMPLOYMENT_ORDER),
        age_min=16,
        age_max=60,
        skill_level_min=None,
        skill_level_max=None,
        education_min="高中",
        member_required=True,
        subsidy_per_person=Decimal("3000.00"),
        sources={
            "employment_type": f"{SRC_2016}（农民工）；{SRC_2025}（扩大到产业工人）",
            "age": f"{SRC_LABOUR}（16周岁）；{SRC_PLATFORM}（60周岁）",
            "education": f"{SRC_FJ}：专科须高中/职高/技校/中专，本科须专科",
            "member": f"{SRC_2016}：各级工会资助会员",
            "subsidy": f"{SRC_FJ}：每人每学年1000元，三学年",
        },
    ),
    "skill": KindDefault(
        employment_types=("migrant",),
        age_min=16,
        age_max=60,
        skill_level_min=None,
        skill_level_max="INTERMEDIATE",
        education_min="",
        member_required=False,
        subsidy_per_person=Decimal("1000.00"),
        sources={
            "employment_type": f"{SRC_2025}：农民工技能提升；{SRC_PLATFORM}",
            "age": f"{SRC_LABOUR}；{SRC_PLATFORM}",
            "skill_level": f"{SRC_PLATFORM}：尚无技能等级或初级、中级工",
            "subsidy": SRC_PLATFORM,
        },
    ),
    "gold_collar": KindDefault(
        employment_types=tuple(EMPLOYMENT_ORDER),
        age_min=16,
        age_max=60,
        skill_level_min="SENIOR",
        skill_level_max="TECHNICIAN",
        education_min="",
        member_required=True,
        subsidy_per_person=Decimal("2000.00"),
        sources={
            "skill_level": f"{SRC_PLATFORM}：高级工、技师参训，冲刺技师、高级技师",
            "age": f"{SRC_LABOUR}；{SRC_PLATFORM}",
            "subsidy": SRC_PLATFORM,
        },
    ),
    "other": KindDefault(
        employment_types=tuple(EMPLOYMENT_ORDER),
        age_min=16,
        age_max=60,
        skill_level_min=None,
        skill_level_max=None,
        education_min="",
        member_required=False,
        subsidy_per_person=Decimal("0.00"),
        sources={"age": f"{SRC_LABOUR}；{SRC_PLATFORM}"},
    ),
}
# the entry education of a degree (专科 after upper secondary, 本科 after 专科)
DEGREE_ENTRY = {"大专": "高中", "本科": "大专"}


@dataclass(frozen=True)
class Facts:
    """What the registry knows of a worker on ``on``."""

    on: dt.date
    birth_date: dt.date
    employment_type: str
    active: bool
    member_since: dt.date | None
    skill_level: str | None
    education: str


@dataclass(frozen=True)
class Rules:
    employment_types: Sequence[str]
    age_min: int
    age_max: int
    skill_level_min: str | None = None
    skill_level_max: str | None = None
    education_min: str = ""
    member_required: bool = False
    degree: str = ""


def age_on(birth: dt.date, on: dt.date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def _cond(rule: str, required: str, actual: str, met: bool) -> dict[str, Any]:
    return {"rule": rule, "required": required, "actual": actual, "met": met}


def judge(rules: Rules, facts: Facts, type_names: dict[str, str]) -> list[dict[str, Any]]:
    """Every condition of the programme for the worker, in a fixed order; eligible when all met."""
    out = [_cond("on_the_job", "在岗", "在岗" if facts.active else "不在岗", facts.active)]
    wanted = [type_names.get(t, t) for t in rules.employment_types]
    out.append(
        _cond(
            "employment_type",
            "、".join(wanted),
            type_names.get(facts.employment_type, facts.employment_type),
            facts.employment_type in rules.employment_types,
        )
    )
    age = age_on(facts.birth_date, facts.on)
    out.append(
        _cond(
            "age",
            f"{rules.age_min}–{rules.age_max}",
            str(age),
            rules.age_min <= age <= rules.age_max,
        )
    )
    if rules.member_required:
        member = facts.member_since is not None and facts.member_since <= facts.on
        out.append(
            _cond(
                "union_member",
                "工会会员",
                facts.member_since.isoformat() if member and facts.member_since else "非会员",
                member,
            )
        )
    rank = SKILL_RANK.get(facts.skill_level or "", 0)
    level_name = SKILL_ZH.get(facts.skill_level or "", "无")
    if rules.skill_level_min:
        out.append(
            _cond(
                "skill_level_min",
                SKILL_ZH.get(rules.skill_level_min, rules.skill_level_min),
                level_name,
                rank >= SKILL_RANK.get(rules.skill_level_min, 0),
            )
        )
    if rules.skill_level_max:
        out.append(
            _cond(
                "skill_level_max",
                SKILL_ZH.get(rules.skill_level_max, rules.skill_level_max),
                level_name,
                rank <= SKILL_RANK.get(rules.skill_level_max, 0),
            )
        )
    education = (facts.education or "").strip()
    have = EDUCATION_RANK.get(education, -1)
    if rules.education_min:
        out.append(
            _cond(
                "education_min",
                rules.education_min,
                education or "未登记",
                have >= EDUCATION_RANK.get(rules.education_min, 0),
            )
        )
    if rules.degree:
        out.append(
            _cond(
                "degree_not_held",
                f"低于{rules.degree}",
                education or "未登记",
                have < EDUCATION_RANK[rules.degree],
            )
        )
    return out


def eligible(conditions: Sequence[dict[str, Any]]) -> bool:
    return all(c["met"] for c in conditions)
