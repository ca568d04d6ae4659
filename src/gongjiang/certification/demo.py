"""Demo data of skill-level evaluation: one finished plan (焊工 高级工) at the first demo enterprise,
with candidates taken from its workers, practical scores from two examiners, results decided and
certificates issued. Idempotent: the plan is found by name; a finished plan is left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

PLAN_NAME = "2026年焊工（高级工）职业技能等级认定"
WELDER = "6-18-02-04"
CHECKLIST = [
    ("焊前准备与安全防护", 15),
    ("板对接平焊（V形坡口）", 35),
    ("管对接水平固定焊", 35),
    ("焊缝外观与尺寸检测", 15),
]
CANDIDATES = 10


def _actor(ctx: Any, username: str) -> Any:
    return ctx.users.get(username)


def load(ctx: Any, stdout: Any) -> None:
    from gongjiang.core.actors import SystemActor
    from gongjiang.workforce.models import Worker

    from . import services
    from .models import Candidate, EvaluationPlan

    enterprise = ctx.enterprises[0]
    existing = EvaluationPlan.objects.filter(organization=enterprise, name=PLAN_NAME).first()
    if existing is not None and existing.status == EvaluationPlan.Status.ISSUED:
        return
    workers = list(
        Worker.objects.filter(
            organization__path__startswith=enterprise.path, status=Worker.Status.ACTIVE
        )
        .select_related("skill_level")
        .order_by("id")[:200]
    )
    # prefer workers below 高级工, so the certificate raises their level
    workers.sort(key=lambda w: (w.skill_level.rank if w.skill_level_id else 0) >= 4)
    workers = workers[:CANDIDATES]
    if not workers:
        stdout.write("    (no workers at the first enterprise yet: certification demo skipped)\n")
        return
    system = SystemActor("demo")
    officer = _actor(ctx, "pz_officer") or system
    examiners = [u for u in (_actor(ctx, "pz_judge"), _actor(ctx, "nj_judge")) if u is not None]
    if not examiners:
        stdout.write("    (no demo examiners: certification demo skipped)\n")
        return
    today = timezone.localdate()
    ends = today - dt.timedelta(days=10)
    if existing is not None and existing.certificates.exists():
        _issue(existing, officer, ends)  # finish an interrupted run
        return
    with transaction.atomic():
        plan = existing or services.evaluation_plan_create(
            actor=system,
            organization=enterprise,
            name=PLAN_NAME,
            occupation=WELDER,
            level="SENIOR",
            body_kind="Y",
            body_code="0118",
            province_code="32",
            site_code="000001",
            starts_on=ends - dt.timedelta(days=30),
            ends_on=ends,
            items=CHECKLIST,
        )
        if plan.status != EvaluationPlan.Status.OPEN:
            services.evaluation_plan_reopen(actor=system, plan=plan)
        enrolled = set(Candidate.objects.filter(plan=plan).values_list("worker_id", flat=True))
        new = [w for w in workers if w.pk not in enrolled]
        if new:
            services.candidates_enrol(actor=system, plan=plan, workers=new)
        items = list(plan.items.order_by("order"))
        for n, cand in enumerate(Candidate.objects.filter(plan=plan).order_by("id")):
            if cand.theory_score is None:
                services.candidate_scores_set(
                    actor=system, candidate=cand, theory=Decimal(52 + (n * 7) % 45)
                )
            for k, examiner in enumerate(examiners):
                # a spread of practical performances: most pass, one or two do not
                share = Decimal(min(100, 48 + (n * 11 + k * 5) % 50)) / 100
                services.practical_scores_save(
                    actor=examiner,
                    candidate=cand,
                    points={i.code: (i.points * share).quantize(Decimal("0.5")) for i in items},
                )
        services.evaluation_results_decide(actor=officer, plan=plan)
    _issue(plan, officer, ends)


def _issue(plan: Any, officer: Any, issue_date: dt.date) -> None:
    from . import issuing
    from .models import Candidate, EvaluationPlan

    for cand in Candidate.objects.filter(plan=plan, passed=True, certificate__isnull=True):
        issuing.certificate_issue(actor=officer, candidate=cand, issue_date=issue_date)
    EvaluationPlan.objects.filter(pk=plan.pk).update(status=EvaluationPlan.Status.ISSUED)
