"""The demo loader: idempotent, skips gracefully without workers."""

from __future__ import annotations

import io

import pytest

from gongjiang.certification import demo
from gongjiang.certification.models import Certificate, EvaluationPlan
from gongjiang.core.demo import load_core_demo

from .factories import make_worker

pytestmark = pytest.mark.django_db


def test_demo_without_workers_skips() -> None:
    ctx = load_core_demo()
    out = io.StringIO()
    demo.load(ctx, out)
    assert "skipped" in out.getvalue() and not EvaluationPlan.objects.exists()


def test_demo_is_idempotent() -> None:
    ctx = load_core_demo()
    for n, name in enumerate(["张伟", "王芳", "李强", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]):
        make_worker(ctx.enterprises[0], name, level="INTERMEDIATE" if n % 2 else None, phone="")
    out = io.StringIO()
    demo.load(ctx, out)
    plan = EvaluationPlan.objects.get(name=demo.PLAN_NAME)
    assert plan.status == "issued" and plan.candidates.count() == 8
    issued = Certificate.objects.filter(plan=plan).count()
    assert 0 < issued < 8  # some pass, some do not
    assert plan.candidates.filter(passed=True).count() == issued
    demo.load(ctx, out)
    assert EvaluationPlan.objects.filter(name=demo.PLAN_NAME).count() == 1
    assert Certificate.objects.filter(plan=plan).count() == issued
    assert out.getvalue() == ""
