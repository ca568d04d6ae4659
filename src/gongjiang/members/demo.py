"""Demo data of member services: stations in several cities, activities with sign-ups and a waiting
list, a running contest with a few hundred participants, help requests in every state.
Idempotent: a second run finds the stations and leaves everything as it was."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongjiang.core.actors import SYSTEM
from gongjiang.core.demo import DemoContext
from gongjiang.core.models import Membership
from gongjiang.learning.models import OBJECTIVE_TYPES, Question

from . import activities, campaigns, helpdesk, news
from .audience import prefixes
from .campaign_tallies import campaign_tallies_rebuild
from .models import Campaign, ContestEntry, HelpRequest, Station
from .notify import notify

# city centre and district codes of the demo's cities
CENTRES = {
    "320100": (32.041544, 118.784268, ["320102", "320104", "320105", "320106", "320111"]),
    "320500": (31.298886, 120.585316, ["320505", "320506", "320507", "320508"]),
    "320400": (31.810689, 119.973987, ["320402", "320404", "320411", "320412"]),
    "330100": (30.274085, 120.155070, ["330102", "330105", "330106", "330108"]),
}
STATION_NAMES = [
    "户外劳动者驿站",
    "快递小哥之家",
    "环卫工人爱心驿站",
    "司机之家",
    "职工服务站",
    "爱心驿站",
]
SERVICES = ["rest", "water", "heating", "charging", "toilet", "first_aid", "legal", "reading"]
DAY = ["07:00", "21:00"]
PARTICIPANTS = 300


def _stations(actor: Any, cities: list[Any], rng: random.Random) -> int:
    rows = []
    for city in cities:
        lat, lon, districts = CENTRES.get(city.region_id, (None, None, []))
        if lat is None:
            continue
        for i in range(12):
            name = f"{city.name.removesuffix('总工会')}{STATION_NAMES[i % len(STATION_NAMES)]}{i + 1}号"
            hours = {d: DAY for d in ("mon", "tue", "wed", "thu", "fri")}
            if i % 3:
                hours |= {"sat": ["08:00", "18:00"], "sun": ["08:00", "18:00"]}
            if i % 4 == 0:
                hours |= {"holiday": ["09:00", "17:00"]}
            if i == 11:
                hours = {
                    d: ["00:00", "23:59"]
                    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday")
                }
            rows.append(
                Station(
                    organization=city,
                    name=name,
                    region_id=districts[i % len(districts)],
                    address=f"{city.name.removesuffix('总工会')}中山路{100 + 7 * i}号",
                    latitude=Decimal(str(round(lat + rng.uniform(-0.08, 0.08), 6))),
                    longitude=Decimal(str(round(lon + rng.uniform(-0.08, 0.08), 6))),
                    services=sorted(rng.sample(SERVICES, rng.randint(3, 6))),
                    hours=hours,
                    contact=rng.choice(["王师傅", "李大姐", "张站长", "陈老师"]),
                    phone=f"0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}",
                )
            )
    for s in rows:
        s.full_clean()
    Station.objects.bulk_create(rows)
    return len(rows)


def _activities(ctx: DemoContext) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    officer = ctx.users["pz_officer"]
    plan = [
        (ctx.enterprises[0], officer, "职工羽毛球友谊赛", "sports", "浦镇厂区体育馆", 3, 2),
        (ctx.enterprises[0], officer, "高铁转向架技术交流会", "training", "培训中心302", 7, 30),
        (
            ctx.cities[0],
            ctx.users["nj_officer"],
            "走进南京长江大桥——劳模工匠参观",
            "visit",
            "南京长江大桥南堡",
            10,
            40,
        ),
        (ctx.province, ctx.users["js_officer"], "全省职工健步走", "sports", "玄武湖公园", 14, 500),
    ]
    for org, actor, title, kind, place, days, capacity in plan:
        activities.activity_create(
            actor=actor,
            organization=org,
            title=title,
            kind=kind,
            place=place,
            description=f"{title}，欢迎广大职工踊跃报名。",
            starts_at=now + dt.timedelta(days=days, hours=2),
            ends_at=now + dt.timedelta(days=days, hours=5),
            capacity=capacity,
        )
    badminton = activities.activities_managed(actor=officer).get(title="职工羽毛球友谊赛")
    for username in ("pz_worker", "pz_hr", "pz_trainer"):  # two places, one waiting
        activities.activity_signup(actor=ctx.users[username], activity=badminton)


def _campaign(ctx: DemoContext, rng: random.Random) -> None:
    questions = list(
        Question.objects.filter(
            organization__path__in=prefixes(ctx.province.path),
            qtype__in=OBJECTIVE_TYPES,
            is_active=True,
            current__isnull=False,
        ).order_by("id")[:10]
    )
    if not questions:
        return
    now = timezone.now()
    campaign = campaigns.campaign_create(
        actor=ctx.users["js_officer"],
        organization=ctx.province,
        title="“中国梦·大国工匠”网络知识竞赛",
        description="学习大国工匠精神，弘扬劳模精神、劳动精神、工匠精神。",
        starts_at=now - dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=28),
        question_codes=[q.code for q in questions],
    )
    # simulated participants across the province's enterprises (entries and their tallies in bulk)
    User = get_user_model()
    units = [*ctx.enterprises]
    users = [
        User(username=f"contest_{i:04d}", first_name=f"参赛职工{i}") for i in range(PARTICIPANTS)
    ]
    for u in users:
        u.set_unusable_password()
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="contest_").order_by("username"))
    memberships, entries = [], []
    for u in users:
        unit = rng.choice(units[: 1 + rng.randint(0, len(units) - 1)])
        memberships.append(Membership(user=u, organization=unit, role="worker"))
        score = Decimal(rng.randint(len(questions) // 3, len(questions)))
        entries.append(
            ContestEntry(campaign=campaign, user=u, organization=unit, answers={}, score=score)
        )
    Membership.objects.bulk_create(memberships)
    ContestEntry.objects.bulk_create(entries, batch_size=1000)
    # both levels of tallies (units; provinces and cities) from the entries, set-based
    campaign_tallies_rebuild(actor=SYSTEM, campaign=campaign)


def _help(ctx: DemoContext) -> None:
    worker, officer = ctx.users["pz_worker"], ctx.users["pz_officer"]
    city = ctx.users["nj_officer"]
    wages = helpdesk.help_file(
        actor=worker,
        category="wages",
        subject="劳务派遣工三个月未发工资",
        text="班组里五名派遣工自八月起未领到工资。",
    )
    helpdesk.help_file(
        actor=worker,
        category="legal",
        subject="劳动合同到期不续签有补偿吗",
        text="合同下月到期，单位说不续签。",
    )
    helpdesk.help_file(
        actor=ctx.users["nj_worker"],
        category="psych",
        subject="夜班多，睡眠差",
        text="最近连续夜班，情绪低落。",
    )
    injury = helpdesk.help_file(
        actor=worker, category="injury", subject="工伤认定材料怎么准备", text="上周在车间扭伤脚踝。"
    )
    contract = helpdesk.help_file(
        actor=worker,
        category="contract",
        subject="试用期延长是否合法",
        text="试用期被延长到八个月。",
    )
    helpdesk.help_reply(
        actor=officer, req=wages, text="已联系派遣公司核实，限期本周内发放。", internal=False
    )
    helpdesk.help_reply(
        actor=officer, req=wages, text="派遣公司负责人已承诺周五前发放。", internal=True
    )
    helpdesk.help_reply(
        actor=officer, req=injury, text="请准备：工伤认定申请表、劳动关系证明、医疗诊断证明。"
    )
    helpdesk.help_resolve(actor=officer, req=injury)
    helpdesk.help_rate(actor=worker, req=injury, stars=5)
    helpdesk.help_handover(
        actor=city, req=contract, to=ctx.cities[0], reason="涉及法律解释，由市总法律援助中心答复"
    )
    # one left overdue, escalated by the scheduled job
    overdue = helpdesk.help_file(
        actor=ctx.users["pz_hr"],
        category="hardship",
        subject="家人重病，生活困难",
        text="爱人住院，需申请困难帮扶。",
    )
    HelpRequest.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    helpdesk.help_escalate_overdue()


def _news(ctx: DemoContext) -> None:
    now = timezone.now()
    rows = [
        (
            ctx.province,
            "js_officer",
            "江苏省总工会开展“工会进万家”暖心服务活动",
            "news",
            now - dt.timedelta(days=2),
            True,
        ),
        (
            ctx.cities[0],
            "nj_officer",
            "南京市新增20家工惠驿站，户外劳动者歇脚有了好去处",
            "news",
            now - dt.timedelta(days=1),
            False,
        ),
        (
            ctx.enterprises[0],
            "pz_officer",
            "关于开展职工羽毛球友谊赛的通知",
            "notice",
            now - dt.timedelta(hours=3),
            False,
        ),
        (
            ctx.cities[0],
            "nj_officer",
            "关于端午节慰问一线职工的通知（定时发布）",
            "notice",
            now + dt.timedelta(days=3),
            False,
        ),
    ]
    for org, username, title, kind, at, public in rows:
        article = news.article_publish(
            actor=ctx.users[username],
            organization=org,
            title=title,
            body=f"{title}。\n\n详情请咨询所在单位工会。",
            kind=kind,
            publish_at=at,
            is_public=public,
        )
        if kind == "news":  # a picture drawn here (the same bytes every run), through the check
            news.article_image_add(
                actor=ctx.users[username],
                article=article,
                file=io.BytesIO(_banner(len(title))),
                caption=title[:40],
            )


def _banner(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (960, 540), (200, 16, 46))
    draw = ImageDraw.Draw(img)
    for i in range(0, 960, 48):
        draw.rectangle([i, 380 + (i * seed) % 97, i + 40, 540], fill=(250, 215, 90))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def load(ctx: DemoContext, stdout: Any) -> None:
    from . import library_demo

    library_demo.load(ctx, stdout)
    if Station.objects.exists() or Campaign.objects.filter(organization=ctx.province).exists():
        stdout.write("members: already loaded\n")
        return
    rng = random.Random(2026)
    hangzhou = ctx.other_enterprises[0].parent if ctx.other_enterprises else None
    with transaction.atomic():
        n = _stations(ctx.users["sysadmin"], [*ctx.cities, *([hangzhou] if hangzhou else [])], rng)
        _activities(ctx)
        _campaign(ctx, rng)
        _help(ctx)
        _news(ctx)
        notify(
            ctx.users["pz_worker"],
            "“中国梦·大国工匠”知识竞赛进行中",
            "答题赢取荣誉证书",
            "/members/campaigns/",
            push=False,
        )
    stdout.write(
        f"members: {n} stations, 4 activities, 1 campaign ({PARTICIPANTS} participants), 6 help requests\n"
    )
