"""The demo's revenue sharing and studios: two studios and an alliance, a year of revenue sharing
paid exactly; loading again adds nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from gongjiang.core.demo import load_core_demo
from gongjiang.innovation import demo, demo_studios
from gongjiang.innovation.models import Alliance, RevenueYear, Studio
from gongjiang.workforce import demo as workforce_demo

pytestmark = pytest.mark.django_db


def test_demo_studios_and_revenue(settings: Any) -> None:
    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    assert Studio.objects.filter(status="named").count() == 2
    alliance = Alliance.objects.get()
    assert alliance.studios.count() == 2 and alliance.projects.count() == 1
    years = list(RevenueYear.objects.all())
    assert len(years) == 2 and {y.status for y in years} == {"paid"}
    for y in years:
        assert sum(p.amount for p in y.parts.all()) == y.pool
    assert "already loaded" in demo_studios.load(ctx)
    assert Studio.objects.count() == 2
