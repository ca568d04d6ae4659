"""Demo data of the competitions app (idempotent; found by organiser and name).

1. A finished national competition with the six trades of the 2018 national workers' vocational
   skills competition (钳工, 焊工, 数控加工中心操作工, 数控机床装调维修工, 网络与信息安全管理员, 砌筑工):
   provincial selection (江苏, 浙江) → national final; results published, awards applied.
2. A provincial competition in progress (江苏), marking open for the demo judges ``pz_judge``,
   ``nj_judge`` and ``js_judge`` (chief judge).

Marks of the finished competition are bulk-inserted (computed with the same rules as ``mark_save``);
everything else — entries, results, advancement, publication, awards — goes through the services.
Workers: the demo's own entrants are created through the workforce service (found by name and
employer when run again).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongjiang.core.models import Membership, Occupation
from gongjiang.core.validators import citizen_id_check_digit

from . import awards, marking, results, services
from .draw import draw_lots
from .models import Aspect, Competition, Entry, JudgeAssignment, Mark

# trade → (occupation names to look for, in order of preference; the first is the 2018 name)
TRADES_2018: list[tuple[str, list[str]]] = [
    ("钳工", ["钳工", "装配钳工", "机修钳工", "工具钳工"]),
    ("焊工", ["焊工"]),
    ("数控加工中心操作工", ["数控加工中心操作工", "多工序数控机床操作调整工"]),
    ("数控机床装调维修工", ["数控机床装调维修工", "机床装调维修工"]),
    ("网络与信息安全管理员", ["网络与信息安全管理员"]),
    ("砌筑工", ["砌筑工"]),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = [
    "建国",
    "志强",
    "海涛",
    "伟",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "鹏",
    "静",
    "丽",
    "敏",
    "强",
    "斌",
    "浩",
    "宇",
    "俊",
    "峰",
    "亮",
    "刚",
    "平",
    "辉",
    "红",
    "华",
    "飞",
    "鑫",
    "凯",
    "晨",
    "阳",
    "琳",
    "洁",
    "波",
    "健",
]
CRITERIA = {
    "default": [
        ("A", "尺寸与精度", "关键尺寸", "measurement"),
        ("B", "工艺与外观", "工艺质量", "judgement"),
    ],
    "网络与信息安全管理员": [
        ("A", "任务完成", "安全加固任务", "measurement"),
        ("B", "处置与报告", "应急处置", "judgement"),
    ],
    "砌筑工": [
        ("A", "尺寸与精度", "墙体垂直度与平整度", "measurement"),
        ("B", "工艺与外观", "灰缝与观感", "judgement"),
    ],
}
FINISHED_NAME = "全国职工职业技能大赛（演示·2018年赛项）"
RUNNING_NAME = "江苏省职工职业技能大赛（演示·评分进行中）"


def _occupation(names: list[str]) -> tuple[Occupation, bool]:
    for i, name in enumerate(names):
        occ = Occupation.objects.filter(name=name, level="occupation").first()
        if occ:
            return occ, i > 0
    raise LookupError(names)


def _scheme(trade_name: str) -> list[dict[str, Any]]:
    (la, na, sa, _), (lb, nb, sb, _) = CRITERIA.get(trade_name, CRITERIA["default"])
    if trade_name == "网络与信息安全管理员":
        measure = [
            {
                "description": "漏洞修复（全部修复得分）",
                "kind": "measurement",
                "max_mark": 25,
                "rule": "all_or_nothing",
                "target": 1,
                "tolerance": 0,
            },
            {
                "description": "检出入侵痕迹数（目标 10 处）",
                "kind": "measurement",
                "max_mark": 25,
                "rule": "deduction",
                "target": 10,
                "tolerance": 0,
                "step": 1,
                "deduction": 5,
            },
        ]
    else:
        measure = [
            {
                "description": "基准尺寸 80±0.02",
                "kind": "measurement",
                "max_mark": 25,
                "rule": "all_or_nothing",
                "target": 80,
                "tolerance": "0.02",
            },
            {
                "description": "配合尺寸 40±0.01，每超差 0.01 扣 5 分",
                "kind": "measurement",
                "max_mark": 25,
                "rule": "deduction",
                "target": 40,
                "tolerance": "0.01",
                "step": "0.01",
                "deduction": 5,
            },
        ]
    descriptors = ["未达到行业标准", "达到行业标准", "达到并部分超过行业标准", "优秀，远超行业标准"]
    judge = [
        {
            "description": "整体工艺质量",
            "kind": "judgement",
            "max_mark": 30,
            "descriptors": descriptors,
        },
        {
            "description": "安全文明生产",
            "kind": "judgement",
            "max_mark": 20,
            "descriptors": descriptors,
        },
    ]
    return [
        {"letter": la, "name": na, "sub_criteria": [{"name": sa, "aspects": measure}]},
        {"letter": lb, "name": nb, "sub_criteria": [{"name": sb, "aspects": judge}]},
    ]


class _Workers:
    """Demo entrants: created through the workforce service, found again by name and employer."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.n = 0

    def get(self, org: Any, occupation: Occupation, seed: int, level: str) -> Any:
        from gongjiang.workforce.models import Worker
        from gongjiang.workforce.services import worker_create

        name = SURNAMES[seed % len(SURNAMES)] + GIVEN[(seed * 7) % len(GIVEN)]
        existing = Worker.objects.filter(organization=org, name=name, occupation=occupation).first()
        if existing:
            return existing
        region = "330106" if org.region_id.startswith("33") else "320106"
        birth = dt.date(1984 + seed % 12, 1 + seed % 12, 1 + seed % 28)
        for attempt in range(5):  # another demo may hold the same number: take the next one
            first17 = f"{region}{birth:%Y%m%d}{(700 + seed + 37 * attempt) % 1000:03d}"
            try:
                with transaction.atomic():
                    return worker_create(
                        actor=self.actor,
                        organization=org,
                        name=name,
                        citizen_id=first17 + citizen_id_check_digit(first17),
                        occupation=occupation,
                        skill_level=level,
                        hire_date=dt.date(2012, 7, 1),
                        phone=f"139{seed:08d}",
                        source="competitions demo",
                    )
            except ValidationError:
                continue
        raise LookupError(name)


def _bulk_marks(
    stage: Any, trade: Any, entries: list[Entry], judges: list[Any], rng: random.Random
) -> None:
    """Marks as judges would have entered them: quality per entrant, a little disagreement."""
    aspects = list(Aspect.objects.filter(criterion__trade=trade))
    rows = []
    for e in entries:
        q = rng.uniform(0.35, 1.0)
        for a in aspects:
            if a.kind == Aspect.Kind.MEASUREMENT:
                if a.rule == Aspect.Rule.ALL_OR_NOTHING:
                    value = a.target + (
                        Decimal(0)
                        if rng.random() < q
                        else (a.tolerance or Decimal(0)) + Decimal("0.01")
                    )
                else:
                    value = a.target + Decimal(str(round((1 - q) * rng.uniform(0, 4), 0))) * a.step
                rows.append(
                    Mark(
                        entry=e,
                        aspect=a,
                        judge=None,
                        value=value,
                        mark=marking.measurement_mark(a, value),
                        updated_by=judges[0],
                    )
                )
            else:
                base = 3 * q
                for j in judges:
                    s = max(0, min(3, round(base + rng.choice([-1, 0, 0, 0, 1]) * 0.6)))
                    rows.append(
                        Mark(
                            entry=e,
                            aspect=a,
                            judge=j,
                            value=Decimal(s),
                            mark=Decimal(s),
                            updated_by=j,
                        )
                    )
    Mark.objects.bulk_create(rows)


def _judge(username: str, name: str, org: Any) -> Any:
    from gongjiang.core.demo import _user

    user = _user(username, name)
    Membership.objects.get_or_create(user=user, organization=org, role="judge")
    return user


@transaction.atomic
def _finished(ctx: Any, stdout: Any) -> None:
    actor = ctx.users["sysadmin"]
    if Competition.objects.filter(organization=ctx.national, name=FINISHED_NAME).exists():
        return
    rng = random.Random(2018)
    comp = services.competition_create(
        actor=actor,
        organization=ctx.national,
        name=FINISHED_NAME,
        year=2025,
        level="national",
        klass="I",
        tie_break_criteria=["B", "A"],
        prize_counts={"first": 1, "second": 2, "third": 3, "excellence": 0},
    )
    comp.co_organisers.set([ctx.province, ctx.other_province])
    awards.award_rules_set(actor=actor, competition=comp, rules=awards.default_rules(comp))
    s1 = services.stage_create(
        actor=actor,
        competition=comp,
        order=1,
        name="省级选拔赛",
        kind="provincial",
        start_date=dt.date(2025, 6, 10),
        end_date=dt.date(2025, 6, 14),
        venue="南京、杭州",
    )
    s2 = services.stage_create(
        actor=actor,
        competition=comp,
        order=2,
        name="全国决赛",
        kind="national",
        start_date=dt.date(2025, 9, 20),
        end_date=dt.date(2025, 9, 24),
        venue="江苏·常州",
    )
    judges = [_judge(f"qg_judge{i}", f"全国大赛裁判{i}", ctx.national) for i in (1, 2, 3)]
    workers = _Workers(actor)
    seed = 1000
    for trade_name, names in TRADES_2018:
        occupation, fallback = _occupation(names)
        if fallback:
            stdout.write(
                f"    {trade_name}: 2022 大典无此职业，用最接近的 {occupation.code} {occupation.name}\n"
            )
        trade = services.trade_create(
            actor=actor,
            competition=comp,
            name=trade_name,
            occupation=occupation,
            skill_level="TECHNICIAN",
            max_age=55,
            excluded_titles=["全国技术能手"],
        )
        criteria = marking.scheme_load(actor=actor, trade=trade, scheme=_scheme(trade_name))
        for province, ents, n in (
            (ctx.province, ctx.enterprises, 5),
            (ctx.other_province, ctx.other_enterprises, 4),
        ):
            services.quota_set(
                actor=actor, stage=s1, trade=trade, organization=province, places=3, waiting=1
            )
            for i in range(n):
                seed += 1
                w = workers.get(
                    ents[(seed * 7) % len(ents)],
                    occupation,
                    seed,
                    "TECHNICIAN" if i == 0 else "SENIOR",
                )
                e = services.entry_register(actor=actor, stage=s1, trade=trade, worker=w)
                services.entry_confirm(actor=actor, entry=e)
                services.entry_theory_set(actor=actor, entry=e, score=Decimal(rng.randint(62, 96)))
        for stage in (s1, s2):
            JudgeAssignment.objects.bulk_create(
                [
                    JudgeAssignment(
                        stage=stage,
                        criterion=c,
                        user=j,
                        is_chief=k == 0,
                        signed_off_at=dt.datetime(2025, 9, 24, 17, tzinfo=dt.UTC),
                    )
                    for c in criteria
                    for k, j in enumerate(judges)
                ]
            )
        _bulk_marks(s1, trade, list(Entry.objects.filter(stage=s1, trade=trade)), judges, rng)
        results.results_compute(actor=actor, stage=s1, trade=trade)
    results.stage_results_approve(actor=actor, stage=s1)
    results.stage_results_publish(actor=actor, stage=s1)
    results.advancement_run(actor=actor, stage=s1)
    for e in Entry.objects.filter(stage=s2):
        services.entry_confirm(actor=actor, entry=e, reason="省级选拔赛前三名")
        services.entry_theory_set(
            actor=actor, entry=e, score=Decimal(rng.randint(70, 98)), source="manual"
        )
    for trade in comp.trades.all():
        _bulk_marks(s2, trade, list(Entry.objects.filter(stage=s2, trade=trade)), judges, rng)
        results.results_compute(actor=actor, stage=s2, trade=trade)
    results.stage_results_approve(actor=actor, stage=s2)
    results.stage_results_publish(actor=actor, stage=s2)  # applies the awards
    services.competition_update(actor=actor, competition=comp, status="finished")


@transaction.atomic
def _running(ctx: Any, stdout: Any) -> None:
    actor = ctx.users["sysadmin"]
    if Competition.objects.filter(organization=ctx.province, name=RUNNING_NAME).exists():
        return
    comp = services.competition_create(
        actor=actor,
        organization=ctx.province,
        name=RUNNING_NAME,
        year=2026,
        level="province",
        klass="I",
        scaler="worldskills",
        tie_break_criteria=["B"],
    )
    awards.award_rules_set(actor=actor, competition=comp, rules=awards.default_rules(comp))
    today = timezone.localdate()
    stage = services.stage_create(
        actor=actor,
        competition=comp,
        order=1,
        name="省级决赛",
        kind="provincial",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=2),
        venue="苏州工业园区职业技术学院实训中心",
    )
    services.competition_update(actor=actor, competition=comp, status="running")
    judges = [
        get_user_model().objects.get(username=u) for u in ("js_judge", "pz_judge", "nj_judge")
    ]
    workers = _Workers(actor)
    # entrants from 苏州 and 常州 enterprises: none of the three judges' organisations
    pool = [e for e in ctx.enterprises if e.parent_id != ctx.cities[0].pk]
    seed = 5000
    for trade_name, names in TRADES_2018[:2]:
        occupation, _fallback = _occupation(names)
        trade = services.trade_create(
            actor=actor,
            competition=comp,
            name=trade_name,
            occupation=occupation,
            skill_level="SENIOR",
            max_age=50,
        )
        criteria = marking.scheme_load(actor=actor, trade=trade, scheme=_scheme(trade_name))
        entries = []
        for i in range(5):
            seed += 1
            w = workers.get(
                pool[(seed * 5) % len(pool)],
                occupation,
                seed,
                "SENIOR" if i % 2 else "INTERMEDIATE",
            )
            e = services.entry_register(actor=actor, stage=stage, trade=trade, worker=w)
            services.entry_confirm(actor=actor, entry=e)
            entries.append(e)
        # check-in: the entrants draw their numbers; the judges mark by number (blind judging)
        draw_lots(actor=actor, stage=stage, trade=trade)
        entries = list(Entry.objects.filter(pk__in=[e.pk for e in entries]).order_by("id"))
        for c in criteria:
            for j in judges:
                marking.judge_assign(
                    actor=actor, stage=stage, criterion=c, user=j, is_chief=j.username == "js_judge"
                )
        # the first two entrants are partly marked; the judges disagree on one aspect (a flag for the chief)
        aspects = list(
            Aspect.objects.filter(criterion__trade=trade).select_related(
                "criterion", "sub_criterion"
            )
        )
        for e in entries[:2]:
            for a in aspects:
                if a.kind == Aspect.Kind.MEASUREMENT:
                    marking.mark_save(actor=judges[1], entry=e, aspect=a, value=a.target, version=0)
                else:
                    for j, s in zip(judges, (3, 2, 1) if a.number == 1 else (2, 2, 3), strict=True):
                        marking.mark_save(actor=j, entry=e, aspect=a, value=s, version=0)


def load(ctx: Any, stdout: Any) -> None:
    try:
        from gongjiang.workforce import services as _workforce  # noqa: F401
    except ImportError:
        stdout.write("    (workforce services missing: competitions demo skipped)\n")
        return
    _finished(ctx, stdout)
    _running(ctx, stdout)
