"""Careers demo: each enterprise of the demo city gets its own career table (the policy rows with
its own management-grade names) and skill-expert levels; a few workers hold professional titles;
bridge applications wait for review (filed by pz_hr, to be decided by nj_hr or js_hr).

Idempotent: an enterprise that already has a table is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongjiang.core.actors import SystemActor
from gongjiang.core.demo import DemoContext
from gongjiang.workforce.models import Worker

from . import services
from .models import BridgeApplication, CareerTable, ProfessionalTitle
from .policy import POLICY_EQUIVALENCE, POLICY_RULES

# one enterprise per way of naming the management channel
GRADE_SYSTEMS = [
    ["科员级", "副科级", "正科级", "副处级", "正处级"],
    ["主管", "高级主管", "经理", "高级经理", "总监"],
    ["M1", "M2", "M3", "M4", "M5"],
]
EXPERT_LEVELS = [
    ("首席技能专家", "PRINCIPAL_TECHNICIAN", 5, 1),
    ("高级技能专家", "SENIOR_TECHNICIAN", 4, 3),
    ("技能专家", "TECHNICIAN", 3, 6),
    ("技能骨干", "SENIOR", 2, 12),
]


@transaction.atomic
def load(ctx: DemoContext, stdout: Any) -> None:
    actor = SystemActor("demo")
    today = timezone.localdate()
    made = 0
    for enterprise, grades in zip(ctx.enterprises, GRADE_SYSTEMS, strict=False):
        if CareerTable.objects.filter(organization=enterprise).exists():
            continue
        draft = services.career_table_create(
            actor=actor,
            organization=enterprise,
            effective_from=today,
            rules=[r.__dict__ for r in POLICY_RULES],
            equivalences=[
                {**e.__dict__, "management_grade": grade}
                for e, grade in zip(POLICY_EQUIVALENCE, grades, strict=True)
            ],
            note="按人社部发〔2020〕96号制定",
        )
        services.career_table_approve(actor=SystemActor("demo-approver"), table=draft)
        for rank, (name, level, years, quota) in enumerate(EXPERT_LEVELS, start=1):
            services.expert_level_save(
                actor=actor,
                organization=enterprise,
                rank=rank,
                name=name,
                min_skill_level=level,
                min_years=years,
                quota=quota,
                criteria="技能水平、技术革新成果、带徒传技",
            )
        made += 1
    titles = _titles(ctx, actor)
    applications = _applications(ctx)
    from .demo_honours import load_honours, load_pay

    first = ctx.enterprises[0]
    bands = load_pay(first, actor)
    rounds = load_honours(first.parent, first, actor)
    from .demo_experts import load_experts

    expert_calls = load_experts(first, actor)
    from .demo_programmes import load_programmes

    programmes = load_programmes(ctx)
    from .demo_apprentice import load_apprenticeship

    cohorts = load_apprenticeship(ctx)
    stdout.write(
        f"    {made} career tables, {titles} professional titles, {applications} bridge applications"
        f", {bands} pay bands, {rounds} honours round in notice, {programmes} 求学圆梦 round"
        f", {cohorts} apprentice cohorts (login pz_mentor: an enterprise mentor)"
        f", {expert_calls} expert-level calls (one in notice, one expert appointed)"
    )


def _titles(ctx: DemoContext, actor: Any) -> int:
    if ProfessionalTitle.objects.filter(worker__organization=ctx.enterprises[0]).exists():
        return 0
    rng = random.Random(17)
    workers = list(
        Worker.objects.filter(organization=ctx.enterprises[0], user__isnull=True).order_by("id")[
            :400
        ]
    )
    names = {
        "assistant": "助理工程师",
        "intermediate": "工程师",
        "deputy_senior": "高级工程师",
    }
    count = 0
    for worker in rng.sample(workers, min(8, len(workers))):
        level = rng.choice(list(names))
        services.title_add(
            actor=actor,
            worker=worker,
            field="工程",
            name=names[level],
            level=level,
            date=dt.date(rng.randint(2012, 2022), rng.randint(1, 12), 1),
            issuer="江苏省人力资源和社会保障厅",
        )
        count += 1
    return count


def _applications(ctx: DemoContext) -> int:
    hr = ctx.users.get("pz_hr")
    if hr is None or BridgeApplication.objects.filter(organization=ctx.enterprises[0]).exists():
        return 0
    candidates = list(
        Worker.objects.filter(
            organization=ctx.enterprises[0],
            skill_level__in=["TECHNICIAN", "SENIOR_TECHNICIAN", "SENIOR"],
            user__isnull=True,
        ).order_by("id")[:3]
    )
    targets = {
        "SENIOR": "assistant",
        "TECHNICIAN": "intermediate",
        "SENIOR_TECHNICIAN": "deputy_senior",
    }
    for worker in candidates:
        services.bridge_application_submit(
            actor=hr, worker=worker, target=targets[worker.skill_level_id], note="企业推荐"
        )
    return len(candidates)
