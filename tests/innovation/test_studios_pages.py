"""Studio and alliance pages and API: scoped access on every page and endpoint (anonymous, out of
scope 404, in scope), proposing, naming and assessing through the pages, bad input at its field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from gongjiang.innovation import studios
from gongjiang.innovation.models import Studio, StudioAssessment
from tests.access_helpers import check_access

from .test_studios import FULL, honour, named

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_pages_scoped_and_flow(client: Any, world: Any, team: Any) -> None:
    honour(team.workers[0])
    # propose through the page: an unqualified leader is refused at the field, nothing written
    client.force_login(world.enterprise_officer_a)
    form = {
        "organization": world.enterprise_a.pk,
        "name": "王芳创新工作室",
        "level": "enterprise",
        "leader": team.workers[1].code,
        "funding": "1000",
    }
    r = client.post(reverse("innovation:studio_create"), form)
    assert r.status_code == 200 and "王芳" in r.text and not Studio.objects.exists()
    form["leader"] = team.workers[0].code
    form["level"] = "provincial"
    r = client.post(reverse("innovation:studio_create"), form)
    assert r.status_code == 302
    studio = Studio.objects.get()
    url = reverse("innovation:studio_detail", args=[studio.code])
    for page in (url,):
        check_access(client, url=page, in_scope=world.alice, out_of_scope=world.bob)
    for page in (reverse("innovation:studio_list"), reverse("innovation:alliance_list")):
        check_access(client, url=page, in_scope=world.alice, out_of_scope=None)
    client.force_login(world.bob)
    assert studio.name not in client.get(reverse("innovation:studio_list")).text
    # the proposer cannot approve; alice (the province) can
    client.force_login(world.enterprise_officer_a)
    client.post(url, {"act": "approve"})
    assert Studio.objects.get().status == "proposed"
    client.force_login(world.alice)
    assert "approve-studio" in client.get(url).text
    client.post(url, {"act": "approve"})
    assert Studio.objects.get().status == "named"
    # assessment through the page; a score above its maximum is refused at the field
    data = {"act": "assess", "year": "2025", **{f"score_{k}": v for k, v in FULL.items()}}
    r = client.post(url, {**data, "score_results": "31"})
    assert r.status_code == 200 and not StudioAssessment.objects.exists()
    r = client.post(url, {**data, "score_results": "10"})
    assert StudioAssessment.objects.get().outcome == "pass"  # 80
    # alliance pages
    alliance = studios.alliance_create(
        actor=world.alice, organization=world.province_a, name="联盟", studios=[studio]
    )
    check_access(
        client,
        url=reverse("innovation:alliance_detail", args=[alliance.code]),
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    # a phone-width page render has the card tables
    assert "gj-cards" in client.get(reverse("innovation:studio_list")).text


def test_api_scoped(client: Any, world: Any, team: Any) -> None:
    honour(team.workers[0])
    base = "/api/v1/innovation"
    created = check_access(
        client,
        url=f"{base}/studios",
        method="post",
        data={
            "organization": world.enterprise_a.code,
            "name": "李斌劳模创新工作室",
            "level": "provincial",
            "leader": team.workers[0].code,
            "members": [team.workers[1].code],
        },
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    ).json()
    code = created["code"]
    assert created["status"] == "proposed" and len(created["members"]) == 2
    check_access(client, url=f"{base}/studios/{code}", in_scope=world.alice, out_of_scope=world.bob)
    check_access(
        client,
        url=f"{base}/studios/{code}/approve",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assessed = check_access(
        client,
        url=f"{base}/studios/{code}/assessments",
        method="post",
        data={"year": 2025, "scores": {**FULL, "results": 0}},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    ).json()
    assert assessed["outcome"] == "pass" and assessed["score"] == "70.00"
    check_access(
        client,
        url=f"{base}/studios/{code}/rename",
        method="post",
        data={"new_name": "李斌技能大师工作室"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    )
    check_access(
        client,
        url=f"{base}/studios/{code}/mentoring",
        method="post",
        data={
            "mentor": team.workers[0].code,
            "mentee": team.workers[2].code,
            "started_on": "2025-03-01",
        },
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    )
    alliance = check_access(
        client,
        url=f"{base}/alliances",
        method="post",
        data={"organization": world.province_a.code, "name": "联盟", "studios": [code]},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    ).json()
    check_access(
        client,
        url=f"{base}/alliances/{alliance['code']}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    # a joint project needs two member studios (refused, naming the field)
    client.force_login(world.alice)
    r = post(
        client,
        f"{base}/alliances/{alliance['code']}/projects",
        {"title": "攻关", "studios": [code, code]},
    )
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "studios"
    client.force_login(world.bob)
    r = post(
        client,
        f"{base}/alliances/{alliance['code']}/projects",
        {"title": "攻关", "studios": [code, code]},
    )
    assert r.status_code == 404
    for url in (f"{base}/studios", f"{base}/alliances", f"{base}/studio-dashboard"):
        check_access(client, url=url, in_scope=world.alice, out_of_scope=None)
        client.force_login(world.bob)
        assert code not in client.get(url).text
    client.force_login(world.alice)
    board = client.get(f"{base}/studio-dashboard").json()
    assert {x["level"]: x["n"] for x in board["by_level"]}["provincial"] == 1
    # bounded input: an integer of 10^20 is refused
    r = post(client, f"{base}/studios/{code}/assessments", {"year": 10**20, "scores": FULL})
    assert r.status_code in (400, 422), r.content


def test_two_fails_page_shows_marked(client: Any, world: Any, team: Any) -> None:
    honour(team.workers[0])
    studio = named(world, team)
    for year in (2024, 2025):
        studios.studio_assess(
            actor=world.alice, studio=studio, year=year, scores={**FULL, "results": 0, "talent": 5}
        )
    client.force_login(world.alice)
    page = client.get(reverse("innovation:studio_detail", args=[studio.code])).text
    assert str(Studio.Status.MARKED.label) in page


def test_dashboard_chart_is_inline_svg_with_its_table(client: Any, world: Any, team: Any) -> None:
    """The studios' yearly results, awards and savings as a server-drawn SVG (title and desc, no
    script) next to the table with the same figures; scoped like the dashboard."""
    import datetime as dt
    from decimal import Decimal

    from gongjiang.innovation.models import Result

    from .conftest import make_result

    honour(team.workers[0])
    studio = named(world, team)
    result = make_result(team, title="<script>alert(1)</script>焊缝跟踪")
    Result.objects.filter(pk=result.pk).update(
        completed_on=dt.date(2024, 5, 1), savings=Decimal("12345.60"), status="adopted"
    )
    studio.results.add(result)
    client.force_login(world.alice)
    html = client.get(reverse("innovation:studio_list")).text
    chart = html[html.index('id="studio-charts"') : html.index('id="studio-yearly"')]
    assert chart.count("<svg") == 2 and 'role="img"' in chart
    assert "<title id=" in chart and "<desc id=" in chart and "<script" not in chart
    assert "2024" in chart and "12345.60" in chart  # the desc names the figures
    table = html[html.index('id="studio-yearly"') :]
    assert "2024" in table and "12345.60" in table
    client.force_login(world.bob)  # another province: no studio, no chart, no figures
    html = client.get(reverse("innovation:studio_list")).text
    assert "studio-charts" not in html and "12345.60" not in html


def test_bar_chart_escapes_and_scales() -> None:
    from gongjiang.core.charts import bar_chart_svg

    svg = str(
        bar_chart_svg(
            title="<b>t</b>",
            desc='"d"',
            labels=["<x>", "2025"],
            series=[("a&b", [0, 7]), ("c", [3, 0])],
        )
    )
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&lt;x&gt;" in svg and "a&amp;b" in svg
    assert 'viewBox="0 0 640 240"' in svg and 'width="100%"' in svg
    assert svg.count("<rect") == 4 + 2  # bars and the legend's keys
    empty = str(bar_chart_svg(title="t", desc="d", labels=[], series=[]))
    assert empty.startswith("<svg") and "<rect" not in empty
