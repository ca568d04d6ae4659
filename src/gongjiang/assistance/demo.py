"""Assistance demo: Nanjing's hardship files (a few hundred, across categories and statuses),
the minimum-living standards of the demo regions, the five default lines, a hardship fund fed by
union money and a government transfer, two years of support payments and a spring-festival
campaign with visits; one hardship help request (职工服务中心) already opened as an application by
``pz_helpdesk`` (officer and assistance officer of 南京浦镇轨交工会).

Fast: files are written in bulk (one encryption each); payments and visits go through the ledger
services (every one a debit that cannot take the fund below zero). Idempotent: skipped when the
city already has files.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongjiang.core.demo import DEMO_PASSWORD, DemoContext
from gongjiang.core.ledger.models import Fund
from gongjiang.core.ledger.services import fund_create, fund_credit

from . import support
from .assess import categorise
from .household import members_of
from .models import HardshipFile, Standard
from .services import CONSENT_TEXT, VERIFY_EVERY_DAYS

# (region, monthly minimum, source). Demo values: check them against the cited notice before any
# real use (docs/assistance.md, "Standards").
STANDARDS = [
    (
        "320100",
        "1150.00",
        "南京市民政局、南京市财政局 城乡最低生活保障标准调整通知（演示数值，以原文为准）",
    ),
    (
        "320500",
        "1245.00",
        "苏州市民政局、苏州市财政局 城乡最低生活保障标准调整通知（演示数值，以原文为准）",
    ),
    (
        "320400",
        "1100.00",
        "常州市民政局、常州市财政局 城乡最低生活保障标准调整通知（演示数值，以原文为准）",
    ),
    (
        "330100",
        "1295.00",
        "杭州市民政局、杭州市财政局 最低生活保障标准调整通知（演示数值，以原文为准）",
    ),
]
FILES = 300
RELATIONS = ["配偶", "子女", "父亲", "母亲"]
HEALTH = ["健康", "高血压", "糖尿病", "肢体残疾", "尿毒症（透析）", "癌症术后"]


def _standards(actor: Any, year: int) -> None:
    rows = []
    for y, factor in ((year - 1, Decimal("0.96")), (year, Decimal("1"))):
        for region, amount, source in STANDARDS:
            if not Standard.objects.filter(region_id=region, year=y).exists():
                rows.append(
                    Standard(
                        region_id=region,
                        year=y,
                        monthly_minimum=(Decimal(amount) * factor).quantize(Decimal("1")),
                        source=source,
                        created_by=actor,
                    )
                )
    Standard.objects.bulk_create(rows)


def _household(rng: random.Random, minimum: Decimal) -> dict[str, Any]:
    n = rng.choice([1, 2, 3, 3, 4, 5])
    target = minimum * Decimal(
        rng.choice(["0.4", "0.7", "0.9", "1.1", "1.3", "1.45", "1.8", "2.2"])
    )
    members = [
        {
            "relation": "本人",
            "birth_date": dt.date(rng.randint(1968, 1995), rng.randint(1, 12), 1).isoformat(),
            "monthly_income": f"{(target * n * Decimal('0.8')).quantize(Decimal('0.01'))}",
            "works": True,
            "health": rng.choice(HEALTH),
            "illness_costs_monthly": "0.00",
        }
    ]
    for i in range(n - 1):
        share = target * n * Decimal("0.2") / (n - 1)
        sick = rng.random() < 0.3
        members.append(
            {
                "relation": RELATIONS[i % len(RELATIONS)],
                "birth_date": dt.date(rng.randint(1945, 2018), rng.randint(1, 12), 1).isoformat(),
                "monthly_income": f"{share.quantize(Decimal('0.01'))}",
                "works": share > 0,
                "health": rng.choice(HEALTH) if sick else "健康",
                "illness_costs_monthly": f"{rng.randint(800, 3000)}.00" if sick else "0.00",
            }
        )
    causes = sorted(
        set(
            rng.sample(
                ["illness", "disability", "accident", "unemployment", "schooling", "disaster"], 2
            )
        )
    )
    return {
        "members": members,
        "housing": rng.choice(["租住", "自有住房", "单位宿舍", "借住亲属家"]),
        "debts": f"{rng.randint(0, 80) * 1000}.00",
        "causes": causes,
        "sudden_event": rng.random() < 0.25,
        "note": "",
    }


def _files(ctx: DemoContext, actor: Any, year: int) -> list[HardshipFile]:
    from gongjiang.workforce.models import Worker

    city = ctx.cities[0]
    workers = list(
        Worker.objects.filter(organization__path__startswith=city.path, user__isnull=True)
        .select_related("organization")
        .order_by("id")[:FILES]
    )
    standards = {s.region_id: s for s in Standard.objects.filter(year=year)}
    rng = random.Random(15)
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    statuses = ["filed"] * 14 + ["applied", "exited", "exited", "refused"]
    for worker in workers:
        standard = standards.get(worker.organization.region_id) or standards["320100"]
        document = _household(rng, standard.monthly_minimum)
        result = categorise(
            members_of(document),
            standard=standard.monthly_minimum,
            edge_multiple=standard.edge_multiple,
            sudden_event=document["sudden_event"],
        )
        if result.category == "none":
            document["sudden_event"] = False
        document["assessment"] = {
            "income_per_head": f"{result.income_per_head:.2f}",
            "standard": f"{result.standard:.2f}",
            "edge_line": f"{result.edge_line:.2f}",
            "reasons": result.reasons,
            "on": today.isoformat(),
        }
        status = rng.choice(statuses) if result.category != "none" else "refused"
        applied = now - dt.timedelta(days=rng.randint(40, 700))
        file = HardshipFile(
            organization=worker.organization,
            worker=worker,
            region_id=worker.organization.region_id,
            status=status,
            category=result.category,
            members_count=len(document["members"]),
            standard=standard,
            applied_by=actor,
            consent_text=CONSENT_TEXT,
            consent_at=applied,
            verify_due_on=today + dt.timedelta(days=rng.randint(-20, VERIFY_EVERY_DAYS))
            if status == "filed"
            else None,
            exit_reason="employed" if status == "exited" else "",
            exited_on=today - dt.timedelta(days=rng.randint(10, 300))
            if status == "exited"
            else None,
            refusal_reason="家庭人均收入高于低保边缘标准" if status == "refused" else "",
            approved_by=actor if status in ("filed", "exited") else None,
            approved_at=applied + dt.timedelta(days=20) if status in ("filed", "exited") else None,
        )
        file.set_name(worker.name)
        file.set_sensitive(document)
        rows.append(file)
    HardshipFile.objects.bulk_create(rows, batch_size=500)
    HardshipFile.objects.filter(pk__in=[f.pk for f in rows]).update(applied_at=now)
    return list(HardshipFile.objects.filter(organization__path__startswith=city.path))


def _from_help(ctx: DemoContext) -> HardshipFile | None:
    """pz_worker asks the help desk for hardship help; pz_helpdesk (who answers help requests and
    is an assistance officer) opens the application from the request; it awaits pz_assistance's
    check (whoever opened it does not check it)."""
    from django.contrib.auth import get_user_model

    from gongjiang.core.models import Membership
    from gongjiang.members import helpdesk
    from gongjiang.workforce.models import Worker

    from . import intake

    worker_user = ctx.users.get("pz_worker")
    if worker_user is None or not Worker.objects.filter(user=worker_user).exists():
        return None  # the workforce demo links the logins to workers
    enterprise = ctx.enterprises[0]
    cadre, created = get_user_model().objects.get_or_create(
        username="pz_helpdesk", defaults={"first_name": "南京浦镇轨交工会服务中心帮扶干事"}
    )
    if created:
        cadre.set_password(DEMO_PASSWORD)
        cadre.save()
    for role in ("officer", "assistance"):
        Membership.objects.get_or_create(user=cadre, organization=enterprise, role=role)
    ctx.users["pz_helpdesk"] = cadre
    ctx.logins.append(
        ("pz_helpdesk", "南京浦镇轨交工会 · 干部兼帮扶干事（职工服务中心）", DEMO_PASSWORD)
    )
    if HardshipFile.objects.filter(help_request__user=worker_user).exists():
        return None
    req = helpdesk.help_file(
        actor=worker_user,
        category="hardship",
        subject="爱人患病住院，孩子上学，生活困难",
        text="爱人今年查出尿毒症，每月透析花费较多，孩子读高中，家里只有我一份工资。",
    )
    file = intake.file_from_help(
        actor=cadre,
        req=req,
        household={
            "members": [
                {"relation": "本人", "monthly_income": "4200.00", "works": True, "health": "健康"},
                {
                    "relation": "配偶",
                    "monthly_income": "0",
                    "health": "尿毒症",
                    "illness_costs_monthly": "2600.00",
                },
                {"relation": "子女", "monthly_income": "0", "birth_date": "2010-05-01"},
            ],
            "housing": "自有住房",
            "debts": "30000.00",
            "causes": ["illness", "schooling"],
            "sudden_event": True,
            "note": f"来自职工服务中心求助 {req.code}",
        },
        consent=True,
    )
    helpdesk.help_reply(
        actor=cadre,
        req=req,
        text="已为您提交困难帮扶申请，工会审核并公示后报市总工会审批，结果会在这里告诉您。",
    )
    return file


@transaction.atomic
def load(ctx: DemoContext, stdout: Any) -> None:
    system = ctx.users.get("sysadmin")
    payer = ctx.users.get("nj_assistance")
    year = timezone.localdate().year
    _standards(system, year)
    city = ctx.cities[0]
    if HardshipFile.objects.filter(organization__path__startswith=city.path).exists():
        stdout.write("  assistance: demo files already present\n")
        _from_help(ctx)
        return
    files = _files(ctx, system, year)
    lines = {
        line.kind: line for line in support.lines_ensure_defaults(actor=system, organization=city)
    }
    fund = Fund.objects.filter(
        organization=city, name="南京市总工会困难职工帮扶资金"
    ).first() or fund_create(actor=system, organization=city, name="南京市总工会困难职工帮扶资金")
    fund_credit(
        actor=system,
        fund=fund,
        amount="1200000.00",
        reference=f"宁工〔{year - 1}〕1号",
        memo="工会经费",
    )
    fund_credit(
        actor=system,
        fund=fund,
        amount="800000.00",
        reference=f"宁财社〔{year}〕8号",
        memo="政府专项资金",
    )
    rng = random.Random(2026)
    filed = [f for f in files if f.status == "filed"]
    payments = 0
    for y in (year - 1, year):
        for file in filed[: len(filed) * 2 // 3]:
            line = lines["medical"] if file.category == "sudden" else lines["living"]
            record = support.support_decide(
                actor=system, file=file, line=line, amount=f"{rng.randint(4, 30) * 100}", year=y
            )
            support.support_pay(actor=payer or system, record=record, fund=fund)
            payments += 1
        for file in [f for f in filed if f.category != "sudden"][:20]:
            record = support.support_decide(
                actor=system,
                file=file,
                line=lines["schooling"],
                amount="2000",
                beneficiary="子女",
                term=f"{y}秋",
                year=y,
            )
            support.support_pay(actor=payer or system, record=record, fund=fund)
            payments += 1
    campaign = support.campaign_create(
        actor=system,
        organization=city,
        kind="spring",
        name=f"{year}年两节送温暖",
        year=year,
        budget="150000.00",
        fund=fund,
    )
    for file in filed[:80]:
        support.visit_record(
            actor=system,
            campaign=campaign,
            file=file,
            gift="米、油、慰问金",
            amount="1000.00" if file.category == "deep" else "500.00",
            visited_on=dt.date(year, 1, 20),
        )
    from_help = _from_help(ctx)
    stdout.write(
        f"  assistance: {len(files)} hardship files, {payments} support payments, 80 visits"
        f"{', 1 opened from a help request' if from_help else ''}\n"
    )
