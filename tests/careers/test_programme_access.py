"""Every worker-programme page and endpoint: anonymous → login/401, out of scope → 404 (never a hint),
in scope → the answer; the to-do counts in scope only."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook

from gongjiang.careers import programmes as svc
from gongjiang.careers.todos import programme_todos

from ..access_helpers import check_access
from . import programme_helpers
from .programme_helpers import Prog, run_to_enrolled

pytestmark = pytest.mark.django_db
prog = programme_helpers.prog
API = "/api/v1/careers/programmes"


def test_pages(client: Any, world: Any, prog: Prog) -> None:
    p = prog.programme
    r = check_access(client, url="/careers/programmes/", in_scope=world.alice, out_of_scope=None)
    assert p.title in r.content.decode()
    client.force_login(world.bob)
    assert p.title not in client.get("/careers/programmes/").content.decode()
    r = check_access(
        client, url=f"/careers/programmes/{p.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    assert "江苏开放大学" in r.content.decode()
    # the worker reads the programme and their own eligibility
    client.force_login(world.worker_a)
    page = client.get(f"/careers/programmes/{p.code}/").content.decode()
    assert 'id="apply-form"' in page
    r = check_access(
        client,
        url=f"/careers/programmes/{p.code}/apply/",
        method="post",
        data={"partner": prog.partner.code, "course": "机电"},
        in_scope=world.worker_a,
        out_of_scope=world.bob,
        ok=302,
    )
    a = p.applications.get()
    assert r["Location"] == f"/careers/programmes/applications/{a.code}/"
    check_access(
        client,
        url=f"/careers/programmes/applications/{a.code}/",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/careers/programmes/applications/{a.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/careers/programmes/applications/{a.code}/step/",
        method="post",
        data={"step": "select", "note": "好"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    a.refresh_from_db()
    assert a.status == "selected"
    check_access(
        client,
        url=f"/careers/programmes/{p.code}/manage/",
        method="post",
        data={"what": "places", "unit": world.enterprise_a.code, "places": "3"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert p.places.get(organization=world.enterprise_a).places == 3
    r = check_access(
        client,
        url=f"/careers/programmes/{p.code}/applications.xlsx",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = check_access(
        client,
        url=f"/careers/programmes/{p.code}/report/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert world.city_a.name in r.content.decode()
    r = check_access(
        client,
        url=f"/careers/programmes/{p.code}/report/?format=xlsx",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    check_access(
        client,
        url="/careers/programmes/new/",
        method="post",
        data={
            "organization": world.province_a.code,
            "title": "金蓝领",
            "kind": "gold_collar",
            "year": "2026",
            "budget": "1000",
        },
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )


def test_selected_list_upload_page(client: Any, world: Any, prog: Prog) -> None:
    a = svc.programme_apply(
        actor=world.enterprise_officer_a, programme=prog.programme, worker=prog.other
    )
    wb = Workbook()
    wb.active.append(["申请编号", "姓名", "结果"])
    wb.active.append([a.code, prog.other.name, "录取"])
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    data.name = "list.xlsx"
    client.force_login(world.alice)
    r = client.post(
        f"/careers/programmes/{prog.programme.code}/manage/", {"what": "import", "file": data}
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "selected"


def test_api(client: Any, world: Any, prog: Prog) -> None:
    p = prog.programme
    r = check_access(client, url=f"{API}", in_scope=world.alice, out_of_scope=None)
    assert [x["code"] for x in r.json()["items"]] == [p.code]
    client.force_login(world.bob)
    assert client.get(API).json()["count"] == 0
    r = check_access(client, url=f"{API}/{p.code}", in_scope=world.alice, out_of_scope=world.bob)
    assert (
        r.json()["places"][0]["unit"] == world.city_a.code
        and r.json()["fund_balance"] == "30000.00"
    )
    r = check_access(
        client,
        url=f"{API}/{p.code}/eligibility?worker={prog.other.code}",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["eligible"] is True
    r = check_access(
        client, url=f"{API}/{p.code}/eligibility", in_scope=world.worker_a, out_of_scope=world.bob
    )
    assert r.json()["eligible"] is True
    check_access(
        client,
        url=f"{API}/{p.code}/partners",
        method="post",
        data={"name": "南京工业职业技术大学", "kind": "vocational"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    check_access(
        client,
        url=f"{API}/{p.code}/places",
        method="post",
        data={"unit": world.city_a.code, "places": 20},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"{API}/{p.code}/budget",
        method="post",
        data={"amount": "100.01"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["fund_balance"] == "30100.01"
    r = check_access(
        client,
        url=f"{API}/{p.code}/applications",
        method="post",
        data={"worker": prog.other.code, "course": "电工"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    )
    code = r.json()["code"]
    r = check_access(
        client,
        url=f"{API}/{p.code}/applications",
        method="post",
        data={},
        in_scope=world.worker_a,
        out_of_scope=world.bob,
        ok=201,
    )
    mine = r.json()["code"]
    r = check_access(client, url=f"{API}/mine", in_scope=world.worker_a, out_of_scope=None)
    assert [x["code"] for x in r.json()["items"]] == [mine]
    r = check_access(
        client, url=f"{API}/{p.code}/applications", in_scope=world.alice, out_of_scope=world.bob
    )
    assert r.json()["count"] == 2
    check_access(
        client, url=f"{API}/applications/{code}", in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(
        client,
        url=f"{API}/applications/{mine}/withdraw",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/applications/{code}/select",
        method="post",
        data={"selected": True},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/applications/{code}/enrol",
        method="post",
        data={"enrolled_on": "2026-03-01", "student_number": "S1"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/applications/{code}/progress",
        method="post",
        data={"date": "2026-06-01", "title": "第一学期", "hours": "80"},
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    r = check_access(
        client,
        url=f"{API}/applications/{code}/complete",
        method="post",
        data={"outcome": "graduated", "completed_on": "2026-07-01"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["outcome_ref"]
    r = check_access(
        client,
        url=f"{API}/applications/{code}/subsidy",
        method="post",
        data={"reference": "V1"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["subsidy_paid"] == "3000.00"
    r = check_access(
        client, url=f"{API}/{p.code}/report", in_scope=world.alice, out_of_scope=world.bob
    )
    assert r.json() == [
        {
            "unit": world.city_a.name,
            "employment_type": "migrant",
            "applicants": 1,
            "participants": 1,
            "graduates": 1,
        }
    ]
    check_access(
        client,
        url=f"{API}/{p.code}/state",
        method="post",
        data={"state": "closed"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=API,
        method="post",
        data={
            "owner": world.province_a.code,
            "title": "农民工技能提升",
            "kind": "skill",
            "year": 2026,
            "budget": "5000",
        },
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    assert (
        r.json()["employment_types"] == ["migrant"]
        and r.json()["skill_level_max"] == "INTERMEDIATE"
    )


def test_api_drop_and_hostile_input(client: Any, world: Any, prog: Prog) -> None:
    a = run_to_enrolled(world, prog, prog.other)
    check_access(
        client,
        url=f"{API}/applications/{a.code}/drop",
        method="post",
        data={"note": "离职"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    client.force_login(world.alice)
    bad = client.post(
        f"{API}/{prog.programme.code}/places",
        {"unit": world.city_a.code, "places": 10**20},
        content_type="application/json",
    )
    assert bad.status_code == 422
    extra = client.post(
        f"{API}/{prog.programme.code}/budget", {"amount": "1.001"}, content_type="application/json"
    )
    assert extra.status_code == 422
    unknown = client.post(
        f"{API}/{prog.programme.code}/budget",
        {"amount": "1", "x": 1},
        content_type="application/json",
    )
    assert unknown.status_code == 422


def test_todos_count_in_scope_only(world: Any, prog: Prog) -> None:
    svc.programme_apply(
        actor=world.enterprise_officer_a, programme=prog.programme, worker=prog.other
    )
    assert [t.count for t in programme_todos(world.alice)] == [1]
    assert [t.count for t in programme_todos(world.bob)] == [0]
    assert programme_todos(world.worker_a) == []


def test_dates_are_not_in_the_future(world: Any, prog: Prog) -> None:
    from gongjiang.core.errors import ApplicationError

    a = svc.programme_apply(
        actor=world.enterprise_officer_a, programme=prog.programme, worker=prog.other
    )
    a = svc.programme_select(actor=world.alice, application=a, selected=True)
    with pytest.raises(ApplicationError):
        svc.programme_enrol(actor=world.alice, application=a, enrolled_on=dt.date(2100, 1, 1))
