"""The demo loads twice (idempotent) with stations in several cities, activities with a waiting
list, a running contest whose rollups equal a recount, and help requests in every state."""

from __future__ import annotations

import io
from typing import Any

import pytest

from gongjiang.core.demo import load_core_demo
from gongjiang.learning import demo as learning_demo
from gongjiang.members import campaigns, demo
from gongjiang.members.models import ActivitySignup, Campaign, HelpRequest, Station

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_with_every_state(client: Any) -> None:
    ctx = load_core_demo()
    learning_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())  # idempotent
    assert Station.objects.values("organization").distinct().count() == 4  # three cities + Hangzhou
    assert Station.objects.count() == 48
    assert set(ActivitySignup.objects.values_list("status", flat=True)) == {"confirmed", "waiting"}
    campaign = Campaign.objects.get()
    assert campaigns.is_running(campaign)
    for org in [ctx.province, ctx.cities[0], ctx.enterprises[0]]:
        assert campaigns.participation(campaign=campaign, organization=org) == campaigns.recount(
            campaign=campaign, organization=org
        )
    assert (
        campaigns.participation(campaign=campaign, organization=ctx.province)["participants"]
        == demo.PARTICIPANTS
    )
    states = set(HelpRequest.objects.values_list("status", flat=True))
    assert states == {"open", "answered", "resolved"}
    assert HelpRequest.objects.filter(escalations__gt=0).exists()
    assert HelpRequest.objects.filter(rating__isnull=False).exists()
    client.force_login(ctx.users["pz_worker"])  # the phone home shows them
    html = client.get("/members/").content.decode()
    assert "职工羽毛球友谊赛" in html and "大国工匠" in html
