"""Theory scores from a learning exam session (gongjiang.learning's exam_result_for)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongjiang.certification import services
from gongjiang.certification.models import Candidate
from gongjiang.core.errors import ApplicationError
from tests.factories import UserFactory

from .factories import ROOT, make_plan, make_worker

pytestmark = pytest.mark.django_db
learning_selectors = pytest.importorskip("gongjiang.learning.selectors")
if not hasattr(learning_selectors, "exam_result_for"):
    pytest.skip(
        "gongjiang.learning.selectors.exam_result_for is not available yet", allow_module_level=True
    )


def _session(org):  # noqa: ANN001, ANN202
    from gongjiang.learning.models import ExamSession, Paper

    paper = Paper.objects.create(organization=org, title="焊工理论")
    now = timezone.now()
    return ExamSession.objects.create(
        organization=org,
        paper=paper,
        title="焊工理论考试",
        opens_at=now - dt.timedelta(days=2),
        closes_at=now - dt.timedelta(days=1),
    )


def _attempt(session, user, percent, status="complete"):  # noqa: ANN001, ANN202
    from gongjiang.learning.models import Attempt

    now = timezone.now()
    return Attempt.objects.create(
        session=session,
        organization=session.organization,
        user=user,
        seed=1,
        started_at=now,
        deadline=now,
        status=status,
        percent=percent,
        passed=percent is not None and percent >= 60,
    )


def test_theory_scores_come_from_released_exam_results(world) -> None:  # noqa: ANN001
    session = _session(world.enterprise_a)
    plan = make_plan(world.enterprise_a, exam_session_code=session.code)
    u1, u2, u3 = (
        UserFactory(username="ex1"),
        UserFactory(username="ex2"),
        UserFactory(username="ex3"),
    )
    w1 = make_worker(world.enterprise_a, "甲", user=u1)
    w2 = make_worker(world.enterprise_a, "乙", user=u2)
    w3 = make_worker(world.enterprise_a, "丙")  # no login: no exam result
    w4 = make_worker(world.enterprise_a, "丁", user=u3)
    _attempt(session, u1, Decimal("72.5"))
    _attempt(session, u2, None, status="marking")  # not released yet
    services.candidates_enrol(actor=ROOT, plan=plan, workers=[w1, w2, w3, w4])
    result = services.candidate_theory_from_exam(actor=world.alice, plan=plan)
    assert result == {"filled": 1, "missing": 3}
    c1 = Candidate.objects.get(plan=plan, worker=w1)
    assert c1.theory_score == Decimal("72.50") and c1.theory_from_exam
    assert Candidate.objects.get(plan=plan, worker=w2).theory_score is None
    # a manual correction afterwards is no longer "from the exam"
    services.candidate_scores_set(actor=world.alice, candidate=c1, theory=75)
    c1.refresh_from_db()
    assert not c1.theory_from_exam


def test_missing_session_is_reported(world) -> None:  # noqa: ANN001
    plan = make_plan(world.enterprise_a, exam_session_code="nosuchsession")
    with pytest.raises(ApplicationError) as exc:
        services.candidate_theory_from_exam(actor=world.alice, plan=plan)
    assert exc.value.code == "no_exam_session"
