"""Demo of the technical exchange: questions of Jiangsu's workers by occupation and topic, answers
from colleagues and from an expert (a 技师 with the login ``pz_craftsman``), votes, accepted
answers, a question about a published 先进操作法, and one report waiting for a moderator.
Through the services (audited, with the same rules). Idempotent: skipped once questions exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gongjiang.core.demo import DEMO_PASSWORD, DemoContext
from gongjiang.core.models import Membership, Occupation, SkillLevel
from gongjiang.workforce.models import Worker

from . import exchange
from .models_exchange import Question

EXPERT_LOGIN = "pz_craftsman"


@dataclass(frozen=True)
class Reply:
    who: str  # a login of the demo, or "expert"
    body: str
    accepted: bool = False
    report: str = ""  # a reason: the asker reports it (left open for a moderator)
    votes: bool = True  # colleagues vote it up


@dataclass(frozen=True)
class Thread:
    asker: str
    title: str  # "{method}" is replaced by the first published operating method's name
    topic: str
    body: str
    replies: tuple[Reply, ...] = ()
    occupation: bool = False  # filed under an occupation of 职业分类大典
    about_method: bool = False  # asked on a 先进操作法 page (skipped when none is published)


THREADS: tuple[Thread, ...] = (
    Thread(
        "pz_worker",
        "薄板焊接变形怎么控制？",
        "焊接变形",
        "3毫米不锈钢薄板拼焊后波浪变形明显，火焰调修费工时，有什么办法从焊接上控制？",
        (
            Reply("expert", "先用反变形工装预置变形量，再采用分段退焊，每段不超过200毫米。", True),
            Reply("nj_worker", "我们加了铜垫板散热，变形小了很多。"),
        ),
        occupation=True,
    ),
    Thread(
        "nj_worker",
        "数控车床对刀误差大是什么原因？",
        "数控编程",
        "换刀后对刀总差0.02毫米左右，对刀仪已经校过了。",
        (
            Reply("expert", "检查刀塔重复定位精度，再看刀柄锥面是否有铁屑，清洁后复测。", True),
            Reply("js_worker", "我们遇到过刀补输错了一位小数，建议核对刀补表。"),
        ),
    ),
    Thread(
        "js_worker",
        "SMT贴片抛料率高怎么排查？",
        "电子装联",
        "0402电阻抛料率到了千分之五，吸嘴换过新的了。",
        (
            Reply("pz_worker", "看一下真空度报警阈值，还有飞达送料是否到位。", True),
            Reply("expert", "用高速相机看吸取瞬间，多半是吸嘴与料带中心偏了。"),
        ),
        occupation=True,
    ),
    Thread(
        "pz_worker",
        "地铁车门关不到位的快速判断方法",
        "车辆检修",
        "夜间检修时间紧，有没有一套快速判断的顺序？",
        (Reply("expert", "按电源—控制—机械的顺序查，先看门控器故障码，再测行程开关。"),),
    ),
    Thread(
        "nj_worker",
        "高炉风口更换怎么缩短停风时间？",
        "冶炼",
        "现在一次更换要两个多小时。",
        (Reply("nj_worker", "（测试）招聘兼职，联系QQ……", report="广告，与问题无关", votes=False),),
        occupation=True,
    ),
    Thread(
        "js_worker",
        "请教{method}的关键步骤",
        "先进操作法",
        "我们班组想推广这个操作法，哪一步最容易出错？",
        (Reply("expert", "关键在第一步的预检，必须双人确认。", votes=False),),
        about_method=True,
    ),
)


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
    method = exchange.methods().first()
    voters = [*people.values(), ctx.users.get("pz_officer")]
    counts = {"questions": 0, "answers": 0, "reports": 0}
    for thread in THREADS:
        if thread.about_method and method is None:
            continue
        asker = people[thread.asker]
        question = exchange.question_ask(
            actor=asker,
            title=thread.title.format(method=method.method_name if method else ""),
            topic=thread.topic,
            body=thread.body,
            occupation=occupation if thread.occupation else None,
            method=method if thread.about_method else None,
        )
        counts["questions"] += 1
        for reply in thread.replies:
            author = people[reply.who]
            answer = exchange.answer_post(actor=author, question=question, body=reply.body)
            counts["answers"] += 1
            if reply.votes:
                _vote(voters, answer, author)
            if reply.accepted:
                exchange.answer_accept(actor=asker, answer=answer)
            if reply.report:
                reporter = people["pz_worker"] if author is not people["pz_worker"] else asker
                exchange.post_report(actor=reporter, post=answer, reason=reply.report)
                counts["reports"] += 1
        if not thread.about_method:
            _vote(voters[:2], question, asker)
    return ", ".join(f"{n} {what}" for what, n in counts.items())


def _vote(voters: list[Any], post: Any, author: Any) -> None:
    """Up-votes of the given colleagues, never the author's own."""
    for voter in voters:
        if voter is not None and voter.pk != author.pk:
            exchange.post_vote(actor=voter, post=post, value=1)
