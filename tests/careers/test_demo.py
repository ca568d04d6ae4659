from __future__ import annotations

import io

import pytest

from gongjiang.careers import demo
from gongjiang.careers.models import BridgeApplication, CareerTable, ExpertLevel, ProfessionalTitle
from gongjiang.careers.selectors import applications_to_decide, career_overview
from gongjiang.core.demo import load_core_demo
from gongjiang.workforce import demo as workforce_demo
from gongjiang.workforce.models import Worker

pytestmark = pytest.mark.django_db


def test_demo_loads_twice() -> None:
    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    counts = (
        CareerTable.objects.count(),
        ExpertLevel.objects.count(),
        ProfessionalTitle.objects.count(),
        BridgeApplication.objects.count(),
    )
    ctx = load_core_demo()
    demo.load(ctx, io.StringIO())  # idempotent
    assert counts == (
        CareerTable.objects.count(),
        ExpertLevel.objects.count(),
        ProfessionalTitle.objects.count(),
        BridgeApplication.objects.count(),
    )
    assert counts[0] == 3 and counts[1] == 12 and counts[2] >= 5 and counts[3] >= 1
    # one honours round in public notice; the first enterprise's pay bands (equal across channels)
    from gongjiang.careers.models import HonourRound, PayBand

    rounds = HonourRound.objects.all()
    assert [r.state for r in rounds] == ["notice"]
    assert rounds[0].notice is not None and rounds[0].notice.masked_names
    assert PayBand.objects.filter(organization=ctx.enterprises[0], channel="skill").count() == 5
    assert PayBand.objects.filter(organization=ctx.enterprises[0], channel="title").count() == 5
    # nj_hr decides what pz_hr filed; pz_hr does not decide its own filings
    assert applications_to_decide(ctx.users["nj_hr"]).count() == counts[3]
    assert applications_to_decide(ctx.users["pz_hr"]).count() == 0
    # the pz worker login has a career page with a next step
    me = Worker.objects.get(user=ctx.users["pz_worker"])
    assert career_overview(me, me.updated_at.date()).steps
