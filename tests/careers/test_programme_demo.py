"""The demo's 求学圆梦 round: applications in every state, loaded twice without doubling."""

from __future__ import annotations

import io

import pytest

from gongjiang.careers import demo
from gongjiang.careers.models_programmes import Programme, ProgrammeApplication
from gongjiang.core.demo import load_core_demo
from gongjiang.workforce import demo as workforce_demo
from gongjiang.workforce.models import TrainingRecord

pytestmark = pytest.mark.django_db


def test_demo_round_has_every_state_and_loads_twice() -> None:
    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    counts = (Programme.objects.count(), ProgrammeApplication.objects.count())
    ctx = load_core_demo()
    demo.load(ctx, io.StringIO())
    assert counts == (Programme.objects.count(), ProgrammeApplication.objects.count())
    p = Programme.objects.get()
    states = set(p.applications.values_list("status", flat=True))
    assert states >= {s for s, _l in ProgrammeApplication.Status.choices}
    done = p.applications.get(status="completed")
    assert done.subsidy_entry.amount == p.subsidy_per_person
    assert TrainingRecord.objects.filter(source_ref=done.code).count() == 1
