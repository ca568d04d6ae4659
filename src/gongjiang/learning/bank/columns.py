"""The columns of a question file (spreadsheet or Word): their names and labels in Chinese, and how
a cell's text reads as a question type, difficulty, answer or checklist. Shared by the spreadsheet
import and export (:mod:`.transfer`) and the Word reader (:mod:`.word`), below both."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..grading import as_bool
from ..models import QuestionType, QuestionVersion

OPTION_LETTERS = "ABCDEFGH"
ALIASES: dict[str, tuple[str, ...]] = {
    "qtype": ("题型", "试题类型"),
    "stem": ("题干", "题目", "试题内容"),
    **{f"option_{c}": (f"选项{c}", f"选项{c.lower()}", c) for c in OPTION_LETTERS},
    "answer": ("答案", "正确答案", "标准答案"),
    "explanation": ("解析", "答案解析", "试题解析"),
    "difficulty": ("难度", "难易程度"),
    "knowledge_point": ("知识点",),
    "score": ("分值", "分数"),
    "rubric": ("评分标准",),
    "checklist": ("评分要点", "考核要点"),
    "scoring_rule": ("计分规则",),
    "occupation": ("职业编码", "职业代码"),
    "skill_level": ("技能等级",),
}
QTYPE_NAMES = {
    "单选": "single",
    "单选题": "single",
    "单项选择题": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "多项选择题": "multiple",
    "判断": "true_false",
    "判断题": "true_false",
    "填空": "fill",
    "填空题": "fill",
    "简答": "short",
    "简答题": "short",
    "问答题": "short",
    "论述题": "short",
    "实操": "practical",
    "实操题": "practical",
    "操作技能题": "practical",
    "实操考核": "practical",
}
QTYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "fill": "填空题",
    "short": "简答题",
    "practical": "实操题",
}
DIFFICULTY_NAMES = {
    "易": 1,
    "容易": 1,
    "简单": 1,
    "较易": 2,
    "中": 3,
    "中等": 3,
    "一般": 3,
    "较难": 4,
    "难": 5,
    "困难": 5,
}
DIFFICULTY_LABELS = {1: "易", 2: "较易", 3: "中等", 4: "较难", 5: "难"}
RULE_NAMES = {
    "全对得分": "all",
    "全部": "all",
    "all": "all",
    "部分得分": "partial",
    "部分": "partial",
    "partial": "partial",
}


def parse_qtype(text: str) -> str | None:
    text = text.strip()
    return QTYPE_NAMES.get(text) or (text if text in QuestionType.values else None)


def parse_difficulty(text: str) -> int | None:
    text = text.strip()
    if not text:
        return 3
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    return DIFFICULTY_NAMES.get(text)


def parse_answer(qtype: str, text: str) -> Any:
    text = text.strip()
    if qtype in ("single", "multiple"):
        return [c for c in text.upper() if c.isalpha()]
    if qtype == "true_false":
        if text.upper() in ("A", "B"):
            return text.upper() == "A"
        return as_bool(text)
    if qtype == "fill":
        return [
            [a.strip() for a in blank.split("|") if a.strip()]
            for blank in re.split(r"[;；]", text)
            if blank.strip()
        ]
    if qtype == "short":
        return text
    return None


def parse_checklist(text: str) -> list[dict[str, Any]]:
    """“item:points; item:points” (also one per line, or “item, points”)."""
    out = []
    for part in re.split(r"[;；\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(.*?)[:：,，\s]\s*(\d+(?:\.\d+)?)\s*分?$", part)
        if not m:
            raise ValidationError(
                {"checklist": [_("“%(part)s” is not “item: points”.") % {"part": part}]}
            )
        out.append({"item": m.group(1).strip(), "points": m.group(2)})
    return out


def format_answer(version: QuestionVersion) -> str:
    a = version.answer
    if version.qtype == "single":
        return a or ""
    if version.qtype == "multiple":
        return "".join(a or [])
    if version.qtype == "true_false":
        return "对" if a else "错"
    if version.qtype == "fill":
        return "；".join("|".join(b) for b in a or [])
    if version.qtype == "short":
        return a or ""
    return ""


EXPORT_HEADER = [
    "题型",
    "题干",
    *[f"选项{c}" for c in OPTION_LETTERS],
    "答案",
    "解析",
    "难度",
    "知识点",
    "分值",
    "评分标准",
    "评分要点",
    "计分规则",
    "职业编码",
    "技能等级",
    "试题编码",
    "版本",
]
