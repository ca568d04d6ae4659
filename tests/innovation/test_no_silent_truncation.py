"""No silent truncation in the innovation pages, API and services: posted text one past its bound
is refused with the field named and nothing is written (each used to be cut with ``[:N]`` and
saved, or — for a posted code or user name — cut and then matched to another record)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.review.models import PanelMember
from gongjiang.innovation import awards, studios
from gongjiang.innovation import revenue_corrections as corrections
from gongjiang.innovation.fund_budgets import FundBudget, fund_budget_propose, payment_year
from gongjiang.innovation.models import RevenueCorrection, StudioAssessment
from tests.factories import OrganizationFactory, UserFactory, member
from tests.workforce.helpers import make_worker

from .test_exchange import people  # noqa: F401 (fixture)
from .test_fund_budgets import carol  # noqa: F401 (fixture)
from .test_revenue_corrections import certified_year, doc, fund  # noqa: F401 (fixtures)
from .test_studios import FULL, honour, named

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# ------------------------------------------------------------------ revenue correction: the note
def test_correction_note_past_500_is_refused_by_the_service(
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    year = certified_year(world, team, fund, pay=False)
    with pytest.raises(ApplicationError) as exc:
        corrections.revenue_correction_request(
            actor=team.hr,
            year=year,
            amount="900.00",
            reason="录入错误",
            upload=doc(),
            note="据" * 501,
        )
    assert exc.value.status == 422 and exc.value.details[0]["field"] == "note"
    assert not RevenueCorrection.objects.exists()
    c = corrections.revenue_correction_request(
        actor=team.hr, year=year, amount="900.00", reason="录入错误", upload=doc(), note="据" * 500
    )
    assert RevenueCorrection.objects.get(pk=c.pk).note == "据" * 500


def test_correction_note_past_500_is_refused_by_the_api(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    year = certified_year(world, team, fund, pay=False)
    url = f"/api/v1/innovation/revenue/years/{year.code}/corrections"
    data = {"amount": "900.00", "reason": "审计调整"}
    client.force_login(world.enterprise_officer_a)
    r = client.post(url, {**data, "note": "据" * 501, "file": doc()})
    assert r.status_code == 422, r.content
    assert r.json()["details"][0]["field"] == "note"
    assert not RevenueCorrection.objects.exists()
    r = client.post(url, {**data, "note": "据" * 500, "file": doc()})
    assert r.status_code == 201, r.content
    assert r.json()["note"] == "据" * 500


def test_correction_note_past_500_is_refused_on_the_page(
    client: Any,
    world: Any,
    team: Any,
    fund: Any,  # noqa: F811
) -> None:
    year = certified_year(world, team, fund, pay=False)
    parts = {p.worker.code: p.contribution for p in year.parts.select_related("worker")}
    url = reverse("innovation:revenue_year", args=[year.code])
    client.force_login(world.enterprise_officer_a)
    page = client.get(url).content.decode()
    assert "id_note" in page
    data: dict[str, Any] = {"act": "request", "amount": "900.00", "reason": "审计调整"}
    data.update({f"c_{code}": str(share) for code, share in parts.items()})
    r = client.post(url, {**data, "note": "据" * 501, "file": doc()})
    assert r.status_code == 200  # the form again, the error at the note
    assert "500" in r.content.decode()
    assert not RevenueCorrection.objects.exists()


# ----------------------------------------------------------------------------- studios
def test_assessment_comment_past_500_is_refused(world: Any, team: Any) -> None:
    honour(team.workers[0])
    studio = named(world, team)
    with pytest.raises(ApplicationError) as exc:
        studios.studio_assess(
            actor=world.alice, studio=studio, year=2025, scores=FULL, comment="评" * 501
        )
    assert exc.value.details[0]["field"] == "comment"
    assert not StudioAssessment.objects.exists()
    row = studios.studio_assess(
        actor=world.alice, studio=studio, year=2025, scores=FULL, comment="评" * 500
    )
    assert row.comment == "评" * 500


def test_mentoring_outcome_note_past_300_is_refused(world: Any, team: Any) -> None:
    honour(team.workers[0])
    studio = named(world, team)
    studios.studio_members_add(actor=world.alice, studio=studio, workers=[team.workers[0]])
    pair = studios.mentoring_pair_add(
        actor=world.alice,
        studio=studio,
        mentor=team.workers[0],
        mentee=team.workers[2],
        started_on=dt.date(2024, 3, 1),
    )
    with pytest.raises(ApplicationError) as exc:
        studios.mentoring_outcome(
            actor=world.alice, pair=pair, outcome="qualified", note="出" * 301
        )
    assert exc.value.details[0]["field"] == "note"
    pair.refresh_from_db()
    assert pair.outcome == "ongoing" and pair.outcome_note == ""
    studios.mentoring_outcome(actor=world.alice, pair=pair, outcome="qualified", note="出" * 300)
    pair.refresh_from_db()
    assert pair.outcome_note == "出" * 300


def _two_studios(world: Any, team: Any) -> tuple[Any, Any, Any]:
    honour(team.workers[0])
    studio_a = named(world, team)
    other = OrganizationFactory(
        parent=world.city_a, name="南京第二机械厂工会", kind="enterprise", region="320102"
    )
    leader = make_worker(other, 201, name="周工匠")
    honour(leader, "全国五一劳动奖章", "national")
    city_officer = UserFactory(username="city_officer")
    member(city_officer, world.city_a, "officer")
    studio_b = studios.studio_approve(
        actor=city_officer,
        studio=studios.studio_propose(
            actor=world.alice, organization=other, name="周工匠工作室", level="city", leader=leader
        ),
    )
    alliance = studios.alliance_create(
        actor=world.alice, organization=world.province_a, name="联盟", studios=[studio_a, studio_b]
    )
    return alliance, studio_a, studio_b


def test_joint_project_task_title_past_200_is_refused(world: Any, team: Any) -> None:
    alliance, a, b = _two_studios(world, team)
    with pytest.raises(ApplicationError) as exc:
        studios.joint_project_create(
            actor=world.alice,
            alliance=alliance,
            title="攻关",
            studios=[a, b],
            tasks=[("任" * 201, a)],
        )
    assert exc.value.details[0]["field"] == "tasks.0.title"
    assert not alliance.projects.exists()
    project = studios.joint_project_create(
        actor=world.alice, alliance=alliance, title="攻关", studios=[a, b], tasks=[("任" * 200, a)]
    )
    assert project.tasks.get().title == "任" * 200


def test_alliance_page_refuses_more_studios_than_it_takes(
    world: Any, team: Any, client: Any
) -> None:
    alliance, a, b = _two_studios(world, team)
    url = reverse("innovation:alliance_detail", args=[alliance.code])
    client.force_login(world.alice)
    picked = [a.code, b.code] + [f"X{i:05d}" for i in range(199)]
    r = client.post(url, {"act": "project", "title": "攻关", "studios": picked}, follow=True)
    assert "200" in _messages(r)
    assert not alliance.projects.exists()
    client.post(url, {"act": "project", "title": "攻关", "studios": [a.code, b.code]})
    assert alliance.projects.count() == 1


def test_studio_members_form_refuses_too_many_and_long_codes(
    world: Any, team: Any, client: Any
) -> None:
    honour(team.workers[0])
    studio = named(world, team)
    url = reverse("innovation:studio_detail", args=[studio.code])
    client.force_login(world.enterprise_officer_a)
    before = set(studio.members.values_list("worker_id", flat=True))
    many = ",".join([team.workers[2].code] * 201)
    r = client.post(url, {"act": "members", "workers": many}, follow=True)
    assert "200" in _messages(r)
    # a code with a character more is not the worker whose code it starts with
    r = client.post(url, {"act": "members", "workers": team.workers[2].code + "9"}, follow=True)
    assert set(studio.members.values_list("worker_id", flat=True)) == before
    client.post(url, {"act": "members", "workers": team.workers[2].code})
    assert team.workers[2].pk in set(studio.members.values_list("worker_id", flat=True))


# ------------------------------------------------------------------------- awards, funds, exchange
def test_panel_user_name_is_matched_whole(client: Any, world: Any, team: Any) -> None:
    round_ = awards.award_round_create(
        actor=world.alice, organization=world.province_a, year=2026, title="创新奖"
    )
    expert = UserFactory(username="e" * 150)
    member(expert, world.city_a, "officer")
    url = reverse("innovation:award_act", args=[round_.code])
    client.force_login(world.alice)
    r = client.post(url, {"act": "panel", "username": "e" * 151}, follow=True)
    assert not PanelMember.objects.filter(round=round_.review, user=expert).exists()
    assert _messages(r)
    client.post(url, {"act": "panel", "username": "e" * 150})
    assert PanelMember.objects.filter(round=round_.review, user=expert).exists()


def test_budget_code_with_a_tail_is_not_the_budget(
    client: Any,
    world: Any,
    fund: Any,  # noqa: F811
    carol: Any,  # noqa: F811
) -> None:
    proposed = fund_budget_propose(
        actor=world.alice, fund=fund, year=payment_year(), amount="100.00"
    )
    url = f"/innovation/funds/{fund.code}/"
    client.force_login(carol)
    r = client.post(url, {"act": "approve", "budget": proposed.code + "X" * 5})
    assert r.status_code == 404
    assert FundBudget.objects.get(pk=proposed.pk).amount is None
    client.post(url, {"act": "approve", "budget": proposed.code})
    assert FundBudget.objects.get(pk=proposed.pk).amount == Decimal("100.00")


def test_exchange_report_reason_is_audited_whole(
    client: Any,
    world: Any,
    team: Any,
    people: Any,  # noqa: F811
) -> None:
    from .test_exchange import ask

    q = ask(people.asker)
    client.force_login(people.wang)
    client.post(
        reverse("innovation:exchange_act", args=[q.code]), {"act": "report", "reason": "广" * 300}
    )
    event = AuditEvent.objects.get(action="innovation.exchange_report")
    assert event.details["reason"] == "广" * 300
