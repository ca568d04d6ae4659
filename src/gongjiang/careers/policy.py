"""The policy defaults: every rule of the career channels as a row with its source.

An enterprise that has no table of its own (or none in force on a date) is judged by these rows.
An enterprise table (models.CareerTable) starts as a copy of them and is edited forward only.

Sources (the short names used in ``source``):

* 96号文 — 人社部发〔2020〕96号《关于进一步加强高技能人才与专业技术人才职业发展贯通的实施意见》:
  high-skilled workers in engineering production posts may take part in engineering title
  evaluation — 高级工 after 2 years of technical-skill work → 助理级, 技师 after 3 years → 中级,
  高级技师 after 4 years → 副高级; records, papers, foreign-language and computer tests are not
  preconditions; outstanding achievement allows the seniority (years) to be relaxed. Professional
  technicians in engineering fields may take part in skill evaluation: an initial title (员级/助理级)
  → 高级工, 中级 → 技师, 副高级 and above → 高级技师. Skilled workers of a level are treated like the
  professional technicians of the matching title (高级工–助理级, 技师–中级, 高级技师–副高级) in study,
  post appointment, selection and awards.
* 14号文 — 人社部发〔2022〕14号《关于健全完善新时代技能人才职业技能等级制度的意见（试行）》:
  the new eight-level ladder; 特级技师 is treated like 正高级, 首席技师 above it.
* 工程职称标准 — 人社部发〔2019〕16号《关于深化工程技术人才职称制度改革的指导意见》 basic standard:
  正高级工程师 after 5 years as 高级工程师.
* 技能标准规程 — 《国家职业技能标准编制技术规程（2018年版）》 applicant conditions: 四级 after 4
  years at 五级, 三级 after 5 years at 四级, 二级 after 4 years at 三级, 一级 after 4 years at 二级.
* 平台默认 — the platform's own reading where the policy leaves the figure to the employer (stated
  as such on the page and in docs/careers.md); every enterprise may change it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SRC_96 = "人社部发〔2020〕96号"
SRC_14 = "人社部发〔2022〕14号"
SRC_ENG = "人社部发〔2019〕16号"
SRC_STD = "国家职业技能标准编制技术规程（2018年版）"
SRC_PLATFORM = "平台默认"

# ------------------------------------------------------------------ professional titles (职称)
TITLE_LEVELS: list[tuple[str, object]] = [
    ("junior", _("junior title (员级)")),
    ("assistant", _("assistant title (助理级)")),
    ("intermediate", _("intermediate title (中级)")),
    ("deputy_senior", _("deputy senior title (副高级)")),
    ("senior", _("senior title (正高级)")),
]
TITLE_RANK = {code: rank for rank, (code, _label) in enumerate(TITLE_LEVELS, start=1)}
TITLE_ZH = {
    "junior": "员级",
    "assistant": "助理级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}
SKILL_RANK = {
    "APPRENTICE": 1,
    "JUNIOR": 2,
    "INTERMEDIATE": 3,
    "SENIOR": 4,
    "TECHNICIAN": 5,
    "SENIOR_TECHNICIAN": 6,
    "PRINCIPAL_TECHNICIAN": 7,
    "CHIEF_TECHNICIAN": 8,
}
SKILL_ZH = {
    "APPRENTICE": "学徒工",
    "JUNIOR": "初级工",
    "INTERMEDIATE": "中级工",
    "SENIOR": "高级工",
    "TECHNICIAN": "技师",
    "SENIOR_TECHNICIAN": "高级技师",
    "PRINCIPAL_TECHNICIAN": "特级技师",
    "CHIEF_TECHNICIAN": "首席技师",
}
HONOUR_RANK = {"enterprise": 1, "city": 2, "provincial": 3, "national": 4}


def target_kind(target: str) -> str:
    """'title' or 'skill' for a known target code, '' otherwise."""
    if target in TITLE_RANK:
        return "title"
    if target in SKILL_RANK:
        return "skill"
    return ""


def normalise_target(text: str) -> str:
    """A target as given by a person or a client (code or Chinese name) → its code, or ''."""
    value = (text or "").strip()
    if value in TITLE_RANK:
        return value
    if value.upper() in SKILL_RANK:
        return value.upper()
    for code, zh in TITLE_ZH.items():
        if value in (zh, zh.rstrip("级")):
            return code
    for code, zh in SKILL_ZH.items():
        if value == zh:
            return code
    return ""


# ----------------------------------------------------------------------------- rule kinds
class Kind:
    SKILL_LEVEL = "skill_level"  # current skill level at or above ``level``
    YEARS_AT_SKILL = (
        "years_at_skill_level"  # ``years`` full years continuously at ``level`` or above
    )
    TITLE_LEVEL = "title_level"  # holds a title at or above ``level``
    YEARS_AT_TITLE = "years_at_title"  # ``years`` full years since a title at ``level`` or above
    OCCUPATION = "occupation"  # occupation code starts with one of ``prefixes`` (comma-separated)
    HONOUR = (
        "honour"  # a standing honour at ``level`` (enterprise/city/provincial/national) or above
    )
    # a management grade (管理职级) of the enterprise's table held on the day, ``level`` or higher
    MANAGEMENT_GRADE = "management_grade"
    YEARS_AT_GRADE = "years_at_grade"  # ``years`` full years continuously at grade ``level`` or up
    NOT_HELD = "not_yet_held"  # implicit: the worker does not already hold the target


KIND_CHOICES = [
    (Kind.SKILL_LEVEL, _("skill level at least")),
    (Kind.YEARS_AT_SKILL, _("years at the skill level")),
    (Kind.TITLE_LEVEL, _("professional title at least")),
    (Kind.YEARS_AT_TITLE, _("years since the title")),
    (Kind.OCCUPATION, _("occupation field")),
    (Kind.HONOUR, _("honour at least")),
    (Kind.MANAGEMENT_GRADE, _("management grade at least")),
    (Kind.YEARS_AT_GRADE, _("years at the management grade")),
]


@dataclass(frozen=True)
class RuleRow:
    target: str
    path: str
    kind: str
    level: str = ""
    years: int | None = None
    prefixes: str = ""
    source: str = ""


# production-line occupations (职业分类大典 2022: 4 social production services, 5 agriculture,
# 6 production and manufacturing) — the "生产一线岗位" of 96号文
FRONTLINE = "4,5,6"
# engineering technicians (2-02 工程技术人员) — the "工程技术领域专业技术人才" of 96号文
ENGINEERING = "2-02"

_OCC_FRONT = f"{SRC_96}：工程技术领域生产一线岗位"
_OCC_ENG = f"{SRC_96}：工程技术领域专业技术人才"
_RELAX = f"{SRC_96}：取得突出业绩的可放宽资历条件（{SRC_PLATFORM}：省级及以上荣誉视为突出业绩）"

POLICY_RULES: list[RuleRow] = [
    # skill → title (高技能人才参加职称评审)
    RuleRow("assistant", "standard", Kind.SKILL_LEVEL, "SENIOR", source=SRC_96),
    RuleRow("assistant", "standard", Kind.YEARS_AT_SKILL, "SENIOR", 2, source=SRC_96),
    RuleRow("assistant", "standard", Kind.OCCUPATION, prefixes=FRONTLINE, source=_OCC_FRONT),
    RuleRow("assistant", "achievement", Kind.SKILL_LEVEL, "SENIOR", source=SRC_96),
    RuleRow("assistant", "achievement", Kind.HONOUR, "provincial", source=_RELAX),
    RuleRow("assistant", "achievement", Kind.OCCUPATION, prefixes=FRONTLINE, source=_OCC_FRONT),
    RuleRow("intermediate", "standard", Kind.SKILL_LEVEL, "TECHNICIAN", source=SRC_96),
    RuleRow("intermediate", "standard", Kind.YEARS_AT_SKILL, "TECHNICIAN", 3, source=SRC_96),
    RuleRow("intermediate", "standard", Kind.OCCUPATION, prefixes=FRONTLINE, source=_OCC_FRONT),
    RuleRow("intermediate", "achievement", Kind.SKILL_LEVEL, "TECHNICIAN", source=SRC_96),
    RuleRow("intermediate", "achievement", Kind.HONOUR, "provincial", source=_RELAX),
    RuleRow("intermediate", "achievement", Kind.OCCUPATION, prefixes=FRONTLINE, source=_OCC_FRONT),
    RuleRow("deputy_senior", "standard", Kind.SKILL_LEVEL, "SENIOR_TECHNICIAN", source=SRC_96),
    RuleRow(
        "deputy_senior", "standard", Kind.YEARS_AT_SKILL, "SENIOR_TECHNICIAN", 4, source=SRC_96
    ),
    RuleRow("deputy_senior", "standard", Kind.OCCUPATION, prefixes=FRONTLINE, source=_OCC_FRONT),
    RuleRow("deputy_senior", "achievement", Kind.SKILL_LEVEL, "SENIOR_TECHNICIAN", source=SRC_96),
    RuleRow("deputy_senior", "achievement", Kind.HONOUR, "provincial", source=_RELAX),
    RuleRow("deputy_senior", "achievement", Kind.OCCUPATION, prefixes=FRONTLINE, source=_OCC_FRONT),
    RuleRow("senior", "standard", Kind.TITLE_LEVEL, "deputy_senior", source=SRC_ENG),
    RuleRow("senior", "standard", Kind.YEARS_AT_TITLE, "deputy_senior", 5, source=SRC_ENG),
    # title → skill (专业技术人才参加职业技能评价)
    RuleRow("SENIOR", "title", Kind.TITLE_LEVEL, "junior", source=SRC_96),
    RuleRow("SENIOR", "title", Kind.OCCUPATION, prefixes=ENGINEERING, source=_OCC_ENG),
    RuleRow("TECHNICIAN", "title", Kind.TITLE_LEVEL, "intermediate", source=SRC_96),
    RuleRow("TECHNICIAN", "title", Kind.OCCUPATION, prefixes=ENGINEERING, source=_OCC_ENG),
    RuleRow("SENIOR_TECHNICIAN", "title", Kind.TITLE_LEVEL, "deputy_senior", source=SRC_96),
    RuleRow("SENIOR_TECHNICIAN", "title", Kind.OCCUPATION, prefixes=ENGINEERING, source=_OCC_ENG),
    # the skills ladder itself (晋级: years at the level below)
    RuleRow("INTERMEDIATE", "ladder", Kind.YEARS_AT_SKILL, "JUNIOR", 4, source=SRC_STD),
    RuleRow("SENIOR", "ladder", Kind.YEARS_AT_SKILL, "INTERMEDIATE", 5, source=SRC_STD),
    RuleRow("TECHNICIAN", "ladder", Kind.YEARS_AT_SKILL, "SENIOR", 4, source=SRC_STD),
    RuleRow("SENIOR_TECHNICIAN", "ladder", Kind.YEARS_AT_SKILL, "TECHNICIAN", 4, source=SRC_STD),
]


@dataclass(frozen=True)
class EquivalenceDefault:
    skill_level: str
    title_level: str
    management_grade: str
    source: str


# which skill level stands with which title and management grade (pay bands, housing, training,
# selection): 96号文 for 高级工/技师/高级技师, 14号文 for 特级技师; the management grades are the
# platform's default naming, for the enterprise to set.
POLICY_EQUIVALENCE: list[EquivalenceDefault] = [
    EquivalenceDefault("INTERMEDIATE", "junior", "科员级", SRC_PLATFORM),
    EquivalenceDefault("SENIOR", "assistant", "副科级", SRC_96),
    EquivalenceDefault("TECHNICIAN", "intermediate", "正科级", SRC_96),
    EquivalenceDefault("SENIOR_TECHNICIAN", "deputy_senior", "副处级", SRC_96),
    EquivalenceDefault("PRINCIPAL_TECHNICIAN", "senior", "正处级", SRC_14),
]

MAX_EXPERT_LEVELS = 6
