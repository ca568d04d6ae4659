"""Separation of duties in reform: the submitter of a progress report or a rectification never
accepts, returns or signs it off, nor does anyone acting only for the reporting unit; each refusal
answers with a clear error (403 on the API, a message on the page) and leaves an audit row."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongjiang.core.duties import DutyConflict
from gongjiang.core.models import AuditEvent
from gongjiang.reform import selectors, services
from gongjiang.reform.models import ProgressReport, Rectification
from gongjiang.reform.supervision import services as supervision

from ..factories import UserFactory, member

D = dt.date
pytestmark = pytest.mark.django_db


def _refusals(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=f"{action}.refused"))


def _national_report(reform: Any, actor: Any) -> ProgressReport:
    return services.progress_report_submit(
        actor=actor, task=reform.tasks[1], period="2018-Q2", text="已推进", percent=40
    )


def test_the_submitter_never_reviews_their_own_report(reform: Any, world: Any) -> None:
    officer = reform.national_officer  # may report for and review the national plan
    report = _national_report(reform, officer)
    assert not services.may_review_report(officer, report)
    for accept, comment in ((True, ""), (False, "重报")):
        with pytest.raises(DutyConflict) as exc:
            services.progress_report_review(
                actor=officer, report=report, accept=accept, comment=comment
            )
        assert exc.value.status == 403 and exc.value.code == "separation_of_duties"
    report.refresh_from_db()
    assert report.status == "submitted" and report.reviewed_by is None
    rows = _refusals("reform.report.review")
    assert len(rows) == 2 and rows[0].actor == officer
    assert rows[0].details["reason"] == "own_report" and rows[0].object_code == report.code
    # not offered in the reviewer's queue either; another officer of the same body accepts it
    assert report not in selectors.reports_to_review(actor=officer)
    colleague = UserFactory()
    member(colleague, world.national, "officer")
    assert report in selectors.reports_to_review(actor=colleague)
    services.progress_report_review(actor=colleague, report=report, accept=True)
    report.refresh_from_db()
    assert report.status == "accepted" and report.reviewed_by == colleague


def test_a_reviewer_acting_only_for_the_reporting_unit_is_refused(reform: Any, world: Any) -> None:
    report = services.progress_report_submit(
        actor=reform.city_officer, task=reform.task_a, period="2018-03", text="x", percent=30
    )
    city_colleague = UserFactory()
    member(city_colleague, world.city_a, "officer")
    with pytest.raises(DutyConflict) as exc:
        services.progress_report_review(actor=city_colleague, report=report, accept=True)
    assert world.city_a.name in exc.value.message
    assert _refusals("reform.report.review")[0].details["reason"] == "own_unit"
    # the province (the plan's coordinating body, which supervises the city) reviews it
    services.progress_report_review(actor=world.alice, report=report, accept=True)


def test_report_review_refusal_on_page_and_api(client: Any, reform: Any, world: Any) -> None:
    officer = reform.national_officer
    report = _national_report(reform, officer)
    client.force_login(officer)
    r = client.post(
        f"/api/v1/reform/reports/{report.code}/accept",
        data=json.dumps({"comment": ""}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert r.json()["code"] == "separation_of_duties"
    assert "须由他人审核" in r.json()["message"]  # the page language is Chinese
    r = client.post(
        f"/reform/reports/{report.code}/review/",
        {"decision": "return", "comment": "重报"},
        follow=True,
    )
    assert r.status_code == 200
    assert "该进展由您本人报送，须由他人审核通过或退回。" in r.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    assert len(_refusals("reform.report.review")) == 2


def _rectification(reform: Any, world: Any, inspector: Any) -> Rectification:
    insp = supervision.inspection_create(
        actor=inspector,
        organization=world.national,
        title="督查",
        start=D(2018, 9, 1),
        end=D(2018, 9, 2),
        visited=[world.province_a],
    )
    finding = supervision.finding_add(
        actor=inspector, inspection=insp, organization=world.province_a, text="台账不全"
    )
    return supervision.rectification_add(
        actor=inspector, finding=finding, title="补齐台账", deadline=D(2018, 12, 1)
    )


def test_rectification_sign_off_is_not_by_its_submitter_nor_the_unit(
    client: Any, reform: Any, world: Any
) -> None:
    inspector = reform.national_officer  # also holds reform.report over the whole country
    rect = _rectification(reform, world, inspector)
    supervision.rectification_submit(actor=inspector, rectification=rect, response="已补齐")
    rect.refresh_from_db()
    assert rect.submitted_by == inspector and rect.submitted_at is not None
    with pytest.raises(DutyConflict):
        supervision.rectification_close(actor=inspector, rectification=rect)
    # a province inspector acts only for the responsible unit (the province)
    province_inspector = UserFactory()
    member(province_inspector, world.province_a, "inspector")
    client.force_login(province_inspector)
    r = client.post(
        f"/api/v1/reform/rectifications/{rect.code}/close",
        data=json.dumps({"accept": True, "comment": ""}),
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    client.force_login(inspector)
    r = client.post(
        f"/reform/rectifications/{rect.code}/", {"action": "close", "comment": "销号"}, follow=True
    )
    assert "该整改由您本人报送，须由他人审核销号。" in r.content.decode()
    rect.refresh_from_db()
    assert rect.status == "submitted" and rect.closed_by is None
    reasons = sorted(e.details["reason"] for e in _refusals("reform.rectification.close"))
    assert reasons == ["own_submission", "own_submission", "own_unit"]
    other = UserFactory()
    member(other, world.national, "inspector")
    supervision.rectification_close(actor=other, rectification=rect, comment="同意销号")
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.closed_by == other
