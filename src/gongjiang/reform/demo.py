"""Reform demo: the national plan (5 areas, 25 measures) and its current-year ledger (deadlines
relative to today: done, on track, at risk and overdue tasks) led by the coordination
group's departments, Jiangsu's derived plan with tasks in every state, one inspection with findings
and rectifications, a supervision notice, and rollout milestones for all 31 provinces reproducing
"18 leading groups set up, 18 implementation plans issued, 14 revising".

Idempotent: if the national plan exists the plan part is skipped; organisations and milestones are
found or updated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongjiang.core.demo import DEMO_PASSWORD, DemoContext
from gongjiang.core.models import Membership, Organization, Region
from gongjiang.core.services import organization_create

from . import services
from .demo_data import ACFTU, AREAS, DEPARTMENTS, LEDGER, MILESTONE_TYPES
from .models import MilestoneType, Plan, PlanItem, RolloutMilestone
from .supervision import services as supervision

NATIONAL_TITLE = "新时期产业工人队伍建设改革方案"
PROVINCIAL_TITLE = "江苏省贯彻落实《新时期产业工人队伍建设改革方案》实施方案"
D = dt.date


def _org(
    actor: Any, parent: Organization, name: str, kind: str, region: str, short: str = ""
) -> Organization:
    found = Organization.objects.filter(parent=parent, name=name).first()
    return found or organization_create(
        actor=actor, parent=parent, name=name, kind=kind, region=region, short_name=short
    )


def _user(username: str, full_name: str, org: Organization, role: str) -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": full_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, organization=org, role=role)
    return user


def _provinces(actor: Any, ctx: DemoContext) -> list[Organization]:
    """All 31 provincial federations (the two of the core demo are reused)."""
    existing = {
        o.region_id: o for o in Organization.objects.filter(parent=ctx.national, kind="provincial")
    }
    out = []
    for region in (
        Region.objects.filter(level="province")
        .exclude(code__in=["710000", "810000", "820000"])
        .order_by("code")
    ):
        org = existing.get(region.code) or organization_create(
            actor=actor,
            parent=ctx.national,
            name=f"{region.name}总工会",
            kind="provincial",
            region=region,
        )
        out.append(org)
    return out


def _rollout(actor: Any, provinces: list[Organization]) -> None:
    types = {}
    for code, name, position in MILESTONE_TYPES:
        types[code], _ = MilestoneType.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    n = len(provinces)  # 31
    # 18 set up a leading group, 18 issued a plan, 14 are revising theirs (13 without a plan + 1 reworking it)
    leading = [p for i, p in enumerate(provinces) if i % 7 != 3][:18]
    issued = provinces[:18]
    revising = provinces[18:] + provinces[17:18]
    listed = provinces[:9]
    rows = []
    for i, p in enumerate(provinces):
        day = D(2017, 9, 1) + dt.timedelta(days=(i * 11) % 200)
        if p in leading:
            rows.append(
                (p, "leading-group", day, f"{p.short_name or p.name[:2]}产改领导小组成立通知")
            )
        if p in issued:
            rows.append(
                (p, "plan-issued", day + dt.timedelta(days=60), "产业工人队伍建设改革实施方案")
            )
        if p in revising:
            rows.append((p, "plan-revising", day + dt.timedelta(days=90), "实施方案（征求意见稿）"))
        if p in listed:
            rows.append((p, "responsibility-list", day + dt.timedelta(days=120), "产改责任清单"))
    existing = {
        (m.organization_id, m.milestone_type_id): m
        for m in RolloutMilestone.objects.filter(organization__in=provinces)
    }
    new = []
    for org, code, day, doc in rows:
        mt = types[code]
        if (org.pk, mt.pk) not in existing:
            new.append(
                RolloutMilestone(organization=org, milestone_type=mt, reached_on=day, document=doc)
            )
    RolloutMilestone.objects.bulk_create(new)
    assert n == 31 and len(leading) == 18 and len(issued) == 18 and len(revising) == 14


def _report(
    actor: Any,
    reviewers: list[Any],
    task: PlanItem,
    period: str,
    percent: int,
    text: str,
    problems: str = "",
    next_steps: str = "",
    accept: bool | None = True,
    comment: str = "",
) -> None:
    report = services.progress_report_submit(
        actor=actor,
        task=task,
        period=period,
        text=text,
        percent=percent,
        problems=problems,
        next_steps=next_steps,
    )
    if accept is not None:
        # separation of duties: the first supervising reviewer who did not submit it
        reviewer = next(r for r in reviewers if services.may_review_report(r, report))
        services.progress_report_review(
            actor=reviewer, report=report, accept=accept, comment=comment or ""
        )


# Deadlines of the national ledger, in days from today, by the task's state in the ledger: a few
# tasks in progress are past their deadline (overdue), the others on track; some done tasks were
# finished early, before a deadline still ahead. Deterministic, so every demo looks the same.
_DONE_OFFSETS = (-150, -90, -45, -20, 30, -120, 60, -10)
_IN_PROGRESS_OFFSETS = (120, -25, 75, 200, -60, 45, 160, 90, -12)
_AT_RISK_OFFSETS = (20, 35)
_NOT_STARTED_OFFSETS = (240, 180)


def ledger_deadline(ordinal: int, status: str, today: dt.date) -> dt.date:
    """The deadline of the ``ordinal``-th ledger task of a status, relative to ``today``: done, on
    track (in progress before its deadline), at risk, or overdue (in progress past it)."""
    offsets = {
        "done": _DONE_OFFSETS,
        "in_progress": _IN_PROGRESS_OFFSETS,
        "at_risk": _AT_RISK_OFFSETS,
        "not_started": _NOT_STARTED_OFFSETS,
    }[status]
    return today + dt.timedelta(days=offsets[ordinal % len(offsets)])


def _national_plan(
    actor: Any, ctx: DemoContext, units: dict[str, Organization]
) -> tuple[Plan, list[PlanItem]]:
    plan = services.plan_create(
        actor=actor,
        organization=ctx.national,
        title=NATIONAL_TITLE,
        issued_on=D(2017, 6, 19),
        description="中共中央、国务院印发。5个方面、25条改革举措。",
    )
    measures: list[PlanItem] = []
    for title, measure_titles in AREAS:
        area = services.plan_item_create(actor=actor, plan=plan, kind="area", title=title)
        for mt in measure_titles:
            measures.append(
                services.plan_item_create(
                    actor=actor, plan=plan, kind="measure", title=mt, parent=area
                )
            )
    reviewers = [ctx.users["acftu_officer"]]
    today = timezone.localdate()
    y = today.year
    seen: dict[str, int] = {}
    for row in LEDGER:
        n, title, lead, coop, _month, status, percent, progress, problems, nxt = row
        seen[status] = seen.get(status, 0) + 1
        deadline = ledger_deadline(seen[status] - 1, status, today)
        start = min(D(y, 1, 1), deadline - dt.timedelta(days=60))
        task = services.plan_item_create(
            actor=actor,
            plan=plan,
            kind="task",
            title=title,
            parent=measures[n - 1],
            lead_unit=units[lead],
            cooperating_units=[units[c] for c in coop],
            start=start,
            deadline=deadline,
            year=y,
            report_cycle="quarterly",
            tags=[f"{y}年台账"],
        )
        if progress:
            on = min(today, deadline)
            _report(
                actor,
                reviewers,
                task,
                f"{on.year}-Q{(on.month - 1) // 3 + 1}",
                percent,
                progress,
                problems,
                nxt,
            )
        if status in ("at_risk", "in_progress") and task.status != status:
            services.plan_item_update(actor=actor, item=task, status=status)
        if status == "done":  # completed on time
            PlanItem.objects.filter(pk=task.pk).update(
                completed_on=min(today, deadline) - dt.timedelta(days=10)
            )
    return plan, measures


def _provincial_plan(
    actor: Any, ctx: DemoContext, national: Plan, js_depts: dict[str, Organization]
) -> Plan:
    today = timezone.localdate()
    plan = services.plan_derive(
        actor=actor,
        parent=national,
        organization=ctx.province,
        title=PROVINCIAL_TITLE,
        issued_on=D(2017, 12, 20),
    )
    m = {
        i.implements.title: i
        for i in PlanItem.objects.filter(plan=plan, kind="measure").select_related("implements")
    }
    nat_tasks = {t.title: t for t in PlanItem.objects.filter(plan=national, kind="task")}
    nanjing, suzhou, changzhou = ctx.cities[:3]
    hr, edu = js_depts["江苏省人力资源社会保障厅"], js_depts["江苏省教育厅"]
    y = today.year
    specs = [  # measure, title, lead, coop, start, deadline, implements, outcome
        (
            "推行企业新型学徒制",
            "在全省规模以上制造业企业推行新型学徒制",
            hr,
            [nanjing, suzhou],
            D(y, 1, 1),
            today + dt.timedelta(days=150),
            "在企业全面推行新型学徒制",
            "progress",
        ),
        (
            "推行企业新型学徒制",
            "南京市学徒制试点扩面",
            nanjing,
            [],
            D(y, 1, 1),
            today - dt.timedelta(days=20),
            None,
            "overdue",
        ),
        (
            "完善职业技能竞赛体系",
            "举办江苏技能状元大赛",
            ctx.province,
            [hr],
            D(y, 2, 1),
            today - dt.timedelta(days=40),
            "举办全国职工职业技能大赛",
            "done",
        ),
        (
            "加强劳模和工匠人才创新工作室建设",
            "新建省级劳模和工匠人才创新工作室50家",
            ctx.province,
            [changzhou],
            D(y, 1, 1),
            today + dt.timedelta(days=5),
            None,
            "at_risk",
        ),
        (
            "改革产业工人技能评价制度",
            "推进企业技能人才自主评价",
            hr,
            [suzhou, changzhou],
            D(y, 3, 1),
            today + dt.timedelta(days=200),
            None,
            "not_started",
        ),
        (
            "完善现代职业教育制度，深化产教融合、校企合作",
            "建设产教融合实训基地",
            edu,
            [hr],
            D(y, 1, 1),
            today + dt.timedelta(days=90),
            None,
            "returned",
        ),
        (
            "建设产业工人网上学习平台",
            "上线“江苏工匠学院”网上学习平台",
            ctx.province,
            [edu],
            D(y, 1, 1),
            today + dt.timedelta(days=60),
            "建设职工网上学习平台",
            "submitted",
        ),
    ]
    js_officer = ctx.users.get("js_officer", actor)
    reviewers = [js_officer, ctx.users["acftu_officer"]]
    for measure, title, lead, coop, start, deadline, implements, outcome in specs:
        task = services.plan_item_create(
            actor=actor,
            plan=plan,
            kind="task",
            title=title,
            parent=m[measure],
            lead_unit=lead,
            cooperating_units=coop,
            start=min(start, today, deadline - dt.timedelta(days=60)),
            deadline=deadline,
            year=y,
            report_cycle="monthly",
            implements=nat_tasks.get(implements) if implements else None,
            owner=js_officer,
        )
        prev = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        if outcome == "progress":
            _report(
                actor,
                reviewers,
                task,
                prev,
                55,
                "已在120家企业开展学徒制培训",
                "部分企业参与积极性不高",
                "扩大试点",
            )
        elif outcome == "overdue":
            _report(
                actor,
                reviewers,
                task,
                prev,
                70,
                "已覆盖市内30家企业",
                "补贴资金未到位",
                "协调财政部门",
            )
        elif outcome == "done":
            _report(actor, reviewers, task, prev, 100, "大赛顺利举办，表彰技能状元20名")
        elif outcome == "at_risk":
            _report(actor, reviewers, task, prev, 30, "已认定18家", "申报数量不足", "加大宣传发动")
            services.plan_item_update(actor=actor, item=task, status="at_risk")
        elif outcome == "returned":
            _report(
                actor,
                reviewers,
                task,
                prev,
                20,
                "完成选址",
                accept=False,
                comment="请补充建设进度和资金安排",
            )
        elif outcome == "submitted":
            _report(
                actor,
                reviewers,
                task,
                today.strftime("%Y-%m"),
                85,
                "平台完成测试，待上线",
                accept=None,
            )
        if outcome in ("progress", "at_risk"):
            services.task_milestone_add(
                actor=actor, task=task, title="完成年度中期评估", due=today + dt.timedelta(days=30)
            )
    return plan


def _supervision(actor: Any, ctx: DemoContext, plan: Plan) -> None:
    today = timezone.localdate()
    tasks = {t.title: t for t in PlanItem.objects.filter(plan=plan, kind="task")}
    insp = supervision.inspection_create(
        actor=actor,
        organization=ctx.national,
        title="产业工人队伍建设改革专项督查（江苏）",
        start=today - dt.timedelta(days=45),
        end=today - dt.timedelta(days=41),
        scope="改革任务落实、责任清单执行、经费保障",
        team_note="全国总工会督查组5人",
        visited=[ctx.province, ctx.cities[0]],
    )
    f1 = supervision.finding_add(
        actor=actor,
        inspection=insp,
        organization=ctx.cities[0],
        text="学徒制试点扩面进度滞后，补贴资金未及时到位",
        task=tasks["南京市学徒制试点扩面"],
    )
    f2 = supervision.finding_add(
        actor=actor,
        inspection=insp,
        organization=ctx.province,
        text="部分改革任务台账佐证材料不全",
        severity="problem",
    )
    supervision.finding_add(
        actor=actor,
        inspection=insp,
        organization=ctx.province,
        severity="highlight",
        text="“江苏工匠学院”线上线下融合培训模式成效明显",
    )
    supervision.rectification_add(
        actor=actor,
        finding=f1,
        title="制定学徒制扩面专项推进计划",
        deadline=today + dt.timedelta(days=30),
    )
    r2 = supervision.rectification_add(
        actor=actor, finding=f2, title="补齐台账佐证材料", deadline=today - dt.timedelta(days=5)
    )
    # the responsible unit (the province) answers, the national inspecting body signs off
    js_officer = ctx.users["js_officer"]
    supervision.rectification_submit(
        actor=js_officer, rectification=r2, response="已补齐全部任务佐证材料并建立月度更新制度"
    )
    r3 = supervision.rectification_add(
        actor=actor,
        finding=f2,
        title="建立台账月度审核制度",
        deadline=today - dt.timedelta(days=10),
    )
    supervision.rectification_submit(
        actor=js_officer, rectification=r3, response="已印发台账管理办法"
    )
    supervision.rectification_close(actor=actor, rectification=r3, comment="同意销号")
    supervision.notice_issue(
        actor=actor,
        organization=ctx.national,
        target=ctx.province,
        title="关于加快推进学徒制扩面的督办单",
        body="请于期限内报送学徒制扩面推进情况及补贴资金落实情况。",
        task=tasks["南京市学徒制试点扩面"],
        reply_deadline=today + dt.timedelta(days=10),
    )


def load(ctx: DemoContext, stdout: Any) -> None:
    actor = ctx.users["sysadmin"]
    with transaction.atomic():
        units = {ACFTU: ctx.national}
        for name, short in DEPARTMENTS:
            units[name] = _org(actor, ctx.national, name, "department", "110000", short)
        js_depts = {
            n: _org(actor, ctx.province, n, "department", "320000")
            for n in ("江苏省人力资源社会保障厅", "江苏省教育厅")
        }
        provinces = _provinces(actor, ctx)
        _rollout(actor, provinces)
        logins = [
            (
                "acftu_officer",
                "全国总工会产改办干部",
                ctx.national,
                "officer",
                "全国总工会 · 干部（产改协调）",
            ),
            (
                "acftu_inspector",
                "全国总工会督查员",
                ctx.national,
                "inspector",
                "全国总工会 · 督查员",
            ),
            (
                "hrss_officer",
                "人力资源社会保障部联络员",
                units["人力资源社会保障部"],
                "officer",
                "人力资源社会保障部 · 联络员",
            ),
        ]
        for login, full_name, org, role, label in logins:
            ctx.users[login] = _user(login, full_name, org, role)
            if login not in {u for u, _l, _p in ctx.logins}:
                ctx.logins.append((login, label, DEMO_PASSWORD))
        national = Plan.objects.filter(organization=ctx.national, title=NATIONAL_TITLE).first()
        if national is not None:
            stdout.write("    reform plans already loaded")
            return
        national, _measures = _national_plan(actor, ctx, units)
        plan = _provincial_plan(actor, ctx, national, js_depts)
        services.plan_derive(
            actor=actor,
            parent=national,
            organization=ctx.other_province,
            title="浙江省产业工人队伍建设改革实施方案",
            issued_on=D(2018, 1, 15),
        )
        _supervision(actor, ctx, plan)
    stdout.write(
        f"    reform: {PlanItem.objects.filter(plan=national).count()} national items, 31 provinces' rollout"
    )
