"""Demo of revenue sharing and studios (called by demo.load): a year of revenue sharing at 南京浦镇
(a licence at the statutory 50 % and own use at the statutory 5 % for five years, entered by HR,
certified by the officer, paid from a fund by the admin), two studios led by honoured workers, an
alliance of the province with a joint project, a mentoring pair and last year's assessments — all
through the services. Idempotent: nothing is added once the province has a studio."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongjiang.core.actors import SYSTEM
from gongjiang.core.demo import DemoContext
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.workforce.history import honour_add
from gongjiang.workforce.models import Worker

from . import revenue, studios
from .models import Result, Studio

SCORES = {"results": 27, "talent": 22, "system": 13, "funding": 14, "example": 13}


def _certified(ctx: DemoContext, org: Any, n: int) -> list[Result]:
    return list(
        Result.objects.filter(
            organization__path__startswith=org.path, status=Result.Status.CERTIFIED
        ).order_by("id")[:n]
    )


def _revenue(ctx: DemoContext) -> str:
    ent = ctx.enterprises[0]
    hr, officer, admin = (ctx.users[f"pz_{r}"] for r in ("hr", "officer", "admin"))
    results = _certified(ctx, ent, 2)
    if len(results) < 2:
        return "no certified results"
    year = timezone.localdate().year - 1
    fund = fund_create(actor=admin, organization=ent, name="科技成果转化收益分红资金")
    fund_credit(actor=admin, fund=fund, amount="300000.00", reference="转化收益")
    licence = revenue.revenue_scheme_create(
        actor=hr, result=results[0], mode="licence", first_year=year, fund=fund
    )
    own_use = revenue.revenue_scheme_create(
        actor=hr, result=results[1], mode="own_use", first_year=year, own_use_years=5, fund=fund
    )
    for scheme, amount in ((licence, "186000.00"), (own_use, "1234567.89")):
        row = revenue.revenue_year_enter(
            actor=hr, scheme=scheme, year=year, amount=Decimal(amount), note="财务部门核算"
        )
        row = revenue.revenue_year_certify(actor=officer, year=row)
        revenue.revenue_year_pay(actor=admin, year=row)
    return "2 schemes paid"


def _leader(org: Any, title: str, level: str, skip: set[int]) -> Worker | None:
    worker = (
        Worker.objects.filter(organization__path__startswith=org.path, status="active")
        .exclude(pk__in=skip)
        .order_by("id")
        .first()
    )
    if worker is not None:
        honour_add(actor=SYSTEM, worker=worker, title=title, level=level, year=2021)
    return worker


def _studios(ctx: DemoContext) -> str:
    if len(ctx.enterprises) < 2:
        return "too few enterprises"
    ent_a, ent_b = ctx.enterprises[0], ctx.enterprises[1]
    js = ctx.users["js_officer"]
    leader_a = _leader(ent_a, "江苏省劳动模范", "provincial", set())
    leader_b = _leader(ent_b, "江苏工匠", "provincial", set())
    if leader_a is None or leader_b is None:
        return "no workers"
    mates = list(
        Worker.objects.filter(organization__path__startswith=ent_a.path, status="active")
        .exclude(pk=leader_a.pk)
        .order_by("id")[:4]
    )
    studio_a = studios.studio_propose(
        actor=ctx.users["pz_officer"],
        organization=ent_a,
        name=f"{leader_a.name}劳模创新工作室",
        level="provincial",
        leader=leader_a,
        fields="轨道车辆焊接、转向架制造",
        site="转向架车间二楼",
        funding=Decimal("300000.00"),
        members=mates[:3],
    )
    studio_b = studios.studio_propose(
        actor=js,
        organization=ent_b,
        name=f"{leader_b.name}工匠创新工作室",
        level="provincial",
        leader=leader_b,
        fields="数控加工、工装设计",
        funding=Decimal("150000.00"),
    )
    approver = ctx.users["js_admin"]
    for s in (studio_a, studio_b):
        studios.studio_approve(actor=approver, studio=s)
    year = timezone.localdate().year
    studios.studio_year_save(
        actor=ctx.users["pz_officer"],
        studio=studio_a,
        year=year,
        plan="完成两项攻关，带徒6人，举办技术交流4次。",
    )
    for s in (studio_a, studio_b):
        studios.studio_assess(actor=js, studio=s, year=year - 1, scores=SCORES)
    alliance = studios.alliance_create(
        actor=js,
        organization=ctx.province,
        name="江苏省劳模和工匠人才创新工作室联盟",
        studios=[studio_a, studio_b],
    )
    project = studios.joint_project_create(
        actor=js,
        alliance=alliance,
        title="转向架构架焊接变形控制联合攻关",
        goal="焊后变形量降低50%",
        studios=[studio_a, studio_b],
        tasks=[("焊接顺序优化", studio_a), ("反变形工装设计", studio_b)],
    )
    results = _certified(ctx, ent_a, 3)
    if results:
        studios.joint_project_results_add(actor=js, project=project, results=results[:2])
        studios.studio_results_attribute(
            actor=ctx.users["pz_officer"], studio=studio_a, results=results[2:]
        )
    if len(mates) >= 4:
        pair = studios.mentoring_pair_add(
            actor=ctx.users["pz_officer"],
            studio=studio_a,
            mentor=leader_a,
            mentee=mates[3],
            started_on=dt.date(year - 2, 3, 1),
        )
        studios.mentoring_outcome(
            actor=ctx.users["pz_officer"],
            pair=pair,
            outcome="promoted",
            note="晋升高级工",
            on=dt.date(year - 1, 12, 1),
        )
    return "2 studios, 1 alliance"


def load(ctx: DemoContext) -> str:
    if Studio.objects.filter(organization__path__startswith=ctx.province.path).exists():
        return "revenue sharing and studios already loaded"
    return f"revenue sharing: {_revenue(ctx)}; studios: {_studios(ctx)}"
