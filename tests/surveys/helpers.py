"""Helpers of the survey tests: workers with varied strata, a questionnaire of every type."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongjiang.core.actors import SYSTEM
from tests.factories import UserFactory
from tests.workforce.helpers import citizen_id

SKILLS = ["JUNIOR", "INTERMEDIATE", "SENIOR", "TECHNICIAN"]

QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "q1",
        "type": "single",
        "text": "您对目前的收入满意吗？",
        "section": "收入",
        "required": True,
        "options": [{"key": "a", "text": "满意"}, {"key": "b", "text": "不满意"}],
    },
    {
        "key": "q2",
        "type": "multiple",
        "text": "您最关心哪些问题？",
        "options": [
            {"key": "wage", "text": "工资"},
            {"key": "safety", "text": "安全"},
            {"key": "training", "text": "培训"},
        ],
    },
    {"key": "q3", "type": "scale", "text": "工作压力", "low": "很小", "high": "很大"},
    {
        "key": "q4",
        "type": "matrix",
        "text": "对以下方面的满意度",
        "rows": [{"key": "r1", "text": "食堂"}, {"key": "r2", "text": "宿舍"}],
    },
    {
        "key": "q5",
        "type": "ranking",
        "text": "请排序",
        "options": [{"key": "x", "text": "甲"}, {"key": "y", "text": "乙"}],
    },
    {
        "key": "q6",
        "type": "open",
        "text": "为什么不满意？",
        "section": "意见",
        "show_if": {"question": "q1", "in": ["b"]},
    },
]


def answers(i: int) -> dict[str, Any]:
    unhappy = i % 3 == 0
    out: dict[str, Any] = {
        "q1": "b" if unhappy else "a",
        "q2": ["wage", "safety"] if i % 2 else ["training"],
        "q3": str(1 + i % 5),
        "q4": {"r1": str(1 + i % 5), "r2": str(1 + (i + 2) % 5)},
        "q5": ["x", "y"] if i % 2 else ["y", "x"],
    }
    if unhappy:
        out["q6"] = f"加班太多 {i}"
    return out


def make_workers(organization: Any, n: int, *, start: int = 0, users: bool = True) -> list[Any]:
    from gongjiang.workforce.services import worker_create

    out = []
    for i in range(start, start + n):
        user = UserFactory(username=f"w{organization.pk}_{i}") if users else None
        out.append(
            worker_create(
                actor=SYSTEM,
                organization=organization,
                name=f"职工{i}",
                citizen_id=citizen_id(i % 50, birth=dt.date(1965 + (i // 50) + (i % 7) * 5, 1, 5)),
                skill_level=SKILLS[i % len(SKILLS)],
                user=user,
            )
        )
    return out
