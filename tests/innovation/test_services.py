"""Results: team shares, the flow, separation of duties, the worker timeline, the showcase."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError, ConflictError
from gongjiang.core.models import AuditEvent
from gongjiang.innovation import selectors, services
from gongjiang.innovation.models import Result
from gongjiang.workforce.timeline import timeline_for

from .conftest import make_result

pytestmark = pytest.mark.django_db


def test_shares_must_sum_to_exactly_100(team: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        make_result(
            team, members=[(team.workers[0], Decimal("50")), (team.workers[1], Decimal("50.01"))]
        )
    assert exc.value.code == "contributions_not_100"
    with pytest.raises(ApplicationError):
        make_result(
            team, members=[(team.workers[0], Decimal("100")), (team.workers[0], Decimal("0"))]
        )
    result = make_result(
        team, members=[(team.workers[0], Decimal("33.33")), (team.workers[1], Decimal("66.67"))]
    )
    assert sum(m.contribution for m in result.members.all()) == Decimal("100")


def test_advanced_operating_method_is_named(team: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make_result(team, kind="method")
    assert "method_name" in str(exc.value)
    assert make_result(team, kind="method", method_name="李斌操作法").method_name == "李斌操作法"


def test_flow_and_separation_of_duties(world: Any, team: Any) -> None:
    result = make_result(team, actor=world.worker_a)
    assert result.status == "draft"
    with pytest.raises(ConflictError):
        services.result_review(actor=team.hr, result=result, adopted=True)
    services.result_submit(actor=world.enterprise_officer_a, result=result)
    # the submitter may not review: refused and audited after the rollback
    with pytest.raises(DutyConflict):
        services.result_review(actor=world.enterprise_officer_a, result=result, adopted=True)
    assert AuditEvent.objects.filter(action="innovation.result_review.refused").count() == 1
    # not adopted needs a reason
    with pytest.raises(ApplicationError) as exc:
        services.result_review(actor=team.hr, result=result, adopted=False, reason="  ")
    assert exc.value.code == "reason_required"
    result = services.result_review(
        actor=team.hr, result=result, adopted=True, on=dt.date(2026, 3, 1)
    )
    assert result.status == "adopted" and result.reviewed_by == team.hr
    with pytest.raises(ApplicationError):
        services.result_implement(actor=team.hr, result=result, on=dt.date(2026, 2, 1))
    services.result_implement(actor=team.hr, result=result, on=dt.date(2026, 3, 10))
    # HR may not certify (permission), a member officer may not either (duties), alice may
    with pytest.raises(PermissionDenied):
        services.result_certify_effect(actor=team.hr, result=result, savings=Decimal("1"))
    with pytest.raises(ApplicationError) as exc:
        services.result_certify_effect(actor=world.alice, result=result, savings=None)
    assert exc.value.code == "effect_required"
    result = services.result_certify_effect(
        actor=world.alice, result=result, savings=Decimal("85000.00"), safety="无事故"
    )
    assert result.status == "certified" and result.certified_by == world.alice
    actions = list(
        AuditEvent.objects.filter(object_code=result.code)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "innovation.result_create",
        "innovation.result_submit",
        "innovation.result_review.refused",
        "innovation.result_review",
        "innovation.result_implement",
        "innovation.result_certify",
    ]


def test_not_adopted_keeps_the_reason(team: Any) -> None:
    result = make_result(team, submit=True)
    result = services.result_review(actor=team.hr, result=result, adopted=False, reason="成本过高")
    assert result.status == "not_adopted" and result.review_reason == "成本过高"


def test_adopted_results_on_each_members_timeline(world: Any, team: Any) -> None:
    result = make_result(team, submit=True)
    assert not [e for e in timeline_for(team.workers[1], world.alice) if e.kind == "innovation"]
    services.result_review(actor=team.hr, result=result, adopted=True)
    for worker in team.workers:
        entries = [e for e in timeline_for(worker, world.alice) if e.kind == "innovation"]
        assert len(entries) == 1 and result.title in entries[0].title
        assert entries[0].url.endswith(f"/innovation/results/{result.code}/")
    # a viewer who cannot open the result gets the entry without the link
    entries = [e for e in timeline_for(team.workers[1], world.worker_a) if e.kind == "innovation"]
    assert entries[0].url  # worker_a is on the team
    assert [
        e.url for e in timeline_for(team.workers[1], world.nobody) if e.kind == "innovation"
    ] == [""]


def test_visibility(world: Any, team: Any) -> None:
    result = make_result(team, actor=world.worker_a)
    assert list(Result.objects.visible_to(world.worker_a)) == [result]  # member
    assert list(Result.objects.visible_to(world.alice)) == [result]  # province officer
    assert not Result.objects.visible_to(world.bob).exists()
    assert not Result.objects.visible_to(world.nobody).exists()


def test_showcase_only_consented_adopted_results(team: Any) -> None:
    hidden = make_result(team, title="未同意公开", submit=True)
    shown = make_result(team, title="同意公开", submit=True, publish_consent=True)
    waiting = make_result(team, title="待审", submit=True, publish_consent=True)
    for r in (hidden, shown):
        services.result_review(actor=team.hr, result=r, adopted=True)
    assert list(selectors.showcase()) == [shown]
    assert waiting not in selectors.showcase()
    assert selectors.showcase(q="同意").count() == 1
    assert selectors.showcase(industry=team.employer.industry_id[:2]).count() == 1
    assert selectors.showcase(industry="99").count() == 0


def test_review_queue_leaves_out_own_results(world: Any, team: Any) -> None:
    make_result(team, actor=world.enterprise_officer_a, submit=True)
    assert selectors.results_to_review(actor=world.enterprise_officer_a).count() == 0
    assert selectors.results_to_review(actor=team.hr).count() == 1
    assert selectors.results_to_review(actor=world.bob).count() == 0
