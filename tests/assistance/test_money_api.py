"""The API for support lines, campaigns, budgets and support outcomes: the services the pages
use, scoped (the ordinary officer and another city's assistance officer get 404 and see none)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongjiang.assistance import support
from gongjiang.assistance.models import Campaign, SupportLine
from gongjiang.core.models import AuditEvent as AuditLog

from ..access_helpers import check_access
from .test_support import _setup

pytestmark = pytest.mark.django_db


def _post(client: Any, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_lines_api(assist: Any, client: Any) -> None:
    a = assist
    org = a.world.city_a.code
    body = {"organization": org, "kind": "living", "name": "生活救助", "max_amount": "3000.00"}
    check_access(
        client,
        url="/api/v1/assistance/lines",
        method="post",
        data=body,
        ok=201,
        in_scope=a.city_helper,
        out_of_scope=a.other_city_helper,
    )
    line = SupportLine.objects.get(organization=a.world.city_a, kind="living")
    assert line.name == "生活救助" and str(line.max_amount) == "3000.00"
    client.force_login(a.city_helper)
    r = _post(client, "post", "/api/v1/assistance/lines", body)
    assert r.status_code == 409 and r.json()["code"] == "line_exists"
    r = _post(client, "post", "/api/v1/assistance/lines", {**body, "kind": "other"})
    assert r.status_code == 422
    r = _post(
        client, "post", "/api/v1/assistance/lines", {**body, "kind": "legal", "cap_person": "1e20"}
    )
    assert r.status_code == 422
    r = _post(
        client,
        "post",
        "/api/v1/assistance/lines",
        {**body, "kind": "medical", "min_amount": "500", "max_amount": "100"},
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "min_amount"
    assert not SupportLine.objects.filter(kind="medical").exists()  # nothing half-written
    url = f"/api/v1/assistance/lines/{line.code}"
    r = check_access(
        client,
        url=url,
        method="patch",
        data={"cap_person": "5000.00", "eligible_categories": ["deep"]},
        in_scope=a.city_helper,
        out_of_scope=a.other_city_helper,
    )
    assert r.json()["cap_person"] == "5000.00" and r.json()["eligible_categories"] == ["deep"]
    r = check_access(
        client, url="/api/v1/assistance/lines", in_scope=a.city_helper, out_of_scope=None
    )
    assert [x["code"] for x in r.json()] == [line.code]
    client.force_login(a.other_city_helper)
    assert client.get("/api/v1/assistance/lines").json() == []
    for stranger in (a.officer, a.world.alice):
        client.force_login(stranger)
        assert client.get("/api/v1/assistance/lines").status_code == 404
        assert _post(client, "patch", url, {"name": "x"}).status_code == 404


def test_campaigns_api(assist: Any, client: Any) -> None:
    a = assist
    file, _lines, fund = _setup(a)
    body = {
        "organization": a.world.city_a.code,
        "kind": "spring",
        "name": "两节送温暖",
        "year": a.year,
        "budget": "300.00",
        "fund": fund.code,
    }
    r = check_access(
        client,
        url="/api/v1/assistance/campaigns",
        method="post",
        data=body,
        ok=201,
        in_scope=a.city_helper,
        out_of_scope=a.other_city_helper,
    )
    code = r.json()["code"]
    campaign = Campaign.objects.get(code=code)
    support.visit_record(
        actor=a.city_helper, campaign=campaign, file=file, gift="米面油", amount="200"
    )
    url = f"/api/v1/assistance/campaigns/{code}"
    r = check_access(client, url=url, in_scope=a.city_helper, out_of_scope=a.other_city_helper)
    assert r.json()["spent"] == "200.00" and r.json()["visits"] == 1
    client.force_login(a.city_helper)
    r = _post(client, "patch", url, {"budget": "199.99"})
    assert r.status_code == 409 and r.json()["details"][0]["field"] == "budget"
    r = check_access(
        client,
        url=url,
        method="patch",
        data={"budget": "500.00", "name": "春节送温暖"},
        in_scope=a.city_helper,
        out_of_scope=a.other_city_helper,
    )
    assert r.json()["budget"] == "500.00" and r.json()["name"] == "春节送温暖"
    assert AuditLog.objects.filter(action="assistance.campaign_update").count() == 1
    client.force_login(a.city_helper)
    assert [c["code"] for c in client.get("/api/v1/assistance/campaigns").json()] == [code]
    r = _post(client, "post", "/api/v1/assistance/campaigns", {**body, "budget": "1e20"})
    assert r.status_code == 422
    client.force_login(a.other_city_helper)
    assert client.get("/api/v1/assistance/campaigns").json() == []
    client.force_login(a.officer)
    assert client.get("/api/v1/assistance/campaigns").status_code == 404
    assert _post(client, "post", "/api/v1/assistance/campaigns", body).status_code == 404


def test_budgets_and_outcomes_api(assist: Any, client: Any) -> None:
    a = assist
    file, lines, fund = _setup(a)
    body = {"fund": fund.code, "line": lines["living"].code, "year": a.year, "amount": "700.00"}
    r = check_access(
        client,
        url="/api/v1/assistance/budgets",
        method="put",
        data=body,
        in_scope=a.city_helper,
        out_of_scope=a.other_city_helper,
    )
    assert r.json()["budget"] == "700.00" and r.json()["spent"] == "0.00"
    record = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["living"], amount="500"
    )
    client.force_login(a.city_helper)
    assert (
        _post(
            client, "post", f"/api/v1/assistance/support/{record.code}/pay", {"fund": fund.code}
        ).status_code
        == 200
    )
    r = check_access(
        client, url="/api/v1/assistance/budgets", in_scope=a.city_helper, out_of_scope=None
    )
    assert [(x["budget"], x["spent"], x["left"]) for x in r.json()] == [
        ("700.00", "500.00", "200.00")
    ]
    client.force_login(a.other_city_helper)
    assert client.get("/api/v1/assistance/budgets").json() == []
    client.force_login(a.officer)
    assert client.get("/api/v1/assistance/budgets").status_code == 404
    # a job referral and its outcome
    referral = support.support_decide(
        actor=a.ent_helper, file=file, line=lines["employment"], service="推荐到某制造企业面试"
    )
    url = f"/api/v1/assistance/support/{referral.code}/outcome"
    client.force_login(a.ent_helper)
    assert _post(client, "post", url, {"outcome": ""}).status_code == 422
    assert _post(client, "post", url, {"outcome": "x" * 301}).status_code == 422
    r = check_access(
        client,
        url=url,
        method="post",
        data={"outcome": "已录用"},
        in_scope=a.ent_helper,
        out_of_scope=a.other_city_helper,
    )
    assert r.json()["outcome"] == "已录用"
    client.force_login(a.officer)
    assert _post(client, "post", url, {"outcome": "x"}).status_code == 404
    log = AuditLog.objects.filter(action="assistance.support_outcome").get()
    assert "已录用" not in json.dumps(log.details, ensure_ascii=False)
    # and on the file page
    client.force_login(a.ent_helper)
    r = client.post(
        f"/assistance/support/{referral.code}/", {"action": "outcome", "outcome": "试用期满转正"}
    )
    assert r.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "试用期满转正"
