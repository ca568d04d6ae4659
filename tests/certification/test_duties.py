"""Separation of duties in certification: the examiner who scored a candidate's practical checklist
does not issue that candidate's certificate — not one by one, not in the issuing job, not through
the page or the API. Each refusal is a clear 403 and an audit row."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongjiang.certification import issuing, services
from gongjiang.certification.models import Candidate, Certificate
from gongjiang.core.duties import DutyConflict
from gongjiang.core.models import AuditEvent
from tests.factories import UserFactory, member

from .factories import ROOT, make_plan, make_worker

pytestmark = pytest.mark.django_db


def _plan_marked_by(world: Any) -> tuple[Any, Candidate, Any]:
    """A decided plan whose one passed candidate was examined by an officer who is also a judge."""
    both = UserFactory(username="officer_and_examiner")
    member(both, world.enterprise_a, "officer")
    member(both, world.enterprise_a, "judge")
    plan = make_plan(world.enterprise_a, items=[("操作", 100)])
    worker = make_worker(world.enterprise_a, "赵六", level="INTERMEDIATE")
    cand = Candidate.objects.get(
        pk=services.candidate_enrol(actor=ROOT, plan=plan, worker=worker).pk
    )
    services.candidate_scores_set(actor=ROOT, candidate=cand, theory=80)
    services.practical_scores_save(actor=both, candidate=cand, points={plan.items.get().code: 80})
    services.evaluation_results_decide(actor=ROOT, plan=plan)
    cand.refresh_from_db()
    assert cand.passed
    return plan, cand, both


def _refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="certification.certificate_issue.refused"))


def test_the_examiner_does_not_issue_the_certificate(world: Any) -> None:
    plan, cand, both = _plan_marked_by(world)
    with pytest.raises(DutyConflict) as exc:
        issuing.certificate_issue(actor=both, candidate=cand)
    assert exc.value.status == 403 and "赵六" in exc.value.message
    result = issuing.certificates_issue(actor=both, plan=plan)
    assert result["issued"] == 0 and result["errors"][0]["worker"] == "赵六"
    assert not Certificate.objects.exists()
    rows = _refusals()
    assert len(rows) == 2 and rows[0].actor == both and rows[0].details["reason"] == "own_marking"
    # another officer, who did not mark, issues it
    cert = issuing.certificate_issue(actor=world.alice, candidate=cand)
    assert cert.worker_id == cand.worker_id


def test_issuing_refusal_on_page_and_api(
    client: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    plan, cand, both = _plan_marked_by(world)
    client.force_login(both)
    r = client.post(f"/api/v1/certification/plans/{plan.code}/issue")
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    assert "赵六" in r.json()["message"]
    r = client.post(reverse("certification:plan_issue", args=[plan.code]), follow=True)
    assert r.status_code == 200 and "赵六" in r.content.decode()
    assert len(_refusals()) == 2 and not Certificate.objects.exists()
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/api/v1/certification/plans/{plan.code}/issue")
    assert r.status_code == 202
    assert Certificate.objects.filter(candidate=cand).exists()
