"""Demo of the technical exchange: questions of Jiangsu's workers by occupation and topic, answers
from colleagues and from an expert (a 技师 with the login ``pz_craftsman``), votes, accepted
answers, a question about a published 先进操作法, and one report waiting for a moderator.
Through the services (audited, with the same rules). Idempotent: skipped once questions exist."""

from __future__ import annotations

from typing import Any

from gongjiang.core.demo import DEMO_PASSWORD, DemoContext
from gongjiang.core.models import Membership, Occupation, SkillLevel
from gongjiang.workforce.models import Worker

from . import exchange
from .models_exchange import Question

EXPERT_LOGIN = "pz_craftsman"

# (asker, title, topic, body, [(answerer, body, accepted)])
THREADS: list[tuple[str, str, str, str, list[tuple[str, str, bool]]]] = [
    (
        "pz_worker",
        "薄板焊接变形怎么控制？",
        "焊接变形",
        "3毫米不锈钢薄板拼焊后波浪变形明显，火焰调修费工时，有什么办法从焊接上控制？",
        [
            ("expert", "先用反变形工装预置变形量，再采用分段退焊，每段不超过200毫米。", True),
            ("nj_worker", "我们加了铜垫板散热，变形小了很多。", False),
        ],
    ),
    (
        "nj_worker",
        "数控车床对刀误差大是什么原因？",
        "数控编程",
        "换刀后对刀总差0.02毫米左右，对刀仪已经校过了。",
        [
            ("expert", "检查刀塔重复定位精度，再看刀柄锥面是否有铁屑，清洁后复测。", True),
            ("js_worker", "我们遇到过刀补输错了一位小数，建议核对刀补表。", False),
        ],
    ),
    (
        "js_worker",
        "SMT贴片抛料率高怎么排查？",
        "电子装联",
        "0402电阻抛料率到了千分之五，吸嘴换过新的了。",
        [
            ("pz_worker", "看一下真空度报警阈值，还有飞达送料是否到位。", True),
            ("expert", "用高速相机看吸取瞬间，多半是吸嘴与料带中心偏了。", False),
        ],
    ),
    (
        "pz_worker",
        "地铁车门关不到位的快速判断方法",
        "车辆检修",
        "夜间检修时间紧，有没有一套快速判断的顺序？",
        [("expert", "按电源—控制—机械的顺序查，先看门控器故障码，再测行程开关。", False)],
    ),
    (
        "nj_worker",
        "高炉风口更换怎么缩短停风时间？",
        "冶炼",
        "现在一次更换要两个多小时。",
        [],
    ),
]


def _expert(ctx: DemoContext) -> Any:
    """A 技师 of the province with a login of their own (the exchange marks them as an expert)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.filter(username=EXPERT_LOGIN).first()
    if user is not None:
        # a second run lists the login again, as the core demo lists its own
        _list_login(ctx, user, user.first_name)
        return user
    worker = (
        Worker.objects.filter(
            organization__path__startswith=ctx.enterprises[0].path,
            user__isnull=True,
            status="active",
        )
        .order_by("id")
        .first()
    )
    if worker is None:
        return None
    user = User.objects.create_user(EXPERT_LOGIN, first_name=worker.name, password=DEMO_PASSWORD)
    Membership.objects.get_or_create(user=user, organization=worker.organization, role="worker")
    level = SkillLevel.objects.get(code="TECHNICIAN")
    Worker.objects.filter(pk=worker.pk, skill_level__rank__lt=level.rank).update(skill_level=level)
    Worker.objects.filter(pk=worker.pk, skill_level__isnull=True).update(skill_level=level)
    Worker.objects.filter(pk=worker.pk).update(user=user)
    _list_login(ctx, user, worker.name)
    return user


def _list_login(ctx: DemoContext, user: Any, name: str) -> None:
    ctx.users[EXPERT_LOGIN] = user
    if all(login[0] != EXPERT_LOGIN for login in ctx.logins):
        ctx.logins.append((EXPERT_LOGIN, f"{name} · 技师（技术交流专家）", DEMO_PASSWORD))


def load(ctx: DemoContext) -> str:
    expert = _expert(ctx)
    if Question.objects.filter(organization__path__startswith=ctx.province.path).exists():
        return "exchange already there"
    people = {name: ctx.users.get(name) for name in ("pz_worker", "nj_worker", "js_worker")}
    people["expert"] = expert
    if any(p is None for p in people.values()):
        return "exchange skipped (demo logins missing)"
    occupation = Occupation.objects.filter(level="occupation").order_by("code").first()
    voters = [*people.values(), ctx.users.get("pz_officer")]
    asked = answered = 0
    for i, (asker, title, topic, body, answers) in enumerate(THREADS):
        question = exchange.question_ask(
            actor=people[asker],
            title=title,
            topic=topic,
            body=body,
            occupation=occupation if i % 2 == 0 else None,
        )
        asked += 1
        for who, text, accepted in answers:
            answer = exchange.answer_post(actor=people[who], question=question, body=text)
            answered += 1
            for voter in voters:
                if voter is not None and voter.pk != people[who].pk:
                    exchange.post_vote(actor=voter, post=answer, value=1)
            if accepted:
                exchange.answer_accept(actor=people[asker], answer=answer)
        for voter in voters[:2]:
            if voter is not None and voter.pk != people[asker].pk:
                exchange.post_vote(actor=voter, post=question, value=1)
    method = exchange.methods().first()
    if method is not None:
        question = exchange.question_ask(
            actor=people["js_worker"],
            title=f"请教{method.method_name}的关键步骤",
            topic="先进操作法",
            body="我们班组想推广这个操作法，哪一步最容易出错？",
            method=method,
        )
        exchange.answer_post(
            actor=expert, question=question, body="关键在第一步的预检，必须双人确认。"
        )
        asked += 1
        answered += 1
    spam = exchange.answer_post(
        actor=people["nj_worker"],
        question=Question.objects.filter(title=THREADS[4][1]).first(),
        body="（测试）招聘兼职，联系QQ……",
    )
    exchange.post_report(actor=people["pz_worker"], post=spam, reason="广告，与问题无关")
    return f"{asked} questions, {answered + 1} answers, 1 report"
