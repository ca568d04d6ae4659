"""The demo loads, is idempotent, and ends with published results, applied awards and open marking."""

from __future__ import annotations

import io

import pytest

from gongjiang.competitions import demo
from gongjiang.competitions.models import AwardApplication, Competition, JudgeAssignment, Mark
from gongjiang.core.demo import load_core_demo

pytestmark = pytest.mark.django_db


def test_demo_twice():
    ctx = load_core_demo()
    out = io.StringIO()
    demo.load(ctx, out)
    finished = Competition.objects.get(name=demo.FINISHED_NAME)
    assert finished.trades.count() == 6
    final = finished.stages.get(order=2)
    assert final.published_at and final.entries.count() == 36
    assert AwardApplication.objects.filter(competition=finished, kind="honour").count() == 30
    assert AwardApplication.objects.filter(competition=finished, kind="nomination").count() == 6
    running = Competition.objects.get(name=demo.RUNNING_NAME)
    assert JudgeAssignment.objects.filter(
        stage__competition=running, user__username="js_judge", is_chief=True
    ).exists()
    assert Mark.objects.filter(entry__competition=running).exists()
    counts = (Competition.objects.count(), Mark.objects.count(), AwardApplication.objects.count())
    demo.load(ctx, out)
    assert (
        Competition.objects.count(),
        Mark.objects.count(),
        AwardApplication.objects.count(),
    ) == counts
