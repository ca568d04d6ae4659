"""Pages: scoped access on each, the entry form with a team, the flow buttons, the showcase, export."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from gongjiang.innovation import services
from gongjiang.innovation.models import Result
from tests.access_helpers import check_access

from .conftest import make_result

pytestmark = pytest.mark.django_db


def test_list_detail_review_and_analytics_pages(client: Any, world: Any, team: Any) -> None:
    result = make_result(team, submit=True)
    page = check_access(client, url="/innovation/", in_scope=world.alice, out_of_scope=None)
    assert result.title in page.content.decode()
    client.force_login(world.bob)
    assert result.title not in client.get("/innovation/").content.decode()
    check_access(
        client,
        url=f"/innovation/results/{result.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    queue = check_access(client, url="/innovation/review/", in_scope=team.hr, out_of_scope=None)
    assert result.title in queue.content.decode()
    check_access(client, url="/innovation/analytics/", in_scope=world.alice, out_of_scope=None)
    client.force_login(world.worker_a)
    assert client.get("/innovation/review/").status_code == 403
    assert client.get("/innovation/analytics/").status_code == 403


def test_export(client: Any, world: Any, team: Any) -> None:
    make_result(team, title='=HYPERLINK("http://x","y")')
    response = check_access(
        client, url="/innovation/results.xlsx", in_scope=world.alice, out_of_scope=None
    )
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == '=HYPERLINK("http://x","y")'
    assert "李斌 50.00%" in rows[1][5]
    client.force_login(world.bob)
    response = client.get("/innovation/results.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1  # header only


def test_worker_enters_a_result_with_a_team(client: Any, world: Any, team: Any) -> None:
    form = check_access(
        client, url="/innovation/results/new/", in_scope=world.worker_a, out_of_scope=None
    )
    assert "王芳" in form.content.decode()
    data = {
        "employer": team.employer.code,
        "kind": "improvement",
        "title": "刀具寿命提升",
        "problem": "刀具磨损快",
        "solution": "优化切削参数",
        "member_1": team.workers[0].code,
        "contribution_1": "70",
        "member_2": team.workers[2].code,
        "contribution_2": "20",
        "submit": "1",
    }
    response = client.post("/innovation/results/new/", data)
    assert response.status_code == 200 and "90" in response.content.decode()  # not 100 %
    assert not Result.objects.exists()
    data["contribution_2"] = "30"
    data["patent_number"] = "ZL201710601862.4"
    response = client.post("/innovation/results/new/", data)
    assert response.status_code == 200 and not Result.objects.exists()  # bad check digit
    data["patent_number"] = "ZL201710601862.3"
    data["patent_status"] = "granted"
    response = client.post("/innovation/results/new/", data)
    assert response.status_code == 302
    result = Result.objects.get()
    assert result.status == "submitted" and result.patents.get().number == "ZL201710601862.3"
    assert [(m.worker, m.contribution) for m in result.members.all()] == [
        (team.workers[0], Decimal("70")),
        (team.workers[2], Decimal("30")),
    ]
    # another enterprise's employer: 404
    assert (
        client.get(f"/innovation/results/new/?employer={team.employer_b.code}").status_code == 404
    )


def test_flow_buttons(client: Any, world: Any, team: Any) -> None:
    result = make_result(team, actor=world.worker_a, submit=True)
    url = f"/innovation/results/{result.code}/"
    client.force_login(world.worker_a)
    assert "act-review" not in client.get(url).content.decode()
    assert client.post(url, {"act": "review", "decision": "adopt"}).status_code == 403
    client.force_login(team.hr)
    assert "act-review" in client.get(url).content.decode()
    response = client.post(url, {"act": "review", "decision": "reject", "reason": ""})
    assert response.status_code == 200  # reason missing: shown, not saved
    assert Result.objects.get().status == "submitted"
    assert client.post(url, {"act": "review", "decision": "adopt"}).status_code == 302
    assert client.post(url, {"act": "implement", "on": "2099-01-01"}).status_code == 302
    client.force_login(world.alice)
    assert client.post(url, {"act": "certify", "savings": "1000.00"}).status_code == 302
    assert Result.objects.get().status == "certified"


def test_public_showcase_without_login(client: Any, world: Any, team: Any) -> None:
    result = make_result(team, submit=True, publish_consent=True)
    services.result_review(actor=team.hr, result=result, adopted=True)
    hidden = make_result(team, title="不公开的成果", submit=True)
    services.result_review(actor=team.hr, result=hidden, adopted=True)
    client.logout()
    listing = client.get("/innovation/showcase/").content.decode()
    assert result.title in listing and hidden.title not in listing
    detail = client.get(f"/innovation/showcase/{result.code}/").content.decode()
    assert "李斌" in detail and team.employer.name in detail
    for private in (team.workers[0].citizen_id_masked, "50.00", team.workers[0].code):
        assert private not in detail
    assert client.get(f"/innovation/showcase/{hidden.code}/").status_code == 404
