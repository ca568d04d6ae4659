from __future__ import annotations

from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest

from gongjiang.surveys import demo, rollups, selectors
from gongjiang.surveys.models import Invitation, Response, Survey


@pytest.mark.django_db
def test_demo_rounds_are_consistent_and_idempotent(sw: Any) -> None:
    ctx = SimpleNamespace(
        province=sw.world.province_a,
        users={"js_officer": sw.world.alice, "js_admin": sw.carol, "pz_worker": sw.workers[0].user},
    )
    out = StringIO()
    demo.load(ctx, out)
    demo.load(ctx, out)
    assert "already loaded" in out.getvalue()
    before, now = Survey.objects.filter(title__contains="江苏省职工思想状况调查").order_by("title")
    assert before.status == "closed" and now.status == "open" and now.previous == before
    for s in (before, now):
        answered = Invitation.objects.filter(survey=s).exclude(completed_on=None).count()
        assert Response.objects.filter(survey=s).count() == answered > 0
        assert rollups.verify(s)["equal"]
    # the demo login has the 2026 round to answer
    assert selectors.surveys_to_answer(actor=sw.workers[0].user).filter(survey=now).exists()
