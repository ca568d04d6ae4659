"""The demo's expert-level selection: one call in public notice, one expert appointed (through
the services, the worker's record showing it), loaded twice without doubling."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from gongjiang.careers import demo
from gongjiang.careers.models_experts import ExpertAppointment, ExpertCall
from gongjiang.core.demo import load_core_demo
from gongjiang.workforce import demo as workforce_demo

pytestmark = pytest.mark.django_db


def test_demo_has_a_call_in_notice_and_an_appointed_expert() -> None:
    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    demo.load(load_core_demo(), io.StringIO())  # idempotent
    calls = list(ExpertCall.objects.order_by("year"))
    assert [c.state for c in calls] == ["appointed", "notice"]
    notice = calls[1].notice
    assert notice is not None and len(notice.masked_names) == 2
    assert all("*" in n for n in notice.masked_names)
    appointed = ExpertAppointment.objects.get()
    assert appointed.state_on(timezone.localdate()) == "active"
    assert appointed.application.call == calls[0]
    assert calls[1].applications.filter(status="not_selected").count() == 1
