"""Demo data of the workforce registry (called by ``gongjiang demo``; idempotent).

1. The bulk of the workers: :func:`bulk_workers`. By default a few hundred plausible workers per
   run, 15 per enterprise, imported through the roster importer (so a second run reports them all
   unchanged). When ``gongjiang.workforce.generate.workers`` provides ``demo_workers(ctx, stdout)`` (the
   synthetic-data generator, ~20k workers), that is used instead — nothing here needs to change.
2. The demo logins with the worker role (``pz_worker``, ``nj_worker``, ``js_worker``) get their own
   Worker records (``Worker.user``), so "my record" works for them.
3. A little history (certificates, honours, training) on a few workers, so profiles have timelines.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from typing import Any

from django.db import transaction
from stdnum.cn import ric

from gongjiang.core.actors import SystemActor
from gongjiang.core.demo import DemoContext
from gongjiang.core.validators import citizen_id_check_digit

from .models import Honour, TrainingRecord, Worker
from .roster.importer import roster_import
from .validators import certificate_number_with

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文斌鹏辉宇浩凯健俊帆帅旭宁龙林欣晨阳春雪梅兰海波峰亮成"
PREFIXES = (
    "110101",
    "110102",
    "110105",
    "110106",
    "110108",
    "310104",
    "120101",
    "320102",
    "320106",
    "320581",
)
LEVELS = (
    "",
    "JUNIOR",
    "JUNIOR",
    "INTERMEDIATE",
    "INTERMEDIATE",
    "INTERMEDIATE",
    "SENIOR",
    "SENIOR",
    "TECHNICIAN",
    "SENIOR_TECHNICIAN",
)
LEVEL_TEXT = {
    "": "",
    "JUNIOR": "初级工",
    "INTERMEDIATE": "四级/中级工",
    "SENIOR": "高级工",
    "TECHNICIAN": "技师",
    "SENIOR_TECHNICIAN": "一级",
}
OCCUPATIONS = (
    "焊工",
    "车工",
    "钳工",
    "电工",
    "数控车工",
    "装配钳工",
    "仪器仪表维修工",
    "电气设备安装工",
    "铁路车辆制修工",
    "化工总控工",
    "汽车装调工",
    "工具钳工",
)
PER_ENTERPRISE = 15
HEADER = ["姓名", "身份证号", "性别", "手机号", "工种", "技能等级", "入职日期", "班组"]


def _citizen_id(rng: random.Random, year: int) -> str:
    for _attempt in range(20):
        prefix = rng.choice(PREFIXES)
        birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        body = f"{prefix}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        number = body + citizen_id_check_digit(body)
        if ric.is_valid(number):
            return number
    body = f"110105{year}0101{rng.randint(0, 999):03d}"
    return body + citizen_id_check_digit(body)


def _rows(organization: Any, seed: int, teams: list[str]) -> list[tuple[int, list[Any]]]:
    rng = random.Random(seed)
    rows: list[tuple[int, list[Any]]] = [(1, HEADER)]
    for i in range(PER_ENTERPRISE):
        year = rng.randint(1968, 2003)
        number = _citizen_id(rng, year)
        name = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))
        )
        hire = dt.date(
            min(year + rng.randint(18, 30), 2025), rng.randint(1, 12), rng.randint(1, 28)
        )
        level = LEVEL_TEXT[rng.choice(LEVELS)]
        phone = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
        rows.append(
            (
                i + 2,
                [
                    name,
                    number,
                    "",
                    phone,
                    rng.choice(OCCUPATIONS),
                    level,
                    hire.isoformat(),
                    rng.choice(teams) if teams else "",
                ],
            )
        )
    return rows


def small_bulk_workers(ctx: DemoContext, stdout: Any) -> int:
    """A few hundred workers (15 per enterprise), through the importer; returns how many exist."""
    from gongjiang.core.models import Organization

    actor = SystemActor("demo")
    for index, enterprise in enumerate([*ctx.enterprises, *ctx.other_enterprises]):
        teams = list(
            Organization.objects.filter(parent=enterprise, kind="team").values_list(
                "name", flat=True
            )
        )
        roster_import(
            actor=actor,
            source=_rows(enterprise, 1000 + index, teams),
            filename="demo.xlsx",
            organization=enterprise,
            source_ref="demo",
        )
    return Worker.objects.count()


def bulk_workers(ctx: DemoContext, stdout: Any) -> int:
    """The generator's ``demo_workers`` when present, else :func:`small_bulk_workers`."""
    try:
        generate = importlib.import_module("gongjiang.workforce.generate.workers")
    except ModuleNotFoundError as exc:
        if exc.name != "gongjiang.workforce.generate.workers":
            raise
        generate = None
    loader = getattr(generate, "demo_workers", None) if generate is not None else None
    return (loader or small_bulk_workers)(ctx, stdout)


# (username, enterprise index, name, ID seed year) — the demo logins with the worker role
WORKER_LOGINS = (
    ("pz_worker", 0, "陈建国", 1985),
    ("nj_worker", 1, "刘海峰", 1990),
    ("js_worker", 7, "周晓梅", 1993),
)


@transaction.atomic
def _link_logins(ctx: DemoContext) -> None:
    from .services import certificate_add, training_record_add, worker_create

    actor = SystemActor("demo")
    for username, index, name, year in WORKER_LOGINS:
        user = ctx.users.get(username)
        if user is None or Worker.objects.filter(user=user).exists():
            continue
        enterprise = ctx.enterprises[index % len(ctx.enterprises)]
        rng = random.Random(username)
        worker = worker_create(
            actor=actor,
            organization=enterprise,
            name=name,
            citizen_id=_citizen_id(rng, year),
            phone=f"139{rng.randint(0, 99_999_999):08d}",
            skill_level="SENIOR",
            hire_date=dt.date(year + 20, 7, 1),
            occupation="6-18-02-04",
            user=user,
            source="demo",
        )
        certificate_add(
            actor=actor,
            worker=worker,
            kind="skill_level",
            number=certificate_number_with(
                province="32", year=2021, level=3, serial=rng.randint(1, 9999)
            ),
            issuer="江苏省职业技能鉴定中心",
            date=dt.date(2021, 6, 30),
            level="SENIOR",
            occupation="6-18-02-04",
            source="demo",
        )
        training_record_add(
            actor=actor,
            worker=worker,
            title="焊接工艺提升培训",
            hours=24,
            date=dt.date(2023, 4, 10),
            result="合格",
            provider="企业培训中心",
            source="demo",
        )


@transaction.atomic
def _some_history(ctx: DemoContext) -> None:
    from .services import honour_add, training_record_add

    actor = SystemActor("demo")
    if Honour.objects.filter(source="demo").exists():
        return
    rng = random.Random(7)
    workers = list(Worker.objects.filter(organization__in=ctx.enterprises).order_by("id")[:400])
    titles = (
        ("全国技术能手", "national"),
        ("省级技术能手", "provincial"),
        ("劳动模范", "provincial"),
        ("全国五一劳动奖章", "national"),
        ("大国工匠", "national"),
    )
    for worker in rng.sample(workers, min(12, len(workers))):
        title, level = rng.choice(titles)
        honour_add(
            actor=actor,
            worker=worker,
            title=title,
            level=level,
            year=rng.randint(2015, 2024),
            awarded_by="中华全国总工会" if level == "national" else "江苏省总工会",
            source="demo",
        )
    if not TrainingRecord.objects.filter(source="demo-bulk").exists():
        for worker in rng.sample(workers, min(30, len(workers))):
            training_record_add(
                actor=actor,
                worker=worker,
                title=rng.choice(("安全生产培训", "数控编程培训", "班组长培训")),
                hours=rng.choice((8, 16, 40)),
                date=dt.date(2024, rng.randint(1, 12), 1),
                result="合格",
                source="demo-bulk",
            )


def load(ctx: DemoContext, stdout: Any) -> None:
    count = bulk_workers(ctx, stdout)
    _link_logins(ctx)
    _some_history(ctx)
    stdout.write(
        f"    {count} workers; logins pz_worker, nj_worker, js_worker have their own records"
    )
