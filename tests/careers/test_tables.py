"""The career table: policy defaults, enterprise versions that apply forward only, expert levels."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongjiang.careers import services
from gongjiang.careers.models import CareerTable
from gongjiang.careers.policy import POLICY_EQUIVALENCE, POLICY_RULES
from gongjiang.careers.registry import judge, table_in_force

from ..access_helpers import check_access

pytestmark = pytest.mark.django_db


def test_defaults_are_the_policy_with_sources(client: Any, world: Any, careers: Any) -> None:
    url = f"/api/v1/careers/enterprises/{world.enterprise_a.code}/table"
    body = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b).json()
    assert body["version"] is None
    assert len(body["rules"]) == len(POLICY_RULES)
    assert all(r["source"] for r in body["rules"])
    assert [e["skill_level"] for e in body["equivalences"]] == [
        e.skill_level for e in POLICY_EQUIVALENCE
    ]
    tech = next(e for e in body["equivalences"] if e["skill_level"] == "TECHNICIAN")
    assert tech["title_level"] == "intermediate" and "96号" in tech["source"]


def test_edits_apply_forward_only(client: Any, world: Any, careers: Any) -> None:
    today = timezone.localdate()
    url = f"/api/v1/careers/enterprises/{world.enterprise_a.code}/table"
    # the enterprise asks 10 years as a technician for 中级, from tomorrow
    rules = [
        {**r.__dict__, "years": 10 if r.target == "intermediate" and r.years else r.years}
        for r in POLICY_RULES
    ]
    tomorrow = today + dt.timedelta(days=1)
    r = check_access(
        client,
        url=url,
        method="post",
        ok=201,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data={"effective_from": tomorrow.isoformat(), "rules": rules, "note": "提高要求"},
    )
    assert r.json()["effective_from"] == tomorrow.isoformat()
    assert r.json()["status"] == "draft"
    # a draft applies only once another person approves it
    assert table_in_force(world.enterprise_a, tomorrow).version is None
    services.career_table_approve(
        actor=careers.hr_a2, table=CareerTable.objects.get(code=r.json()["code"])
    )
    # the past is never rewritten: a version starting yesterday is refused
    client.force_login(careers.hr_a)
    r = client.post(
        url,
        data={"effective_from": (today - dt.timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "not_forward"
    # nor a second version on the same day
    r = client.post(
        url, data={"effective_from": tomorrow.isoformat()}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "version_exists"
    # today and before: the defaults; from tomorrow: the new version
    welder = careers.welder  # a technician since 2020-03-01: over 3 years, under 10
    assert table_in_force(world.enterprise_a, today).version is None
    assert table_in_force(world.enterprise_a, tomorrow).version is not None
    assert judge(welder, "intermediate", today).eligible
    assert judge(welder, "intermediate", dt.date(2024, 3, 1)).eligible  # the past stays as it was
    later_answer = judge(welder, "intermediate", tomorrow)
    assert not later_answer.eligible
    assert [c.required for c in later_answer.unmet] == ["10@TECHNICIAN"]
    # a later version of the equivalences applies from its own day, the earlier one stays
    later = tomorrow + dt.timedelta(days=30)
    draft = services.career_table_create(
        actor=careers.hr_a,
        organization=world.enterprise_a,
        effective_from=later,
        equivalences=[
            {"skill_level": "TECHNICIAN", "title_level": "intermediate", "management_grade": "主管"}
        ],
    )
    services.career_table_approve(actor=careers.hr_a2, table=draft)
    assert (
        table_in_force(world.enterprise_a, tomorrow).equivalences[0].skill_level == "INTERMEDIATE"
    )
    assert [e.management_grade for e in table_in_force(world.enterprise_a, later).equivalences] == [
        "主管"
    ]
    # the later version copied the rules in force (5 years), not the policy's 3
    years = [
        r.years
        for r in table_in_force(world.enterprise_a, later).rules
        if r.target == "intermediate" and r.years
    ]
    assert years == [10]
    assert CareerTable.objects.filter(organization=world.enterprise_a).count() == 2
    r = client.get(url, {"on": later.isoformat()})
    assert r.json()["equivalences"][0]["management_grade"] == "主管"


def test_table_rules_are_checked(client: Any, world: Any, careers: Any) -> None:
    client.force_login(careers.hr_a)
    url = f"/api/v1/careers/enterprises/{world.enterprise_a.code}/table"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = {"target": "intermediate", "kind": "years_at_skill_level", "level": "WIZARD", "years": 3}
    r = client.post(
        url, data={"effective_from": tomorrow, "rules": [bad]}, content_type="application/json"
    )
    assert r.status_code in (400, 422)
    assert r.json()["details"][0]["field"] == "rules[0].level"
    # a union officer follows the table but may not change it
    client.force_login(world.enterprise_officer_a)
    assert client.get(url).status_code == 200
    r = client.post(url, data={"effective_from": tomorrow}, content_type="application/json")
    assert r.status_code == 403


def test_expert_levels_at_most_six(client: Any, world: Any, careers: Any) -> None:
    url = f"/api/v1/careers/enterprises/{world.enterprise_a.code}/expert-levels"
    data = {"rank": 1, "name": "首席技能专家", "min_skill_level": "SENIOR_TECHNICIAN", "quota": 2}
    check_access(
        client,
        url=url,
        method="post",
        ok=201,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data=data,
    )
    # saving the same rank again changes it
    client.post(url, data={**data, "quota": 3}, content_type="application/json")
    body = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b).json()
    assert [(e["rank"], e["quota"]) for e in body] == [(1, 3)]
    r = client.post(url, data={**data, "rank": 7}, content_type="application/json")
    assert r.status_code == 422
    with pytest.raises(ValidationError) as refused:
        services.expert_level_save(
            actor=careers.hr_a,
            organization=world.enterprise_a,
            rank=7,
            name="x",
            min_skill_level="SENIOR",
        )
    assert set(refused.value.message_dict) == {"rank"}
