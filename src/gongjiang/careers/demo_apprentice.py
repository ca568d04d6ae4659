"""Demo of the enterprise new-style apprenticeship: the first demo enterprise a pilot (designated by
the province's officer js_officer), the provincial technician college as its institution, and two
cohorts in different states —

* a welders' class (target 高级工) that began 26 months ago: its apprentices completed, two enrolled
  in an open skill-level evaluation plan, one ended early; its first year's subsidy claim paid from
  the province's apprenticeship fund, its second year's submitted and awaiting js_officer's decision;
* a class of transferred welders aiming at 技师 that began five months ago, in training, with a course
  of the learning system, workplace tasks, an assessment and monthly progress. The demo worker
  login pz_worker is one of its apprentices; its enterprise mentor logs in as pz_mentor.

Claims are drawn up and submitted by the enterprise's HR (pz_hr). Idempotent: an enterprise that is
already a pilot is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gongjiang.core.demo import DEMO_PASSWORD, DemoContext
from gongjiang.core.models import Membership
from gongjiang.workforce.models import Worker

from . import apprenticeship as svc
from . import apprenticeship_rules as R
from .models_apprentice import ApprenticePilot

WELDER = "6-18-02-04"
MENTOR_LOGIN = "pz_mentor"
PLAN_CHECKLIST = [("焊前准备与安全防护", 15), ("板对接平焊", 40), ("管对接水平固定焊", 45)]


def _pdf(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% demo document\n", name=name)


def _mentor_login(ctx: DemoContext, worker: Worker) -> Any:
    """The login pz_mentor for the second cohort's enterprise mentor (a worker role)."""
    user, created = get_user_model().objects.get_or_create(
        username=MENTOR_LOGIN, defaults={"first_name": f"{worker.name}（企业导师）"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, organization=ctx.enterprises[0], role="worker")
    if worker.user_id is None and not Worker.objects.filter(user=user).exists():
        from gongjiang.core.actors import SystemActor
        from gongjiang.workforce.services import worker_update

        worker_update(actor=SystemActor("demo"), worker=worker, user=user)
    _list_login(ctx, user)
    return user


def _list_login(ctx: DemoContext, user: Any) -> None:
    ctx.users[MENTOR_LOGIN] = user
    ctx.logins.append((MENTOR_LOGIN, "南京浦镇轨交工会 · 企业导师（学徒制）", DEMO_PASSWORD))


def _workers(enterprise: Any) -> tuple[list[Worker], list[Worker]]:
    """(trainees below 高级工, mentors at 高级工 or above — the most skilled first) of the
    enterprise, without logins."""
    base = Worker.objects.filter(
        organization__path__startswith=enterprise.path, status="active", user__isnull=True
    ).select_related("skill_level")
    trainees = list(
        base.filter(skill_level__rank__lt=4)
        .exclude(apprenticeships__isnull=False)
        .order_by("id")[:6]
    )
    mentors = list(base.filter(skill_level__rank__gte=4).order_by("-skill_level__rank", "id")[:3])
    return trainees, mentors


@transaction.atomic
def load_apprenticeship(ctx: DemoContext) -> int:
    officer, hr, cadre = (ctx.users.get(u) for u in ("js_officer", "pz_hr", "pz_officer"))
    enterprise = ctx.enterprises[0]
    if officer is None or hr is None or cadre is None:
        return 0
    if ApprenticePilot.objects.filter(organization=enterprise).exists():
        mentor = get_user_model().objects.filter(username=MENTOR_LOGIN).first()
        if mentor is not None:  # loaded before: list its login again
            _list_login(ctx, mentor)
        return 0
    trainees, mentors = _workers(enterprise)
    if len(trainees) < 6 or len(mentors) < 3:
        return 0
    today = timezone.localdate()
    pilot = svc.apprentice_pilot_create(
        actor=officer,
        organization=enterprise,
        since=today.replace(month=1, day=1) - dt.timedelta(days=3 * 365),
        designated_by="江苏省人力资源和社会保障厅",
        note="首批企业新型学徒制试点企业",
    )
    institution = svc.training_institution_create(
        actor=officer, organization=ctx.province, name="江苏省技师学院", kind="technical"
    )
    svc.training_institution_create(
        actor=officer, organization=ctx.province, name="南京交通技师学院", kind="technical"
    )
    _completed_cohort(ctx, pilot, institution, trainees[:4], mentors[:2], today)
    _training_cohort(ctx, pilot, institution, trainees[4:], mentors[2], today)
    return 2


def _completed_cohort(
    ctx: DemoContext,
    pilot: Any,
    institution: Any,
    workers: list[Worker],
    mentors: list[Worker],
    today: Any,
) -> None:
    officer, hr, cadre = ctx.users["js_officer"], ctx.users["pz_hr"], ctx.users["pz_officer"]
    start = R.anniversary(today.replace(day=1), -26)
    end = R.period_end(start, 24)
    cohort = svc.apprentice_cohort_create(
        actor=hr,
        pilot=pilot,
        institution=institution,
        name=f"{start.year}级焊工学徒班",
        occupation=WELDER,
        level="SENIOR",
        year=start.year,
    )
    apprentices = []
    for n, worker in enumerate(workers):
        a = svc.apprentice_enrol(
            actor=hr,
            cohort=cohort,
            worker=worker,
            origin="new_hire",
            agreement_number=f"PZXT-{start.year}-{n + 1:03d}",
            signed_on=start - dt.timedelta(days=7),
            contract_months=36,
            starts_on=start,
            ends_on=end,
            mentor=mentors[n % 2],
            teacher_name="孙立新",
        )
        apprentices.append(a)
    leaver = apprentices[-1]
    svc.apprentice_terminate(
        actor=hr, apprentice=leaver, ended_on=R.anniversary(start, 5), note="个人原因离职"
    )
    for a in apprentices[:-1]:
        for title, kind, hours, month in (
            ("焊接安全与设备操作", "task", "80", 3),
            ("板对接平焊（V形坡口）", "task", "160", 9),
            ("管对接水平固定焊", "task", "160", 16),
            ("中期考核", "assessment", "8", 12),
            ("结业考核", "assessment", "8", 23),
        ):
            item = svc.apprentice_plan_item_add(
                actor=hr, apprentice=a, kind=kind, title=title, hours=hours
            )
            svc.apprentice_plan_item_done(
                actor=hr, item=item, done_on=R.anniversary(start, month), result="合格"
            )
        for k in range(0, 24, 6):
            svc.apprentice_progress_record(
                actor=hr,
                apprentice=a,
                month=R.anniversary(start, k),
                workplace_hours="140",
                institution_hours="24",
                summary="按计划完成岗位实操与院校理论学习",
                mentor_comment="进步明显",
            )
        svc.apprentice_complete(actor=hr, apprentice=a, completed_on=end)
    plan = _evaluation_plan(pilot.organization, today)
    for a in apprentices[:2]:
        svc.apprentice_evaluation_enrol(actor=cadre, apprentice=a, plan=plan)
    fund = _fund(ctx)
    first = svc.apprentice_claim_create(actor=hr, cohort=cohort, year=start.year)
    _submit(first, hr)
    svc.apprentice_claim_decide(actor=officer, claim=first, approve=True, note="材料齐全")
    svc.apprentice_claim_pay(actor=officer, claim=first, fund=fund, reference="苏人社补〔学徒〕1号")
    second = svc.apprentice_claim_create(actor=hr, cohort=cohort, year=start.year + 1)
    _submit(second, hr)


def _training_cohort(
    ctx: DemoContext,
    pilot: Any,
    institution: Any,
    workers: list[Worker],
    mentor: Worker,
    today: Any,
) -> None:
    officer, hr = ctx.users["js_officer"], ctx.users["pz_hr"]
    start = R.anniversary(today.replace(day=1), -5)
    end = R.period_end(start, 24)
    cohort = svc.apprentice_cohort_create(
        actor=hr,
        pilot=pilot,
        institution=institution,
        name=f"{start.year}级焊工技师研修班（转岗）",
        occupation=WELDER,
        level="TECHNICIAN",
        year=start.year,
    )
    mentor_user = _mentor_login(ctx, mentor)
    own = Worker.objects.filter(user=ctx.users.get("pz_worker")).first()
    people = ([own] if own is not None else []) + workers
    course = _course(officer, ctx)
    for n, worker in enumerate(people[:3]):
        a = svc.apprentice_enrol(
            actor=hr,
            cohort=cohort,
            worker=worker,
            origin="transferred",
            agreement_number=f"PZXT-{start.year}-J{n + 1:02d}",
            signed_on=start - dt.timedelta(days=3),
            contract_months=60,
            starts_on=start,
            ends_on=end,
            mentor=mentor,
            teacher_name="孙立新",
        )
        svc.apprentice_plan_item_add(actor=hr, apprentice=a, kind="course", course=course)
        first = svc.apprentice_plan_item_add(
            actor=hr,
            apprentice=a,
            kind="task",
            title="复杂结构件焊接工艺编制",
            hours="120",
            due_on=R.anniversary(start, 4),
        )
        svc.apprentice_plan_item_add(
            actor=hr,
            apprentice=a,
            kind="task",
            title="焊接缺陷分析与返修",
            hours="160",
            due_on=R.anniversary(start, 12),
        )
        svc.apprentice_plan_item_add(
            actor=hr,
            apprentice=a,
            kind="assessment",
            title="技师技能考核（模拟）",
            hours="8",
            due_on=R.anniversary(start, 22),
        )
        svc.apprentice_plan_item_done(
            actor=mentor_user, item=first, done_on=R.anniversary(start, 3), result="良好"
        )
        for k in range(0, 5):
            month = R.anniversary(start, k)
            if month > today:
                break
            svc.apprentice_progress_record(
                actor=mentor_user,
                apprentice=a,
                month=month,
                workplace_hours=Decimal("150") - 10 * n,
                institution_hours="16",
                summary=[
                    "焊接工艺规程学习",
                    "转向架构架焊接实操",
                    "焊缝无损检测基础",
                    "工艺评定试件焊接",
                    "返修工艺练习",
                ][k],  # fmt: skip
                mentor_comment="基本功扎实" if k % 2 == 0 else "",
            )


def _evaluation_plan(enterprise: Any, today: Any) -> Any:
    from gongjiang.certification import services as certification
    from gongjiang.core.actors import SystemActor

    return certification.evaluation_plan_create(
        actor=SystemActor("demo"),
        organization=enterprise,
        name=f"{today.year}年焊工（高级工）职业技能等级认定（新型学徒）",
        occupation=WELDER,
        level="SENIOR",
        body_kind="Y",
        body_code="0118",
        province_code="32",
        site_code="000001",
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        items=PLAN_CHECKLIST,
    )


def _fund(ctx: DemoContext) -> Any:
    from gongjiang.core.ledger.services import fund_create, fund_credit

    officer = ctx.users["js_officer"]
    fund = fund_create(actor=officer, organization=ctx.province, name="企业新型学徒制培训补贴")
    fund_credit(actor=officer, fund=fund, amount="500000.00", memo="职业技能提升行动专账资金")
    return fund


def _submit(claim: Any, hr: Any) -> None:
    for kind in R.document_kinds(claim.required_documents):
        svc.apprentice_claim_document_add(
            actor=hr, claim=claim, kind=kind, upload=_pdf(f"{kind}.pdf")
        )
    svc.apprentice_claim_submit(actor=hr, claim=claim)


def _course(officer: Any, ctx: DemoContext) -> Any:
    from gongjiang.learning.courses.services import course_create

    return course_create(
        actor=officer,
        organization=ctx.province,
        title="焊接安全与质量控制（学徒必修）",
        description="<p>焊接作业安全规程、焊缝质量检验与常见缺陷。</p>",
        hours=Decimal("16"),
    )
