"""Innovation demo: 200 results across Jiangsu's enterprises (every stage of the flow, teams with
contribution shares, a few patents with valid numbers), a finished award round of the previous year
(nominations, a three-expert panel, ranking, public notice, publication as honours, payments from
the reward fund) — bulk where it can be, through the services where the rules matter.

Idempotent: results are added only while the province has fewer than 200; the round is found by title.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongjiang.core.demo import DemoContext
from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.notices.models import PublicNotice
from gongjiang.core.review.services import panel_member_add, review_score_save
from gongjiang.workforce.models import Worker

from . import awards, demo_studios, fund_budgets
from .models import AwardRound, Patent, Result, TeamMember
from .patents import check_character

TARGET = 200
TOPICS = [
    ("焊缝自动跟踪装置", "焊缝偏移导致返修率高", "加装激光视觉跟踪，实时修正焊枪轨迹"),
    ("转向架构架反变形工装", "焊后变形超差需火焰调修", "按实测变形量预置反变形，一次成形"),
    ("数控刀具寿命管理办法", "刀具过早更换造成浪费", "按切削时长和振动信号判定换刀时机"),
    ("变压器绕线张力控制改进", "绕组松紧不均影响局放", "恒张力伺服控制，张力波动小于3%"),
    ("地铁车门故障快速诊断法", "车门故障定位耗时长", "建立故障树与诊断卡，20分钟内定位"),
    ("高炉风口更换作业法", "更换风口停风时间长", "预制工具与分工优化，停风缩短40分钟"),
    ("SMT贴片抛料率降低", "抛料率高浪费元器件", "吸嘴清洁周期与真空度联动调整"),
    ("仪表阀门在线校验装置", "离线校验需停工", "旁路在线校验，不停车完成校验"),
    ("钢筋笼滚焊机改进", "人工绑扎效率低", "滚焊机加自动送筋机构，效率提高2倍"),
    ("印染废水余热回收", "废水热量直接排放", "板式换热器预热进水，节约蒸汽"),
]
KINDS = ["innovation", "improvement", "suggestion", "qc", "utility_model", "invention", "method"]
STATES = [
    "draft",
    "submitted",
    "adopted",
    "adopted",
    "implemented",
    "certified",
    "certified",
    "not_adopted",
]
ROUND_TITLE = "江苏省职工技术创新奖"


def _patent_number(year: int, kind_digit: int, serial: int) -> str:
    digits = f"{year}{kind_digit}{serial:07d}"
    return f"ZL{digits}.{check_character(digits)}"


def _results(ctx: DemoContext, rng: random.Random) -> int:
    have = Result.objects.filter(organization__path__startswith=ctx.province.path).count()
    if have >= TARGET:
        return 0
    workers_by_employer: dict[int, list[Worker]] = {}
    for w in Worker.objects.filter(
        organization__path__startswith=ctx.province.path, status="active"
    ).only("id", "employer_id", "organization_id", "name", "user_id")[:20000]:
        workers_by_employer.setdefault(w.employer_id, []).append(w)
    employers = [e for e, ws in workers_by_employer.items() if len(ws) >= 4]
    if not employers:
        return 0
    orgs = dict(
        Worker.objects.filter(employer_id__in=employers).values_list(
            "employer_id", "organization_id"
        )
    )
    today = timezone.localdate()
    reviewer = ctx.users.get("pz_hr")
    results, teams = [], []
    for i in range(TARGET - have):
        employer = employers[i % len(employers)]
        title, problem, solution = TOPICS[i % len(TOPICS)]
        kind = KINDS[i % len(KINDS)]
        status = STATES[rng.randrange(len(STATES))]
        team = rng.sample(workers_by_employer[employer], rng.choice((1, 2, 3, 3, 4)))
        started = today - dt.timedelta(days=rng.randint(200, 700))
        adopted = status in Result.ADOPTED_STATES
        results.append(
            Result(
                organization_id=orgs[employer],
                employer_id=employer,
                kind=kind,
                title=f"{title}（{i + 1}号）",
                method_name=f"{team[0].name}操作法" if kind == "method" else "",
                problem=problem,
                solution=solution,
                started_on=started,
                completed_on=started + dt.timedelta(days=rng.randint(30, 150)),
                publish_consent=adopted and rng.random() < 0.6,
                status=status,
                submitted_at=timezone.now() if status != "draft" else None,
                reviewed_by=reviewer if status not in ("draft", "submitted") else None,
                reviewed_on=started + dt.timedelta(days=180)
                if status not in ("draft", "submitted")
                else None,
                review_reason="投入产出比偏低" if status == "not_adopted" else "",
                implemented_on=started + dt.timedelta(days=190)
                if status in ("implemented", "certified")
                else None,
                savings=Decimal(rng.randrange(5_000_00, 900_000_00)) / 100
                if status == "certified"
                else None,
                effect_quality="一次交检合格率提升" if status == "certified" else "",
                certified_on=started + dt.timedelta(days=300) if status == "certified" else None,
            )
        )
        teams.append(team)
    Result.objects.bulk_create(results, batch_size=500)
    members, patents = [], []
    for n, (result, team) in enumerate(zip(results, teams, strict=True)):
        cuts = sorted(rng.sample(range(1, 100), len(team) - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        shares.sort(reverse=True)
        members += [
            TeamMember(result=result, worker=w, contribution=Decimal(s), position=p)
            for p, (w, s) in enumerate(zip(team, shares, strict=True))
        ]
        if result.kind in ("invention", "utility_model"):
            digit = 1 if result.kind == "invention" else 2
            number = _patent_number(today.year - 2, digit, 100000 + n)
            patents.append(Patent(result=result, number=number, kind=result.kind, status="granted"))
    TeamMember.objects.bulk_create(members, batch_size=1000)
    Patent.objects.bulk_create(patents, batch_size=500)
    return len(results)


def _award_round(ctx: DemoContext, rng: random.Random) -> str:
    officer = ctx.users["js_officer"]
    year = timezone.localdate().year - 1
    title = f"{year}年度{ROUND_TITLE}"
    if AwardRound.objects.filter(title=title).exists():
        return "exists"
    fund = fund_create(actor=officer, organization=ctx.province, name=f"{year}年度大众创新奖励基金")
    fund_credit(actor=officer, fund=fund, amount="500000.00", reference=f"苏工发〔{year}〕8号")
    # the fund's yearly budget: proposed by the officer, approved by the admin (fund_budgets.py);
    # next year's proposal waits for approval on the fund page
    this_year = fund_budgets.payment_year()
    proposed = fund_budgets.fund_budget_propose(
        actor=officer, fund=fund, year=this_year, amount="450000.00"
    )
    fund_budgets.fund_budget_approve(actor=ctx.users["js_admin"], budget=proposed)
    fund_budgets.fund_budget_propose(
        actor=officer, fund=fund, year=this_year + 1, amount="300000.00"
    )
    round_ = awards.award_round_create(
        actor=officer,
        organization=ctx.province,
        year=year,
        title=title,
        bands=(1, 3, 6, 10),
        fund=fund,
        grade_amounts={"一等奖": "30000", "二等奖": "15000", "三等奖": "8000", "优秀奖": "2000"},
    )
    candidates = list(
        Result.objects.adopted()
        .filter(organization__path__startswith=ctx.province.path)
        .exclude(members__worker__user__isnull=False)
        .select_related("organization")
        .order_by("id")[:60]
    )
    per_city: dict[int, int] = {}
    for city in ctx.cities:
        awards.award_quota_set(actor=officer, round=round_, organization=city, quota=4)
    for result in candidates:
        city = next((c for c in ctx.cities if result.organization.path.startswith(c.path)), None)
        if city is None or per_city.get(city.pk, 0) >= 4:
            continue
        awards.nomination_add(actor=officer, round=round_, result=result, organization=city)
        per_city[city.pk] = per_city.get(city.pk, 0) + 1
    awards.award_review_open(actor=officer, round=round_)
    experts = [ctx.users[u] for u in ("js_judge", "js_trainer", "js_inspector")]
    criteria = list(round_.review.criteria.all())
    items = list(round_.review.items.all())
    quality = {item.pk: rng.randint(60, 95) for item in items}
    for expert in experts:
        panel_member_add(actor=officer, round=round_.review, user=expert)
        for item in items:
            for c in criteria:
                score = min(100, max(0, quality[item.pk] + rng.randint(-5, 5)))
                review_score_save(actor=expert, item=item, criterion=c, score=score)
    awards.award_round_finalise(actor=officer, round=round_)
    round_ = awards.award_notice_publish(actor=officer, round=round_)
    # last year's round: its notice ran in the past (notices cannot be published backdated)
    notice = round_.notice
    span = notice.ends_on - notice.starts_on
    start = timezone.localdate() - span - dt.timedelta(days=30)
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=start, ends_on=start + span)
    round_.refresh_from_db()
    awards.award_round_publish(actor=officer, round=round_)
    for nomination in awards.winners(round_):
        awards.award_pay(actor=officer, nomination=nomination)
    return f"{len(items)} nominations"


def load(ctx: DemoContext, stdout: Any) -> None:
    rng = random.Random(16)
    with transaction.atomic():
        added = _results(ctx, rng)
        round_info = _award_round(ctx, rng)
        more = demo_studios.load(ctx)
    stdout.write(f"    innovation: {added} results added; award round: {round_info}; {more}")
    from . import demo_exchange

    with transaction.atomic():
        stdout.write(f"    innovation exchange: {demo_exchange.load(ctx)}")
