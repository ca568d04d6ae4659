"""Analytics API and pages: figures from the rollups, click-through links, exports, scope, query bounds."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from python_calamine import CalamineWorkbook

from gongjiang.core.actors import SYSTEM
from gongjiang.workforce import services
from gongjiang.workforce.analytics import rollups
from gongjiang.workforce.analytics.services import DIMENSIONS
from tests.access_helpers import check_access
from tests.download_helpers import download_name

from .helpers import make_worker, unique_id

API = "/api/v1/workforce/analytics"


@pytest.fixture
def data(world: Any) -> Any:
    a1 = make_worker(
        world.enterprise_a,
        1,
        skill_level="SENIOR",
        occupation="6-23-01-01",
        hire_date=dt.date(2015, 3, 1),
    )
    make_worker(world.enterprise_a, 2, skill_level="TECHNICIAN", occupation="6-23-01-01")
    make_worker(world.enterprise_a, 3, skill_level="JUNIOR")
    make_worker(world.enterprise_a, 4, citizen_id=unique_id(4, male=False))
    make_worker(world.enterprise_b, 5, skill_level="SENIOR")
    services.honour_add(actor=SYSTEM, worker=a1, title="全国技术能手", level="national", year=2023)
    rollups.rollups_rebuild()
    return world


def _xlsx(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.mark.django_db
def test_summary_figures(client: Any, data: Any) -> None:
    client.force_login(data.alice)
    body = client.get(f"{API}/{data.province_a.code}/summary").json()
    assert body["headcount"] == 4
    assert body["high_skilled"] == 2 and body["high_skilled_share"] == 0.5
    assert body["technician_or_above"] == 1 and body["technician_or_above_share"] == 0.25
    assert body["levels"] == {"SENIOR": 1, "TECHNICIAN": 1, "JUNIOR": 1, "": 1}
    assert body["as_of"] == dt.date.today().isoformat() or body["as_of"]
    assert [lv["code"] for lv in body["ladder"]][:2] == ["APPRENTICE", "JUNIOR"]
    root = data.root
    client.force_login(root)
    assert client.get(f"{API}/{data.national.code}/summary").json()["headcount"] == 5


@pytest.mark.django_db
def test_every_dimension(client: Any, data: Any) -> None:
    client.force_login(data.alice)
    for dim in DIMENSIONS:
        body = client.get(f"{API}/{data.province_a.code}/by/{dim}").json()
        rows = body["rows"]
        total = sum(r["total"] for r in rows)
        assert total == 4, dim
        for row in rows:
            query = parse_qs(urlparse(row["link"]).query)
            assert query["employer"] == [data.province_a.code] or dim == "employer"
    region = client.get(f"{API}/{data.province_a.code}/by/region").json()["rows"]
    assert [(r["key"], r["label"]) for r in region] == [("320100", "南京市")]
    assert parse_qs(urlparse(region[0]["link"]).query)["region"] == ["320100"]
    county = client.get(f"{API}/{data.province_a.code}/by/region?level=county").json()["rows"]
    assert county[0]["key"] == "320111"
    occupation = {
        r["key"]: r
        for r in client.get(f"{API}/{data.province_a.code}/by/occupation").json()["rows"]
    }
    assert occupation["6-23"]["total"] == 2 and occupation["6-23"]["high_skilled_share"] == 1.0
    assert parse_qs(urlparse(occupation["6-23"]["link"]).query)["occupation"] == ["6-23"]
    major = client.get(f"{API}/{data.province_a.code}/by/occupation?level=major").json()["rows"]
    assert {r["key"] for r in major} == {"6", ""}
    employer = client.get(f"{API}/{data.province_a.code}/by/employer").json()["rows"]
    assert employer[0]["key"] == data.enterprise_a.code
    # labelled with the enterprise's legal name, not its union's
    from gongjiang.core.models import Enterprise

    assert employer[0]["label"] == Enterprise.objects.get(union=data.enterprise_a).name
    assert not employer[0]["label"].endswith("工会")
    client.force_login(data.root)
    both = client.get(f"{API}/{data.national.code}/by/employer").json()
    assert [r["total"] for r in both["rows"]] == [4, 1] and not both["truncated"]
    one = client.get(f"{API}/{data.national.code}/by/employer?limit=1").json()
    assert len(one["rows"]) == 1 and one["truncated"]
    client.force_login(data.alice)
    gender = {
        r["key"]: r["total"]
        for r in client.get(f"{API}/{data.province_a.code}/by/gender").json()["rows"]
    }
    assert gender == {"M": 3, "F": 1}
    age = client.get(f"{API}/{data.province_a.code}/by/age").json()["rows"]
    query = parse_qs(urlparse(age[0]["link"]).query)
    assert age[0]["key"] == "55p" and "born_before" in query and "born_after" not in query
    industry = client.get(f"{API}/{data.province_a.code}/by/industry").json()["rows"]
    assert industry[0]["key"] == "C" and industry[0]["label"] == "制造业"
    assert client.get(f"{API}/{data.province_a.code}/by/nonsense").status_code == 422


@pytest.mark.django_db
def test_gains_and_honours(client: Any, data: Any) -> None:
    client.force_login(data.alice)
    gains = client.get(f"{API}/{data.province_a.code}/level-gains").json()["rows"]
    assert sum(r["total"] for r in gains) == 3  # three workers registered with a level
    honours = client.get(f"{API}/{data.province_a.code}/honours").json()["rows"]
    assert honours[0]["title"] == "全国技术能手" and honours[0]["years"] == {"2023": 1}
    assert parse_qs(urlparse(honours[0]["link"]).query)["honour"] == ["全国技术能手"]


@pytest.mark.django_db
def test_exports(client: Any, data: Any) -> None:
    client.force_login(data.alice)
    response = client.get(f"{API}/{data.province_a.code}/export/occupation")
    assert response.status_code == 200
    rows = _xlsx(response.content)
    assert rows[0][0] in ("code", "代码") and len(rows[0]) == 3 + 9 + 4
    assert any(r[0] == "6-23" and r[2] == 2 for r in rows[1:])
    for figure in ("level-gains", "honours", "region"):
        assert client.get(f"{API}/{data.province_a.code}/export/{figure}").status_code == 200
    page = client.get(f"/workforce/analytics/{data.province_a.code}/export/honours.xlsx")
    assert page.status_code == 200 and _xlsx(page.content)[1][0] == "全国技术能手"
    assert download_name(page).endswith(f"-{data.province_a.name}.xlsx")


@pytest.mark.django_db
def test_scoped_access_everywhere(client: Any, data: Any) -> None:
    code = data.enterprise_a.code
    urls = [
        f"{API}/{code}/summary",
        f"{API}/{code}/level-gains",
        f"{API}/{code}/honours",
        f"{API}/{code}/export/region",
        *[f"{API}/{code}/by/{d}" for d in DIMENSIONS],
        f"/workforce/analytics/{code}/",
        f"/workforce/analytics/{code}/export/region.xlsx",
    ]
    for url in urls:
        check_access(client, url=url, in_scope=data.alice, out_of_scope=data.bob)
        check_access(
            client, url=url, in_scope=data.enterprise_officer_a, out_of_scope=data.worker_a
        )
    # bob sees his own province, and only its workers
    client.force_login(data.bob)
    assert client.get(f"{API}/{data.province_b.code}/summary").json()["headcount"] == 1
    assert client.get(f"{API}/{data.province_a.code}/summary").status_code == 404
    # the landing page sends each user to their own organisation
    client.force_login(data.alice)
    response = client.get("/workforce/analytics/")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/{data.province_a.code}/"
    )
    client.force_login(data.nobody)
    assert client.get("/workforce/analytics/").status_code == 404


@pytest.mark.django_db
def test_query_bounds(client: Any, data: Any, django_assert_max_num_queries: Any) -> None:
    client.force_login(data.alice)
    client.get(f"{API}/{data.province_a.code}/summary")  # warm the per-process caches
    with django_assert_max_num_queries(10):
        client.get(f"{API}/{data.province_a.code}/summary")
    for dim in DIMENSIONS:
        with django_assert_max_num_queries(11):
            assert client.get(f"{API}/{data.province_a.code}/by/{dim}").status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(f"/workforce/analytics/{data.province_a.code}/").status_code == 200


@pytest.mark.django_db
def test_dashboard_page(client: Any, data: Any) -> None:
    client.force_login(data.alice)
    html = client.get(
        f"/workforce/analytics/{data.province_a.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert (
        "南京市" in html
        and "export/region.xlsx" in html
        and "vendor/echarts/echarts.min.js" in html
    )
    assert "employer=" + data.province_a.code in html
    assert 'id="headcount">4<' in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
def test_dashboard_in_browser(page: Any, live_server: Any, world: Any, settings: Any) -> None:
    make_worker(world.enterprise_a, 1, skill_level="SENIOR", occupation="6-23-01-01")
    make_worker(world.enterprise_a, 2, skill_level="TECHNICIAN")
    rollups.rollups_rebuild()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "Correct-horse-9")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/workforce/analytics/")
    page.wait_for_selector("#headcount")
    assert page.inner_text("#headcount").strip() == "2"
    page.wait_for_selector("#figure-occupation canvas")  # ECharts drew the chart
    with page.expect_download() as download:
        page.click("#figure-occupation a.btn-outline-success")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.click("#figure-region summary")
    href = page.get_attribute("#figure-region table a", "href")
    assert "region=320100" in href and f"employer={world.province_a.code}" in href


def test_one_list_of_figures_for_pages_api_and_export() -> None:
    from gongjiang.workforce.analytics import services as analytics
    from gongjiang.workforce.analytics import views

    assert set(analytics.DIMENSIONS) == set(analytics.FIGURES)
    assert views.CHARTED == analytics.DIMENSIONS
    assert views.EXPORTABLE == (*analytics.DIMENSIONS, "level-gains", "honours")
