"""Careers lists that were cut silently (issue #17) now page: the expert desk's calls, the
honours rounds, the programmes, "my apprentices" (page and API), a worker's management grades and
an enterprise's table versions on the API. Item N+1 is on page 2; nobody out of scope is counted."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjiang.careers import honours, services
from gongjiang.careers import programmes as prog_svc
from gongjiang.careers.grades import management_grade_record
from gongjiang.careers.models_apprentice import Apprentice

from . import apprentice_helpers
from .apprentice_helpers import END, START, Appr, trainee
from .experts_helpers import Experts, new_call

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr

API = "/api/v1/careers"


def _total(html: str) -> int:
    """The "(N in all)" of the page's pager."""
    m = re.search(r"共\s*(\d+)|\((\d+) in all\)", html)
    assert m, "no pager"
    return int(m.group(1) or m.group(2))


def test_expert_desk_calls_page(client: Any, world: Any, exp: Experts) -> None:
    for i in range(50):  # with the fixture's call: 51, one past a page
        new_call(exp.level, exp.organiser, year=2030 + i, title=f"召集Z{i:03}")
    client.force_login(exp.organiser)
    url = reverse("careers:experts")
    first = client.get(url).content.decode()
    second = client.get(url, {"calls": 2}).content.decode()
    calls = first[first.index('id="calls"') :]
    assert 'data-param="calls"' in calls and "calls=2" in calls
    assert first.count("/careers/experts/calls/") - second.count("/careers/experts/calls/") == 49
    # newest year first: the fixture's 2026 call is the 51st, on page 2 only
    assert exp.call.title in second and exp.call.title not in first
    assert "召集Z049" in first and "召集Z049" not in second
    # out of scope: none of them, and no count of them
    client.force_login(world.bob)
    page = client.get(url)
    assert page.status_code in (200, 302, 404)
    if page.status_code == 200:
        assert "召集Z" not in page.content.decode()


def test_honour_rounds_page(client: Any, world: Any) -> None:
    for i in range(51):
        honours.honour_round_create(
            actor=world.alice,
            organization=world.city_a,
            title=f"轮次R{i:03}",
            honour_title="南京市五一劳动奖章",
            honour_level="city",
            year=2026,
            places=5,
        )
    client.force_login(world.alice)
    url = reverse("careers:honours")
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    shown = {f"轮次R{i:03}" for i in range(51) if f"轮次R{i:03}" in first}
    later = {f"轮次R{i:03}" for i in range(51) if f"轮次R{i:03}" in second}
    assert len(shown) == 50 and len(later) == 1 and not shown & later
    assert _total(first) == 51
    client.force_login(world.bob)
    assert "轮次R" not in client.get(url).content.decode()


def test_programmes_page(client: Any, world: Any) -> None:
    for i in range(51):
        prog_svc.programme_create(
            actor=world.alice,
            organization=world.province_a,
            title=f"项目P{i:03}",
            kind="degree",
            degree="大专",
            year=2026,
            budget="1000",
        )
    client.force_login(world.alice)
    url = reverse("careers:programmes")
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    shown = {i for i in range(51) if f"项目P{i:03}" in first}
    later = {i for i in range(51) if f"项目P{i:03}" in second}
    assert len(shown) == 50 and len(later) == 1 and shown | later == set(range(51))
    assert _total(first) == 51
    client.force_login(world.bob)
    assert "项目P" not in client.get(url).content.decode()


def _mentored(appr: Appr, world: Any, n: int) -> None:
    Apprentice.objects.bulk_create(
        Apprentice(
            cohort=appr.cohort,
            worker=trainee(world.enterprise_a, 300 + i),
            origin="new_hire",
            signed_on=START,
            contract_months=36,
            starts_on=START,
            ends_on=END,
            mentor=appr.mentor,
            teacher_name="王老师",
        )
        for i in range(n)
    )


def test_my_apprentices_page_and_api(client: Any, world: Any, appr: Appr) -> None:
    _mentored(appr, world, 51)
    mine = Apprentice.objects.filter(mentor=appr.mentor)
    total = mine.count()
    assert total > 50
    client.force_login(appr.mentor_user)
    url = reverse("careers:apprentice_me")
    first = client.get(url).content.decode()
    second = client.get(url, {"mentored": 2}).content.decode()
    codes = set(mine.values_list("code", flat=True))
    on_first = {c for c in codes if f"/apprentices/{c}/" in first}
    on_second = {c for c in codes if f"/apprentices/{c}/" in second}
    assert len(on_first) == 50 and on_first | on_second == codes
    assert _total(first) == total and 'data-param="mentored"' in first
    r = client.get(f"{API}/apprenticeship/mine", {"page": 2, "page_size": 50}).json()
    assert r["mentored"]["count"] == total and r["mentored"]["page"] == 2
    assert {a["code"] for a in r["mentored"]["items"]} == on_second
    # someone else mentors nobody: nothing counted
    client.force_login(world.bob)
    assert client.get(f"{API}/apprenticeship/mine").json()["mentored"]["count"] == 0


def test_grades_and_table_versions_page_on_the_api(client: Any, world: Any, careers: Any) -> None:
    for n, (grade, since) in enumerate(
        [
            ("副科级", dt.date(2018, 1, 1)),
            ("正科级", dt.date(2020, 1, 1)),
            ("副处级", dt.date(2023, 1, 1)),
        ]
    ):
        management_grade_record(
            actor=careers.hr_a,
            worker=careers.engineer,
            grade=grade,
            since=since,
            document=f"人字〔{2018 + n}〕1号",
        )
    client.force_login(careers.hr_a)
    base = f"{API}/workers/{careers.engineer.code}/management-grades"
    page2 = client.get(base, {"page": 2, "page_size": 2}).json()
    assert page2["count"] == 3 and [g["grade"] for g in page2["items"]] == ["副科级"]
    first = client.get(base, {"page_size": 2}).json()
    assert [g["grade"] for g in first["items"]] == ["副处级", "正科级"]
    client.force_login(careers.hr_b)
    assert client.get(base).status_code == 404  # out of scope: no count
    today = timezone.localdate()
    for days in (1, 2, 3):
        services.career_table_create(
            actor=careers.hr_a,
            organization=world.enterprise_a,
            effective_from=today + dt.timedelta(days=days),
        )
    client.force_login(careers.hr_a)
    url = f"{API}/enterprises/{world.enterprise_a.code}/table/versions"
    page2 = client.get(url, {"page": 2, "page_size": 2}).json()
    assert page2["count"] == 3 and len(page2["items"]) == 1
    client.force_login(careers.hr_b)
    assert client.get(url).status_code == 404
