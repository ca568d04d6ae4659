"""The API: the bridge contract, scoped access on every endpoint, applications with review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.careers import services
from gongjiang.careers.models import BridgeApplication, ProfessionalTitle
from gongjiang.core.models import AuditEvent
from gongjiang.workforce.models import SkillLevelChange

from ..access_helpers import check_access

pytestmark = pytest.mark.django_db


def test_bridge_contract_exact_shape(client: Any, world: Any, careers: Any) -> None:
    url = f"/api/v1/careers/workers/{careers.welder.code}/bridge?target=intermediate&on=2023-03-01"
    r = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b)
    body = r.json()
    assert set(body) == {"eligible", "conditions"}
    assert body["eligible"] is True
    assert all(set(c) == {"rule", "required", "actual", "met"} for c in body["conditions"])
    assert [c["rule"] for c in body["conditions"]] == [
        "not_yet_held",
        "skill_level",
        "years_at_skill_level",
        "occupation",
    ]
    # one day short of three years as a technician: named, with what the registry shows
    r = client.get(url.replace("2023-03-01", "2023-02-28"))
    body = r.json()
    assert body["eligible"] is False
    years = next(c for c in body["conditions"] if c["rule"] == "years_at_skill_level")
    assert years == {
        "rule": "years_at_skill_level",
        "required": "3@TECHNICIAN",
        "actual": "2@TECHNICIAN",
        "met": False,
    }
    # the worker reads their own; another enterprise's HR and the other province do not
    check_access(client, url=url, in_scope=world.worker_a, out_of_scope=world.bob)
    # Chinese names work as targets; an unknown target is refused naming the field
    client.force_login(careers.hr_a)
    assert client.get(url.replace("intermediate", "中级")).json()["eligible"] is True
    r = client.get(url.replace("intermediate", "nonsense"))
    assert r.status_code in (400, 422) and r.json()["details"][0]["field"] == "target"
    # out of scope answers 404 before the target is looked at
    client.force_login(careers.hr_b)
    assert client.get(url.replace("intermediate", "nonsense")).status_code == 404


def test_title_to_skill_direction(client: Any, world: Any, careers: Any) -> None:
    services.title_add(
        actor=careers.hr_a,
        worker=careers.engineer,
        field="工程",
        name="工程师",
        level="intermediate",
        date=dt.date(2021, 6, 1),
        issuer="江苏省人社厅",
    )
    client.force_login(careers.hr_a)
    url = f"/api/v1/careers/workers/{careers.engineer.code}/bridge?target=TECHNICIAN"
    body = client.get(url).json()
    assert body["eligible"] is True
    body = client.get(url.replace("TECHNICIAN", "SENIOR_TECHNICIAN")).json()
    assert body["eligible"] is False
    assert [c for c in body["conditions"] if not c["met"]] == [
        {"rule": "title_level", "required": "deputy_senior", "actual": "intermediate", "met": False}
    ]


def test_career_and_titles_endpoints(client: Any, world: Any, careers: Any) -> None:
    base = f"/api/v1/careers/workers/{careers.welder.code}"
    r = check_access(
        client, url=f"{base}/career", in_scope=world.worker_a, out_of_scope=careers.hr_b
    )
    body = r.json()
    assert body["skill_level"] == "TECHNICIAN"
    assert body["equivalent_title"] == "intermediate"
    assert body["next_steps"][0]["channel"] == "title"
    r = check_access(
        client,
        url=f"{base}/titles",
        method="post",
        ok=201,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data={
            "field": "工程",
            "level": "assistant",
            "date": "2022-01-01",
            "issuer": "南京市人社局",
        },
    )
    assert r.json()["name"] == "助理级"
    # a union officer follows careers but does not record titles; a worker does not either
    client.force_login(world.worker_a)
    r = client.post(
        f"{base}/titles",
        data={"field": "工程", "level": "assistant", "date": "2022-01-01", "issuer": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_application_review_and_outcome(client: Any, world: Any, careers: Any) -> None:
    r = check_access(
        client,
        url="/api/v1/careers/applications",
        method="post",
        ok=201,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data={"worker": careers.welder.code, "target": "intermediate", "note": "申报工程师"},
    )
    code = r.json()["code"]
    assert r.json()["eligible"] is True
    check_access(
        client,
        url=f"/api/v1/careers/applications/{code}",
        in_scope=careers.hr_a2,
        out_of_scope=careers.hr_b,
    )
    check_access(
        client, url="/api/v1/careers/applications", in_scope=careers.hr_a, out_of_scope=None
    )
    client.force_login(careers.hr_b)
    assert client.get("/api/v1/careers/applications").json()["count"] == 0
    decide = f"/api/v1/careers/applications/{code}/decide"
    # the one who filed it may not decide it: 403 separation_of_duties, audited as refused
    client.force_login(careers.hr_a)
    r = client.post(decide, data={"approve": True}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
    assert AuditEvent.objects.filter(action="careers.bridge_decide.refused").count() == 1
    r = check_access(
        client,
        url=decide,
        method="post",
        in_scope=careers.hr_a2,
        out_of_scope=careers.hr_b,
        data={"approve": True, "note": "同意"},
    )
    assert r.json()["status"] == "approved"
    title = ProfessionalTitle.objects.get(worker=careers.welder)
    assert title.level == "intermediate" and title.source_ref == code
    assert r.json()["outcome_ref"] == title.code
    # decided once
    r = client.post(decide, data={"approve": False}, content_type="application/json")
    assert r.status_code == 409


def test_skill_outcome_lands_in_registry_through_workforce(world: Any, careers: Any) -> None:
    services.title_add(
        actor=careers.hr_a,
        worker=careers.engineer,
        field="工程",
        name="工程师",
        level="intermediate",
        date=dt.date(2021, 6, 1),
        issuer="江苏省人社厅",
    )
    app = services.bridge_application_submit(
        actor=careers.hr_a, worker=careers.engineer, target="TECHNICIAN"
    )
    services.bridge_application_decide(actor=careers.hr_a2, application=app, approve=True)
    careers.engineer.refresh_from_db()
    assert careers.engineer.skill_level_id == "TECHNICIAN"
    change = SkillLevelChange.objects.get(worker=careers.engineer, to_level="TECHNICIAN")
    assert change.source_ref == app.code and change.date == timezone.localdate()


def test_ineligible_application_cannot_be_approved(client: Any, world: Any, careers: Any) -> None:
    app = services.bridge_application_submit(
        actor=careers.hr_a, worker=careers.welder, target="deputy_senior"
    )
    assert app.eligible is False
    client.force_login(careers.hr_a2)
    r = client.post(
        f"/api/v1/careers/applications/{app.code}/decide",
        data={"approve": True},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "not_eligible"
    assert {d["field"] for d in r.json()["details"]} == {"skill_level", "years_at_skill_level"}
    r = client.post(
        f"/api/v1/careers/applications/{app.code}/decide",
        data={"approve": False, "note": "条件不足"},
        content_type="application/json",
    )
    assert r.json()["status"] == "rejected"
    assert BridgeApplication.objects.get(code=app.code).decided_by == careers.hr_a2
