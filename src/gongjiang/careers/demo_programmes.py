"""Demo of worker programmes: one 求学圆梦 round of the provincial federation (大专, two partner
institutions, places for each city) with applications in every state — submitted, selected, not
selected, enrolled with progress, completed with the subsidy paid, dropped out, withdrawn — filed
by the enterprise union's officer (pz_officer) and decided by the province's (js_officer).

Idempotent: a province that already has the round is left as it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongjiang.core.demo import DemoContext
from gongjiang.core.errors import ApplicationError
from gongjiang.workforce.models import Worker

from . import programmes as svc
from .models_programmes import Programme

TITLE = "求学圆梦行动（大专）"


def load_programmes(ctx: DemoContext) -> int:
    officer, filer = ctx.users.get("js_officer"), ctx.users.get("pz_officer")
    if officer is None or filer is None:
        return 0
    year = timezone.localdate().year
    if Programme.objects.filter(organization=ctx.province, title=f"{year}年{TITLE}").exists():
        return 0
    p = svc.programme_create(
        actor=officer,
        organization=ctx.province,
        title=f"{year}年{TITLE}",
        kind="degree",
        degree="大专",
        year=year,
        budget="300000.00",
        description="面向全省产业工人（农民工优先）的学历提升行动，学费补助每人3000元，分三学年发放。",
    )
    partner = svc.programme_partner_add(
        actor=officer,
        programme=p,
        name="江苏开放大学",
        kind="open_university",
        courses="机电一体化技术、行政管理",
    )
    svc.programme_partner_add(
        actor=officer,
        programme=p,
        name="南京工业职业技术大学",
        kind="vocational",
        courses="智能制造",
    )
    for city in ctx.cities:
        svc.programme_places_set(actor=officer, programme=p, organization=city, places=30)
    workers = _eligible(ctx, 8)
    today = timezone.localdate()
    states = [
        "submitted",
        "selected",
        "not_selected",
        "enrolled",
        "completed",
        "dropped",
        "withdrawn",
        "submitted",
    ]
    for worker, state in zip(workers, states, strict=False):
        a = svc.programme_apply(
            actor=filer, programme=p, worker=worker, partner=partner, course="机电一体化技术"
        )
        if state == "withdrawn":
            svc.programme_application_withdraw(actor=filer, application=a)
            continue
        if state == "submitted":
            continue
        a = svc.programme_select(actor=officer, application=a, selected=state != "not_selected")
        if state in ("selected", "not_selected"):
            continue
        a = svc.programme_enrol(
            actor=officer,
            application=a,
            enrolled_on=today - dt.timedelta(days=300),
            student_number=f"JSOU{a.code[-6:]}",
        )
        svc.programme_progress_add(
            actor=officer,
            application=a,
            date=today - dt.timedelta(days=150),
            title="第一学期",
            hours=96,
            result="合格",
        )
        if state == "dropped":
            svc.programme_drop(actor=officer, application=a, note="离职")
        elif state == "completed":
            svc.programme_progress_add(
                actor=officer,
                application=a,
                date=today - dt.timedelta(days=10),
                title="毕业设计",
                hours=40,
                result="良好",
            )
            a = svc.programme_complete(
                actor=officer,
                application=a,
                outcome="graduated",
                completed_on=today,
                certificate_number="JSOU-DZ-0001",
            )
            svc.programme_subsidy_pay(actor=officer, application=a, reference="苏工〔圆梦〕1号")
    _own(ctx, p, partner)
    return 1


def _eligible(ctx: DemoContext, n: int) -> list[Worker]:
    """Workers of the first enterprise who meet the round's conditions (demo records are made so
    when too few do)."""
    today = timezone.localdate()
    base = Worker.objects.filter(
        organization=ctx.enterprises[0], user__isnull=True, status="active"
    )
    young = base.filter(
        birth_date__gt=today.replace(year=today.year - 60),
        birth_date__lt=today.replace(year=today.year - 17),
    )
    picked = list(young.order_by("id")[:n])
    Worker.objects.filter(pk__in=[w.pk for w in picked]).update(
        employment_type="migrant", education="高中", union_member_since=dt.date(2018, 5, 1)
    )
    return list(
        Worker.objects.filter(pk__in=[w.pk for w in picked])
        .select_related("organization")
        .order_by("id")
    )


def _own(ctx: DemoContext, p: Programme, partner: Any) -> None:
    """The demo worker login (pz_worker) applies for themselves when their record qualifies."""
    user = ctx.users.get("pz_worker")
    worker = (
        Worker.objects.filter(user=user).select_related("organization").first() if user else None
    )
    if worker is None:
        return
    try:
        svc.programme_apply(
            actor=user, programme=p, worker=worker, partner=partner, course="行政管理"
        )
    except ApplicationError:
        pass
