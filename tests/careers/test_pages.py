"""Pages: every page answers anonymous → login, out of scope → 404, in scope → 200; the flows."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongjiang.careers import services
from gongjiang.careers.models import BridgeApplication

from ..access_helpers import check_access

pytestmark = pytest.mark.django_db


def test_worker_career_page(client: Any, world: Any, careers: Any) -> None:
    url = reverse("careers:worker", args=[careers.welder.code])
    r = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b)
    html = r.content.decode()
    assert "技师" in html and 'data-target="assistant"' not in html  # next title: 中级 via 技师
    check_access(client, url=url, in_scope=world.worker_a, out_of_scope=world.bob)
    # my career: the logged-in worker's own record; a user without one gets 404
    r = check_access(
        client, url=reverse("careers:me"), in_scope=world.worker_a, out_of_scope=careers.hr_b
    )
    assert 'data-target="intermediate"' in r.content.decode()


def test_apply_and_decide_pages(client: Any, world: Any, careers: Any) -> None:
    url = reverse("careers:worker_apply", args=[careers.welder.code])
    r = check_access(
        client,
        url=url,
        method="post",
        ok=302,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data={"target": "intermediate"},
    )
    application = BridgeApplication.objects.get(worker=careers.welder)
    assert r["Location"] == reverse("careers:application", args=[application.code])
    detail = reverse("careers:application", args=[application.code])
    r = check_access(client, url=detail, in_scope=careers.hr_a, out_of_scope=careers.hr_b)
    assert 'id="waiting"' in r.content.decode() and 'id="approve"' not in r.content.decode()
    # the worker reads their own application
    check_access(client, url=detail, in_scope=world.worker_a, out_of_scope=world.bob)
    r = check_access(client, url=detail, in_scope=careers.hr_a2, out_of_scope=careers.hr_b)
    assert 'id="approve"' in r.content.decode()
    decide = reverse("careers:application_decide", args=[application.code])
    # the filer posting a decision anyway is refused
    client.force_login(careers.hr_a)
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    r = check_access(
        client,
        url=decide,
        method="post",
        ok=302,
        in_scope=careers.hr_a2,
        out_of_scope=careers.hr_b,
        data={"decision": "approve"},
    )
    application.refresh_from_db()
    assert application.status == "approved"


def test_home_and_table_pages(client: Any, world: Any, careers: Any) -> None:
    services.bridge_application_submit(
        actor=careers.hr_a, worker=careers.welder, target="intermediate"
    )
    r = check_access(client, url=reverse("careers:home"), in_scope=careers.hr_a2, out_of_scope=None)
    assert careers.welder.name in r.content.decode()
    client.force_login(careers.hr_b)
    assert careers.welder.name not in client.get(reverse("careers:home")).content.decode()
    r = client.get(reverse("careers:home"), {"q": careers.worker_b.name[:1]})
    assert careers.worker_b.name in r.content.decode()
    # a worker's desk is their own career page
    client.force_login(world.worker_a)
    assert client.get(reverse("careers:home"))["Location"] == reverse("careers:me")
    url = reverse("careers:table", args=[world.enterprise_a.code])
    r = check_access(client, url=url, in_scope=careers.hr_a, out_of_scope=careers.hr_b)
    html = r.content.decode()
    assert "人社部发〔2020〕96号" in html and "正科级" in html


def test_hr_records_a_title_on_the_page(client: Any, world: Any, careers: Any) -> None:
    url = reverse("careers:worker_title_add", args=[careers.engineer.code])
    data = {
        "field": "工程",
        "name": "工程师",
        "level": "intermediate",
        "date": "2021-06-01",
        "issuer": "江苏省人社厅",
    }
    check_access(
        client,
        url=url,
        method="post",
        ok=302,
        in_scope=careers.hr_a,
        out_of_scope=careers.hr_b,
        data=data,
    )
    html = client.get(reverse("careers:worker", args=[careers.engineer.code])).content.decode()
    assert "工程师" in html and "2021-06-01" in html
    # a union officer sees the page without the form and may not post it
    client.force_login(world.enterprise_officer_a)
    page = client.get(reverse("careers:worker", args=[careers.engineer.code])).content.decode()
    assert 'id="record-title"' not in page
    assert client.post(url, data).status_code == 403
    # a bad date is a message, not an error page
    client.force_login(careers.hr_a)
    r = client.post(url, {**data, "date": "yesterday"}, follow=True)
    assert "YYYY-MM-DD" in r.content.decode()
