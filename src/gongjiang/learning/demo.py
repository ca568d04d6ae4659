"""Demo data of the learning system: a bank of about 100 questions (钳工, 焊工, 数控车工, 电工; every
type) owned by 江苏省总工会, a practice paper, an open exam for the demo workers (pz_worker,
nj_worker, js_worker), a finished exam with results, and one subjective answer waiting for marking.

Idempotent: nothing is created twice (banks are found by their first stem, sessions by title).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongjiang.core.models import Occupation, SkillLevel

from .answers import keys_to_labels
from .bank.services import paper_create, question_create
from .demo_questions import BANKS, generated_questions
from .exams.marking import item_mark
from .exams.services import (
    attempt_submit_locked,
    exam_answer_save,
    exam_attempt_start,
    exam_session_create,
)
from .models import ExamSession, Paper, PracticeAnswer, Question
from .practice.services import practice_answer

OPEN_TITLE = "2026 年第四季度职工技能理论考试（开放中）"
DONE_TITLE = "2026 年第三季度安全生产知识考试（已结束）"
PRACTICE_TITLE = "网上练兵模拟卷（综合）"
WORKERS = ("pz_worker", "nj_worker", "js_worker")


def _create_bank(system: Any, province: Any) -> list[Question]:
    levels = {lv.rank: lv for lv in SkillLevel.objects.all()}
    created: list[Question] = []
    entries = [(code, q) for code, _name, rows in BANKS for q in rows] + generated_questions()
    occupations = {o.code: o for o in Occupation.objects.filter(code__in={c for c, _q in entries})}
    for occupation_code, row in entries:
        qtype, kp, difficulty, stem, options, answer, explanation = row[:7]
        extra = dict(row[7]) if len(row) > 7 else {}
        created.append(
            question_create(
                actor=system,
                organization=province,
                qtype=qtype,
                stem=stem,
                options=options,
                answer=answer,
                explanation=explanation,
                knowledge_point=kp,
                difficulty=difficulty,
                occupation=occupations.get(occupation_code),
                skill_level=levels.get(3 if difficulty < 4 else 4),
                score=extra.pop("score", 2 if qtype in ("multiple", "fill") else 1),
                audit=False,
                **extra,
            )
        )
    return created


def _answer_all(user: Any, attempt: Any, at: dt.datetime, right_share: float, seed: int) -> None:
    import random

    rng = random.Random(seed)
    for item in attempt.items.select_related("version"):
        v = item.version
        right = rng.random() < right_share
        if v.qtype == "single":
            response = (
                v.answer if right else next(o["key"] for o in v.options if o["key"] != v.answer)
            )
        elif v.qtype == "multiple":
            response = v.answer if right else v.answer[:1]
        elif v.qtype == "true_false":
            response = v.answer if right else (not v.answer)
        elif v.qtype == "fill":
            response = [b[0] for b in v.answer] if right else ["?"] * len(v.answer)
        elif v.qtype == "short":
            response = "首先做好防护并检查设备；按规程操作；发现异常立即停机并报告。"
        else:
            response = "已按要求完成操作。"
        # the candidate answers with the labels shown (A, B… in the attempt's order)
        response = keys_to_labels(v.qtype, v.options, item.option_order, response)
        exam_answer_save(
            actor=user, attempt=attempt, position=item.position, response=response, seq=1, now=at
        )


@transaction.atomic
def load(ctx: Any, stdout: Any) -> None:
    system = ctx.users["sysadmin"]
    province = ctx.province
    User = get_user_model()
    workers = [u for u in User.objects.filter(username__in=WORKERS).order_by("username")]
    bank = list(Question.objects.filter(organization=province).order_by("id"))
    if not bank:
        bank = _create_bank(system, province)
    stdout.write(f"    {len(bank)} questions")
    if not Paper.objects.filter(organization=province, title=PRACTICE_TITLE).exists():
        paper_create(
            actor=system,
            organization=province,
            title=PRACTICE_TITLE,
            mode="blueprint",
            is_practice=True,
            practice_minutes=20,
            blueprint=[
                {"qtype": "single", "count": 10},
                {"qtype": "multiple", "count": 4},
                {"qtype": "true_false", "count": 4},
                {"qtype": "fill", "count": 2},
            ],
        )
    now = timezone.now()
    if not ExamSession.objects.filter(organization=province, title=OPEN_TITLE).exists():
        paper = paper_create(
            actor=system,
            organization=province,
            title="职工技能理论考试（抽题）",
            mode="blueprint",
            blueprint=[
                {"qtype": "single", "count": 12},
                {"qtype": "multiple", "count": 4},
                {"qtype": "true_false", "count": 6},
                {"qtype": "fill", "count": 3},
                {"qtype": "short", "count": 1, "score": "10"},
            ],
        )
        exam_session_create(
            actor=system,
            organization=province,
            paper=paper,
            title=OPEN_TITLE,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=60),
            duration_minutes=45,
            attempts_allowed=2,
            candidates=workers,
            invigilation="线上考试：请独立作答，切换页面不影响计时。监考联系人：省总工会职工技能处。",
        )
    if not ExamSession.objects.filter(organization=province, title=DONE_TITLE).exists():
        safety = [q for q in bank if q.knowledge_point in ("安全", "安全用电")]
        paper = paper_create(
            actor=system,
            organization=province,
            title="安全生产知识试卷",
            question_codes=[q.code for q in safety],
        )
        opens = now - dt.timedelta(days=20)
        session = exam_session_create(
            actor=system,
            organization=province,
            paper=paper,
            title=DONE_TITLE,
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=2),
            duration_minutes=30,
            candidates=workers,
            double_marking=False,
        )
        judge = ctx.users.get("js_judge") or system
        for index, user in enumerate(workers):
            start = opens + dt.timedelta(hours=2 + index)
            attempt = exam_attempt_start(actor=user, session=session, now=start)
            _answer_all(
                user, attempt, start + dt.timedelta(minutes=5), (0.9, 0.6, 0.75)[index % 3], index
            )
            attempt_submit_locked(
                attempt.pk, auto=False, actor=user, now=start + dt.timedelta(minutes=20)
            )
            if index < len(workers) - 1:  # the last one stays in the marking queue
                for item in attempt.items.filter(marking="pending"):
                    item_mark(
                        actor=judge,
                        item=item,
                        score=item.max_score * 7 / 10,
                        comment="要点基本齐全",
                    )
    # a little practice for the streaks and leaderboards
    for index, user in enumerate(workers):
        if PracticeAnswer.objects.filter(user=user).exists():
            continue
        for q in bank[index * 5 : index * 5 + 6]:
            if q.is_objective:
                v = q.current
                right = v.answer if v.qtype != "fill" else [b[0] for b in v.answer]
                practice_answer(
                    actor=user,
                    question=q,
                    response=keys_to_labels(v.qtype, v.options, None, right)
                    if index != 1
                    else None,
                )
    stdout.write("    learning demo ready")
