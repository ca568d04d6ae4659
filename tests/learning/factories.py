"""Helpers to build banks, papers and sessions for learning tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongjiang.learning.bank.services import paper_create, question_create
from gongjiang.learning.exams.services import exam_session_create


def make_question(
    actor: Any, org: Any, qtype: str = "single", kp: str = "安全", difficulty: int = 3, **kw: Any
) -> Any:
    defaults: dict[str, Any] = {
        "single": {"stem": "单选题干", "options": ["甲", "乙", "丙", "丁"], "answer": "B"},
        "multiple": {
            "stem": "多选题干",
            "options": ["甲", "乙", "丙", "丁"],
            "answer": ["A", "C"],
            "scoring_rule": "partial",
        },
        "true_false": {"stem": "判断题干", "answer": True},
        "fill": {"stem": "填空：___ 与 ___", "answer": [["M10", "m10"], ["螺纹"]]},
        "short": {
            "stem": "简述安全操作规程",
            "answer": "参考答案",
            "rubric": "要点三条，每条 2 分",
            "score": 6,
        },
        "practical": {
            "stem": "加工零件",
            "checklist": [{"item": "尺寸", "points": 6}, {"item": "表面", "points": 4}],
        },
    }[qtype]
    defaults.update(kw)
    return question_create(
        actor=actor,
        organization=org,
        qtype=qtype,
        knowledge_point=kp,
        difficulty=difficulty,
        audit=False,
        **defaults,
    )


def make_bank(actor: Any, org: Any) -> list[Any]:
    """One question of each type plus extra choice questions."""
    qs = [
        make_question(actor, org, t)
        for t in ("single", "multiple", "true_false", "fill", "short", "practical")
    ]
    qs += [
        make_question(actor, org, "single", kp="识图", difficulty=d, stem=f"识图 {d}")
        for d in (1, 2, 3, 4, 5)
    ]
    return qs


def make_session(
    actor: Any,
    org: Any,
    questions: list[Any],
    *,
    candidates: list[Any] | None = None,
    candidate_organizations: list[Any] | None = None,
    minutes: int = 30,
    **kw: Any,
) -> Any:
    paper = paper_create(
        actor=actor, organization=org, title="试卷", question_codes=[q.code for q in questions]
    )
    now = timezone.now()
    return exam_session_create(
        actor=actor,
        organization=org,
        paper=paper,
        title="理论考试",
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(hours=2),
        duration_minutes=minutes,
        candidates=candidates,
        candidate_organizations=candidate_organizations,
        **kw,
    )


def shown(item: Any, keys: Any) -> Any:
    """Bank keys as the labels this attempt item shows its candidate (what a browser sends)."""
    from gongjiang.learning.answers import keys_to_labels

    v = item.version
    return keys_to_labels(v.qtype, v.options, item.option_order, keys)
