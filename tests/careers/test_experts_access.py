"""Every expert-level page and endpoint through the shared helper: anonymous → login/401, out of
scope → 404 (never a hint), in scope → the answer; lists count only what is in scope; bounded
schemas answer 422; the to-dos of reviewers, of notices and of terms due."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.careers import experts
from gongjiang.careers import experts_rules as rules
from gongjiang.careers.models_experts import ExpertAppointment
from gongjiang.careers.todos import expert_todos
from gongjiang.core.notices.services import notice_objection_file
from gongjiang.core.review.models import ReviewCriterion

from ..access_helpers import check_access
from ..factories import UserFactory, member
from .experts_helpers import Experts, apply, end_notice, to_notice

pytestmark = pytest.mark.django_db
BASE = "/careers/experts"
API = "/api/v1/careers/experts"


@pytest.fixture
def hr_b(world: Any) -> Any:
    user = UserFactory(username="hr_b_exp")
    member(user, world.enterprise_b, "hr")
    return user


def _appointment(exp: Experts, world: Any, start: dt.date) -> Any:
    return ExpertAppointment.objects.create(
        worker=exp.workers[0],
        organization=world.enterprise_a,
        level=exp.level,
        level_name=exp.level.name,
        term_start=start,
        term_end=rules.term_end(start, 3),
    )


def test_pages_of_a_call(client: Any, world: Any, exp: Experts, hr_b: Any) -> None:
    call = exp.call
    r = check_access(client, url=f"{BASE}/", in_scope=exp.organiser, out_of_scope=None)
    assert call.title in r.content.decode()
    client.force_login(hr_b)
    assert call.title not in client.get(f"{BASE}/").content.decode()
    check_access(
        client, url=f"{BASE}/calls/{call.code}/", in_scope=exp.organiser, out_of_scope=hr_b
    )
    check_access(
        client,
        url=f"{BASE}/calls/{call.code}/step/",
        method="post",
        data={"step": "quota", "unit": world.team_a.code, "places": "1"},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
        ok=302,
    )
    assert call.quotas.get().places == 1
    check_access(
        client,
        url=f"{BASE}/calls/{call.code}/apply/",
        method="post",
        data={"worker": exp.workers[0].code, "statement": "攻关"},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
        ok=302,
    )
    application = call.applications.get()
    check_access(
        client,
        url=f"{BASE}/applications/{application.code}/withdraw/",
        method="post",
        in_scope=exp.organiser,
        out_of_scope=hr_b,
        ok=302,
    )
    application.refresh_from_db()
    assert application.status == "withdrawn"
    # a worker of another enterprise cannot be filed for: 404, nothing written
    client.force_login(exp.organiser)
    r = client.post(
        f"{BASE}/calls/{call.code}/apply/",
        {"worker": "nosuchcode", "statement": "x"},
    )
    assert r.status_code == 404


def test_create_page_and_bounded_form(client: Any, world: Any, exp: Experts, hr_b: Any) -> None:
    data = {
        "level": exp.level.code,
        "year": "2027",
        "closes_on": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        "places": "2",
    }
    check_access(
        client,
        url=f"{BASE}/new/",
        method="post",
        data=data,
        in_scope=exp.organiser,
        out_of_scope=hr_b,
        ok=302,
    )
    assert exp.level.calls.filter(year=2027).exists()
    client.force_login(exp.organiser)
    r = client.post(f"{BASE}/new/", {**data, "year": "1" * 25}, follow=True)
    assert r.status_code == 200 and not exp.level.calls.filter(year__gt=2100).exists()


def test_scoring_page_and_appointment_pages(
    client: Any, world: Any, exp: Experts, hr_b: Any
) -> None:
    apply(exp, exp.workers[0])
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    from gongjiang.core.review.services import panel_member_add

    panel_member_add(actor=exp.organiser, round=exp.call.review, user=exp.reviewer)
    a = exp.call.applications.get()
    data = {"application": a.code}
    for c in ReviewCriterion.objects.filter(round=exp.call.review):
        data[f"c{c.pk}"] = "88"
    # the reviewer (no role) opens the call's page and scores; someone else gets 404
    r = check_access(
        client, url=f"{BASE}/calls/{exp.call.code}/", in_scope=exp.reviewer, out_of_scope=hr_b
    )
    assert 'id="panel"' in r.content.decode()
    check_access(
        client,
        url=f"{BASE}/calls/{exp.call.code}/score/",
        method="post",
        data=data,
        in_scope=exp.reviewer,
        out_of_scope=hr_b,
        ok=302,
    )
    assert a.review_item.scores.count() == 4
    due = rules.add_years(timezone.localdate(), -3) + dt.timedelta(days=10)
    appointment = _appointment(exp, world, due)
    check_access(
        client,
        url=f"{BASE}/appointments/{appointment.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{BASE}/appointments/{appointment.code}/",
        method="post",
        data={"renew": "1", "note": "考核优秀"},
        in_scope=exp.appointer,
        out_of_scope=hr_b,
        ok=302,
    )
    appointment.refresh_from_db()
    assert appointment.renewal.term_start == appointment.term_end + dt.timedelta(days=1)


def test_worker_phone_page(client: Any, world: Any, exp: Experts, careers: Any) -> None:
    r = check_access(client, url=f"{BASE}/me/", in_scope=world.worker_a, out_of_scope=world.nobody)
    page = r.content.decode()
    assert exp.call.title in page and f"/careers/experts/calls/{exp.call.code}/apply/" in page
    r = client.post(f"{BASE}/calls/{exp.call.code}/apply/", {"statement": "带徒八名"})
    assert r.status_code == 302
    assert exp.call.applications.get().worker == careers.welder
    # another enterprise's worker does not see the call and cannot apply to it
    other = UserFactory(username="worker_b_login")
    careers.worker_b.user = other
    careers.worker_b.save(update_fields=["user"])
    client.force_login(other)
    assert exp.call.title not in client.get(f"{BASE}/me/").content.decode()
    r = client.post(f"{BASE}/calls/{exp.call.code}/apply/", {"statement": "x"})
    assert r.status_code == 404


def test_objection_from_the_phone(client: Any, world: Any, exp: Experts, careers: Any) -> None:
    call = to_notice(exp, {exp.workers[0]: 90})
    client.force_login(world.worker_a)
    page = client.get(f"{BASE}/me/").content.decode()
    assert call.notice.title in page and "张*" in page or "*" in page
    check_access(
        client,
        url=f"{BASE}/calls/{call.code}/object/",
        method="post",
        data={"text": "该同志未满年限"},
        in_scope=world.worker_a,
        out_of_scope=world.nobody,
        ok=302,
    )
    assert call.notice.objections.count() == 1


# ------------------------------------------------------------------------------ API
def test_api_calls_and_bounds(client: Any, world: Any, exp: Experts, hr_b: Any) -> None:
    call = exp.call
    r = check_access(client, url=f"{API}/calls", in_scope=exp.organiser, out_of_scope=None)
    assert [c["code"] for c in r.json()["items"]] == [call.code] and r.json()["count"] == 1
    client.force_login(hr_b)
    assert client.get(f"{API}/calls").json()["count"] == 0
    check_access(client, url=f"{API}/calls/{call.code}", in_scope=world.alice, out_of_scope=hr_b)
    body = {
        "level": exp.level.code,
        "year": 2028,
        "closes_on": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
    }
    r = check_access(
        client,
        url=f"{API}/calls",
        method="post",
        data=body,
        in_scope=exp.organiser,
        out_of_scope=hr_b,
        ok=201,
    )
    assert r.json()["places"] == 2 and r.json()["state"] == "open"
    client.force_login(exp.organiser)
    for bad in ({"year": 10**20}, {"places": 10**20}, {"pass_mark": 101}, {"title": "x" * 201}):
        r = client.post(
            f"{API}/calls",
            data={**body, **bad, "year": bad.get("year", 2029)},
            content_type="application/json",
        )
        assert r.status_code == 422, (bad, r.status_code)
    r = client.post(
        f"{API}/calls/{call.code}/quotas",
        data={"unit": world.team_a.code, "places": 10**20},
        content_type="application/json",
    )
    assert r.status_code == 422
    check_access(
        client,
        url=f"{API}/calls/{call.code}/quotas",
        method="post",
        data={"unit": world.team_a.code, "places": 1},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
    )


def test_api_applications_review_and_appointment(
    client: Any, world: Any, exp: Experts, hr_b: Any
) -> None:
    call = exp.call
    r = check_access(
        client,
        url=f"{API}/calls/{call.code}/applications",
        method="post",
        data={"worker": exp.workers[0].code, "statement": "攻克难题"},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
        ok=201,
    )
    code = r.json()["code"]
    assert r.json()["conditions"][-1]["rule"] == "years_at_skill_level"
    check_access(client, url=f"{API}/applications/{code}", in_scope=world.alice, out_of_scope=hr_b)
    check_access(
        client, url=f"{API}/calls/{call.code}/applications", in_scope=world.alice, out_of_scope=hr_b
    )
    client.force_login(exp.organiser)
    r = client.post(
        f"{API}/calls/{call.code}/applications",
        data={"worker": exp.workers[1].code, "statement": "x" * 5001},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"{API}/calls/{call.code}/applications",
        data={"worker": exp.workers[1].code, "statement": "改进工艺"},
        content_type="application/json",
    )
    second = r.json()["code"]
    check_access(
        client,
        url=f"{API}/applications/{second}/withdraw",
        method="post",
        in_scope=exp.organiser,
        out_of_scope=hr_b,
    )
    check_access(
        client,
        url=f"{API}/calls/{call.code}/review",
        method="post",
        data={},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
    )
    check_access(
        client,
        url=f"{API}/calls/{call.code}/reviewers",
        method="post",
        data={"username": exp.reviewer.username},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
        ok=201,
    )
    call.refresh_from_db()
    for c in ReviewCriterion.objects.filter(round=call.review):
        check_access(
            client,
            url=f"{API}/calls/{call.code}/scores",
            method="post",
            data={"application": code, "criterion": c.name, "score": "90"},
            in_scope=exp.reviewer,
            out_of_scope=hr_b,
            ok=201,
        )
    check_access(
        client,
        url=f"{API}/calls/{call.code}/finalise",
        method="post",
        in_scope=exp.organiser,
        out_of_scope=hr_b,
    )
    client.force_login(exp.organiser)
    r = client.post(
        f"{API}/calls/{call.code}/ties",
        data={"chosen": [code], "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "no_tie"
    r = check_access(
        client,
        url=f"{API}/calls/{call.code}/notice",
        method="post",
        data={},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
    )
    assert r.json()["state"] == "notice"
    call.refresh_from_db()
    objection = notice_objection_file(actor=world.worker_a, notice=call.notice, text="有异议")
    check_access(
        client, url=f"{API}/calls/{call.code}/objections", in_scope=exp.organiser, out_of_scope=hr_b
    )
    end_notice(call)
    client.force_login(exp.appointer)
    r = client.post(f"{API}/calls/{call.code}/appoint", data={}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "objections_open"
    check_access(
        client,
        url=f"{API}/calls/{call.code}/objections/{objection.code}/answer",
        method="post",
        data={"reply": "经核查，反映不属实。"},
        in_scope=exp.organiser,
        out_of_scope=hr_b,
    )
    r = check_access(
        client,
        url=f"{API}/calls/{call.code}/appoint",
        method="post",
        in_scope=exp.appointer,
        out_of_scope=hr_b,
    )
    assert r.json()["state"] == "appointed"
    appointment = ExpertAppointment.objects.get()
    r = check_access(client, url=f"{API}/appointments", in_scope=world.alice, out_of_scope=None)
    assert [a["code"] for a in r.json()["items"]] == [appointment.code]
    client.force_login(world.bob)
    assert client.get(f"{API}/appointments").json()["count"] == 0
    r = check_access(
        client,
        url=f"{API}/appointments/{appointment.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["state"] == "active"
    client.force_login(exp.appointer)
    r = client.post(
        f"{API}/appointments/{appointment.code}/reevaluate",
        data={"renew": True},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "not_due"  # three years away
    check_access(
        client,
        url=f"{API}/appointments/{appointment.code}/reevaluate",
        method="post",
        data={"renew": False},
        in_scope=exp.appointer,
        out_of_scope=hr_b,
        ok=409,
    )
    r = client.post(
        f"{API}/appointments/{appointment.code}/reevaluate",
        data={"renew": True, "note": "x" * 501},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_api_mine(client: Any, world: Any, exp: Experts, careers: Any) -> None:
    r = check_access(client, url=f"{API}/mine", in_scope=world.worker_a, out_of_scope=world.nobody)
    body = r.json()
    assert body["appointments"] == [] and body["open_calls"][0]["eligible"] is True
    r = client.post(
        f"{API}/calls/{exp.call.code}/applications",
        data={"statement": "带徒"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["worker"] == careers.welder.code
    assert client.get(f"{API}/mine").json()["open_calls"][0]["application"] == r.json()["code"]


def test_todos(world: Any, exp: Experts) -> None:
    def counts(user: Any) -> dict[str, int]:
        return {str(t.label): t.count for t in expert_todos(user)}

    apply(exp, exp.workers[0])
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    from gongjiang.core.review.services import panel_member_add

    panel_member_add(actor=exp.organiser, round=exp.call.review, user=exp.reviewer)
    assert counts(exp.reviewer)["待我评分的专家评聘"] == 1
    assert counts(world.bob).get("待我评分的专家评聘", 0) == 0
    exp.call.applications.update(status="submitted")
    for c in ReviewCriterion.objects.filter(round=exp.call.review):
        from gongjiang.core.review.services import review_score_save

        item = exp.call.applications.get().review_item
        review_score_save(actor=exp.reviewer, item=item, criterion=c, score=90)
    experts.expert_review_finalise(actor=exp.organiser, call=exp.call)
    experts.expert_notice_publish(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    notice_objection_file(actor=world.worker_a, notice=exp.call.notice, text="异议")
    assert counts(exp.organiser)["专家评聘公示中待答复的异议"] == 1
    assert counts(world.bob).get("专家评聘公示中待答复的异议", 0) == 0
    end_notice(exp.call)
    assert counts(exp.appointer)["公示期满待聘任的专家评聘"] == 1
    assert counts(exp.organiser).get("公示期满待聘任的专家评聘", 0) == 0  # the organiser never
    _appointment(exp, world, rules.add_years(timezone.localdate(), -3) + dt.timedelta(days=10))
    assert counts(exp.appointer)["聘期将满待复评的专家"] == 1
    assert counts(world.bob).get("聘期将满待复评的专家", 0) == 0
