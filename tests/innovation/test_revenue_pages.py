"""Revenue-sharing pages and API: scoped access (anonymous / out of scope 404 / in scope) on every
page and endpoint, the flow through the pages, the statement PDF, the to-dos."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import override

from gongjiang.core.ledger.services import fund_create, fund_credit
from gongjiang.core.todos import todos_for
from gongjiang.innovation import revenue, services
from gongjiang.innovation.models import RevenueYear
from tests.access_helpers import check_access

from .conftest import make_result

pytestmark = pytest.mark.django_db
D = Decimal


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def scheme(world: Any, team: Any) -> Any:
    result = make_result(team, submit=True)
    result = services.result_review(actor=team.hr, result=result, adopted=True)
    fund = fund_create(actor=world.alice, organization=world.enterprise_a, name="分红基金")
    fund_credit(actor=world.alice, fund=fund, amount="50000.00")
    return revenue.revenue_scheme_create(
        actor=world.enterprise_officer_a, result=result, mode="licence", first_year=2025, fund=fund
    )


def test_pages_scoped(client: Any, world: Any, team: Any, scheme: Any) -> None:
    year = revenue.revenue_year_enter(
        actor=world.enterprise_officer_a, scheme=scheme, year=2025, amount=D("9999.99")
    )
    revenue.revenue_year_certify(actor=world.alice, year=year)
    for url in (
        reverse("innovation:revenue_detail", args=[scheme.code]),
        reverse("innovation:revenue_statement", args=[team.workers[0].code]),
    ):
        check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    for url in (
        reverse("innovation:revenue_list"),
        reverse("innovation:revenue_totals") + "?by=worker",
        reverse("innovation:revenue_totals_export"),
        reverse("innovation:revenue_mine"),
    ):
        check_access(client, url=url, in_scope=world.alice, out_of_scope=None)
    # a role without revenue rights is refused the lists
    client.force_login(world.nobody)
    assert client.get(reverse("innovation:revenue_list")).status_code == 403
    # lists answer an officer of another province with nothing of this scope (not even counts)
    client.force_login(world.bob)
    assert scheme.result.title not in client.get(reverse("innovation:revenue_list")).text
    totals = client.get(reverse("innovation:revenue_totals") + "?by=worker").text
    assert "李斌" not in totals
    # the detail shows the computation line by line and the rounding rule
    client.force_login(world.alice)
    page = client.get(reverse("innovation:revenue_detail", args=[scheme.code])).text
    # 9999.99 × 0.5 = 4999.995 → half up: 5000.00; 50 % of it 2500.00
    assert "4999.995" in page and "rounding-rule" in page and "2500.00" in page
    assert RevenueYear.objects.get(pk=year.pk).pool == D("5000.00")


def test_flow_through_pages_and_statement(
    client: Any, world: Any, team: Any, scheme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("innovation:revenue_detail", args=[scheme.code])
    client.force_login(world.enterprise_officer_a)
    # a year outside the scheme is refused at the field, nothing written
    r = client.post(url, {"act": "enter", "year": "2024", "amount": "100"})
    assert r.status_code == 200 and "2025" in r.text
    assert not RevenueYear.objects.exists()
    r = client.post(url, {"act": "enter", "year": "2025", "amount": "1000.00", "note": "许可合同"})
    assert r.status_code == 302
    year = RevenueYear.objects.get()
    # the same officer may not certify what they entered
    r = client.post(url, {"act": "certify", "year": year.code}, follow=True)
    assert RevenueYear.objects.get().status == "entered"
    # the to-do for another officer
    with override("en"):
        assert any("certify" in str(t.label) and t.count == 1 for t in todos_for(world.alice))
    client.force_login(world.alice)
    client.post(url, {"act": "certify", "year": year.code})
    assert RevenueYear.objects.get().status == "certified"
    client.post(url, {"act": "pay", "year": year.code})
    assert RevenueYear.objects.get().status == "paid"
    # the worker: statements ready, their page, their PDF; then the to-do is done
    with override("en"):
        labels = {str(t.label): t.count for t in todos_for(world.worker_a)}
    assert labels.get("Revenue-sharing statements ready") == 1
    client.force_login(world.worker_a)
    mine = client.get(reverse("innovation:revenue_mine"))
    assert mine.status_code == 200 and "250.00" in mine.text
    pdf = client.get(reverse("innovation:revenue_statement", args=[team.workers[0].code]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    with override("en"):
        labels = {str(t.label): t.count for t in todos_for(world.worker_a)}
    assert "Revenue-sharing statements ready" not in labels
    # not another member's statement, and not the scheme's page
    other = client.get(reverse("innovation:revenue_statement", args=[team.workers[1].code]))
    assert other.status_code == 404
    assert client.get(url).status_code == 404
    # the statements of every member as a background job (immediate in tests)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"act": "statements"})
    from gongjiang.core.models import Job

    job = Job.objects.get(kind="innovation.revenue_statements")
    assert job.status == "succeeded" and job.result["workers"] == 3
    dl = reverse("innovation:revenue_statements_download", args=[job.code])
    assert client.get(dl).status_code == 200
    client.force_login(world.bob)
    assert client.get(dl).status_code == 404


def test_api_scoped_and_flow(client: Any, world: Any, team: Any, scheme: Any) -> None:
    base = "/api/v1/innovation/revenue"
    check_access(client, url=f"{base}/schemes", in_scope=world.alice, out_of_scope=None)
    check_access(
        client, url=f"{base}/schemes/{scheme.code}", in_scope=world.alice, out_of_scope=world.bob
    )
    created = check_access(
        client,
        url=f"{base}/schemes/{scheme.code}/years",
        method="post",
        data={"year": 2025, "amount": "100.01"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    )
    code = created.json()["code"]
    certified = check_access(
        client,
        url=f"{base}/years/{code}/certify",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    ).json()
    # 100.01 × 0.50 = 50.005 → 50.01; 50 / 30 / 20 → 25.005, 15.003, 10.002 → 25.01, 15.00, 10.00
    assert certified["pool"] == "50.01"
    assert [p["amount"] for p in certified["parts"]] == ["25.01", "15.00", "10.00"]
    paid = check_access(
        client,
        url=f"{base}/years/{code}/pay",
        method="post",
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
    ).json()
    assert paid["status"] == "paid"
    totals = check_access(
        client, url=f"{base}/totals?by=worker", in_scope=world.alice, out_of_scope=None
    ).json()
    assert {t["name"]: t["paid"] for t in totals}["李斌"] == "25.01"
    client.force_login(world.bob)
    assert client.get(f"{base}/totals?by=worker").json() == []
    assert client.get(f"{base}/schemes").json()["count"] == 0
    # bad input names its field; a share below the statutory minimum is 422
    client.force_login(world.alice)
    r = post(client, f"{base}/schemes/{scheme.code}/years", {"year": 2025, "amount": "1e30"})
    assert r.status_code == 422
    r = post(
        client,
        f"{base}/schemes",
        {
            "result": scheme.result.code,
            "mode": "own_use",
            "first_year": 2025,
            "share": "0.0499",
            "agreement": "x",
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "below_statutory_minimum"
    r = post(
        client,
        f"{base}/schemes",
        {"result": scheme.result.code, "mode": "own_use", "first_year": 2025, "own_use_years": 6},
    )
    assert r.status_code == 422
    r = post(
        client,
        f"{base}/schemes",
        {"result": scheme.result.code, "mode": "own_use", "first_year": 2025, "own_use_years": 4},
    )
    assert r.status_code == 201 and r.json()["last_year"] == 2028 and r.json()["share"] == "0.05"
    client.force_login(world.bob)
    r = post(
        client,
        f"{base}/schemes",
        {"result": scheme.result.code, "mode": "transfer", "first_year": 2025},
    )
    assert r.status_code == 404
