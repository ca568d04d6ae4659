"""Honours pages and API: scoped access (anonymous / out of scope 404 / in scope) on every page and
endpoint, the htmx nomination answering the unit's list and its bars, documents, to-dos."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.careers import honours
from gongjiang.careers.models import HonourNomination
from gongjiang.core.todos import providers

from ..access_helpers import check_access
from .honours_helpers import end_notice, nominate, run_to_notice

pytestmark = pytest.mark.django_db

API = "/api/v1/careers/honours"


def test_pages_answer_in_scope_and_404_outside(client: Any, hon: Any, world: Any) -> None:
    n = nominate(hon, world, hon.workers["frontline"][0])
    code = hon.round.code
    for url in (f"/careers/honours/{code}/", f"/careers/honours/nominations/{n.code}/"):
        response = check_access(client, url=url, in_scope=hon.nominator, out_of_scope=world.bob)
        assert n.worker.name in response.content.decode()
    check_access(client, url="/careers/honours/", in_scope=hon.nominator, out_of_scope=None)
    client.force_login(world.bob)
    assert hon.round.title not in client.get("/careers/honours/").content.decode()
    assert client.get(f"{API}/rounds").json()["count"] == 0


def test_api_endpoints_are_scoped(client: Any, hon: Any, world: Any) -> None:
    code = hon.round.code
    w = hon.workers["frontline"]
    check_access(client, url=f"{API}/rounds/{code}", in_scope=hon.nominator, out_of_scope=world.bob)
    check_access(
        client,
        url=f"{API}/rounds/{code}/nominations",
        in_scope=hon.nominator,
        out_of_scope=world.bob,
    )
    response = check_access(
        client,
        url=f"{API}/rounds/{code}/nominations",
        method="post",
        data={"unit": world.enterprise_a.code, "worker": w[0].code, "deeds": "技术革新十项"},
        in_scope=hon.nominator,
        out_of_scope=world.bob,
        ok=201,
    )
    body = response.json()
    assert [x["worker"] for x in body["nominations"]] == [w[0].code]
    assert [(b["count"], b["total"], b["met"]) for b in body["composition"]] == [
        (1, 1, True),
        (0, 1, True),
    ]
    n = HonourNomination.objects.get(worker=w[0])
    check_access(
        client,
        url=f"{API}/nominations/{n.code}/withdraw",
        method="post",
        in_scope=hon.nominator,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/rounds/{code}/quotas",
        method="post",
        data={"unit": world.enterprise_a.code, "places": 3},
        in_scope=hon.organiser,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/rounds/{code}/rules",
        method="post",
        data={"rules": [{"categories": "leader", "bound": "max", "percent": 20}]},
        in_scope=hon.organiser,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/workers/{w[1].code}/records",
        method="post",
        data={"kind": "sanction", "date": "2025-01-01"},
        in_scope=hon.organiser,
        out_of_scope=world.bob,
        ok=201,
    )
    # a nomination of that worker is refused, naming the record
    client.force_login(hon.nominator)
    response = client.post(
        f"{API}/rounds/{code}/nominations",
        data=json.dumps({"unit": world.enterprise_a.code, "worker": w[1].code, "deeds": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["details"][0]["field"] == "records"
    # bounds: a share over 100 or an absurd integer is a 422, not a 500
    client.force_login(hon.organiser)
    for percent in (101, 10**20):
        response = client.post(
            f"{API}/rounds/{code}/rules",
            data=json.dumps(
                {"rules": [{"categories": "leader", "bound": "max", "percent": percent}]}
            ),
            content_type="application/json",
        )
        assert response.status_code == 422


def test_steps_and_approval_through_the_api(client: Any, hon: Any, world: Any) -> None:
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:2])
    after = end_notice(round_)
    url = f"{API}/rounds/{round_.code}/approve"
    client.force_login(world.bob)
    assert client.post(url, data="{}", content_type="application/json").status_code == 404
    client.force_login(hon.organiser)  # the organiser's own level: not the approver
    assert client.post(url, data="{}", content_type="application/json").status_code == 403
    honours.honour_round_approve(actor=hon.approver, round=round_, on=after)
    client.force_login(hon.approver)
    detail = client.get(f"{API}/rounds/{round_.code}").json()
    assert detail["state"] == "approved"


def test_htmx_nomination_redraws_the_unit_with_red_bars(client: Any, hon: Any, world: Any) -> None:
    client.force_login(hon.nominator)
    url = f"/careers/honours/{hon.round.code}/nominate/"
    leader = hon.workers["leader"][0]
    response = client.post(
        url,
        {"unit": world.enterprise_a.code, "worker": leader.code, "deeds": "带领团队攻关"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section class="card card-body mb-3 unit-list"')
    assert html.count("rule-broken") == 2  # 0 % frontline (< 70 %), 100 % leaders (> 15 %)
    # a failed nomination answers the same fragment with the reasons
    response = client.post(
        url,
        {"unit": world.enterprise_a.code, "worker": leader.code, "deeds": "再次推荐"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="nominate-error"' in response.content.decode()
    # out of scope: a unit not mine answers 404
    response = client.post(
        url,
        {"unit": world.enterprise_b.code, "worker": leader.code, "deeds": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404


def test_documents_are_scoped(client: Any, hon: Any, world: Any) -> None:
    n = nominate(hon, world, hon.workers["frontline"][0])
    client.force_login(hon.nominator)
    upload = SimpleUploadedFile("推荐表.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(f"/careers/honours/nominations/{n.code}/", {"title": "推荐表", "upload": upload})
    document = n.documents.get()
    url = f"/careers/honours/documents/{document.code}/"
    response = check_access(client, url=url, in_scope=hon.nominator, out_of_scope=world.bob)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    client.post(f"/careers/honours/nominations/{n.code}/", {"title": "程序", "upload": bad})
    assert n.documents.count() == 1


def test_todos(hon: Any, world: Any) -> None:
    todo = providers()["careers.honours"]
    # nothing to approve, nothing returned, one open
    assert [t.count for t in todo(hon.nominator)] == [0, 0, 1]
    assert [t.count for t in todo(world.bob)] == [0, 0, 0]
    round_ = run_to_notice(hon, world, hon.workers["frontline"][:1])
    assert round_.state == "notice"
    assert [t.count for t in todo(hon.approver)] == [1, 0, 0]
    assert [t.count for t in todo(world.bob)] == [0, 0, 0]


def test_the_score_sheet_is_saved_whole_or_not_at_all(client: Any, hon: Any, world: Any) -> None:
    """The panel member's score page: one refused score on the sheet saves none of it."""
    from gongjiang.core.review.services import panel_member_add

    n = nominate(hon, world, hon.workers["frontline"][0])
    honours.honour_review_open(actor=hon.organiser, round=hon.round)
    hon.round.refresh_from_db()
    panel_member_add(actor=hon.organiser, round=hon.round.review, user=hon.expert)
    n.refresh_from_db()
    first, *rest = list(hon.round.review.criteria.all())
    client.force_login(hon.expert)
    url = f"/careers/honours/{hon.round.code}/score/"
    sheet = {"nomination": n.code, f"c{first.pk}": "1"} | {f"c{c.pk}": "9999" for c in rest}
    client.post(url, sheet)
    assert n.review_item.scores.count() == 0
    client.post(url, {"nomination": n.code} | {f"c{c.pk}": "1" for c in [first, *rest]})
    assert n.review_item.scores.count() == 1 + len(rest)
