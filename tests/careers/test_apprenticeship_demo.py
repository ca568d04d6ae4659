"""The demo's apprenticeship: two cohorts in different states, a paid claim and one awaiting its
decision, the demo worker an apprentice and pz_mentor their mentor; loaded twice without doubling."""

from __future__ import annotations

import io

import pytest

from gongjiang.careers import apprenticeship_selectors as sel
from gongjiang.careers import demo
from gongjiang.careers.models_apprentice import (
    Apprentice,
    ApprenticeCohort,
    ApprenticeProgress,
    ApprenticeSubsidyClaim,
)
from gongjiang.core.demo import load_core_demo
from gongjiang.workforce import demo as workforce_demo

pytestmark = pytest.mark.django_db


def test_demo_cohorts_and_claims_load_twice(settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    ctx = load_core_demo()
    workforce_demo.load(ctx, io.StringIO())
    demo.load(ctx, io.StringIO())
    counts = (ApprenticeCohort.objects.count(), Apprentice.objects.count())
    assert counts == (2, 7)
    ctx = load_core_demo()
    demo.load(ctx, io.StringIO())
    assert counts == (ApprenticeCohort.objects.count(), Apprentice.objects.count())
    done, training = ApprenticeCohort.objects.order_by("year")
    stages = {a.stage for a in sel.with_stage(done.apprentices.all())}
    assert stages == {"completed", "in_evaluation", "terminated"}
    assert set(training.apprentices.values_list("status", flat=True)) == {"training"}
    assert ApprenticeProgress.objects.filter(apprentice__cohort=training).exists()
    statuses = dict(ApprenticeSubsidyClaim.objects.values_list("year", "status"))
    assert sorted(statuses.values()) == ["paid", "submitted"]
    paid = ApprenticeSubsidyClaim.objects.get(status="paid")
    assert paid.payment.amount == paid.total == sum(line.amount for line in paid.lines.all())
    worker_login, mentor_login = ctx.users["pz_worker"], ctx.users["pz_mentor"]
    assert sel.mine(worker_login).get().cohort == training
    assert sel.mentored(mentor_login).count() == 3
    assert sel.claims_to_decide(ctx.users["js_officer"]).count() == 1
