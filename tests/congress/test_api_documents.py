"""The clerk's records through the API and the pages: agenda documents, minutes, a delegate's
replacement with a reason, a passed vote's resolution — scoped like every endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongjiang.congress import services
from gongjiang.congress.models import AgendaDocument, Delegate, Resolution
from gongjiang.congress.models_affairs import AffairsNotice
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access
from .conftest import make_workers
from .test_documents import PDF, closed_vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _post_file(client: Client, url: str, name: str, content: bytes) -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def test_agenda_documents_api(client: Client, world: Any, congress: Any) -> None:
    officer = world.enterprise_officer_a
    item = services.agenda_add(
        actor=officer, session=congress.session, kind="regulation", title="劳动用工管理办法"
    )
    url = f"/api/v1/congress/agenda/{item.code}/documents"
    assert _post_file(client, url, "a.pdf", PDF).status_code == 401
    client.force_login(world.bob)
    assert _post_file(client, url, "a.pdf", PDF).status_code == 404
    client.force_login(congress.users[0])  # a delegate reads, never uploads
    assert _post_file(client, url, "a.pdf", PDF).status_code == 403
    client.force_login(officer)
    r = _post_file(client, url, "劳动用工管理办法（草案）.pdf", PDF)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "劳动用工管理办法（草案）.pdf" and body["size"] == len(PDF)
    # a renamed executable: the field and nothing written
    r = _post_file(client, url, "setup.pdf", b"MZ\x90\x00")
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "file"
    assert AgendaDocument.objects.count() == 1
    listed = check_access(client, url=url, in_scope=congress.users[0], out_of_scope=world.bob)
    assert [d["code"] for d in listed.json()] == [body["code"]]
    got = check_access(
        client, url=body["download"], in_scope=congress.users[0], out_of_scope=world.bob
    )
    assert b"".join(got.streaming_content) == PDF
    client.force_login(world.bob)
    assert client.get("/api/v1/congress/agenda/nosuch/documents").status_code == 404


def test_minutes_api_and_page(client: Client, world: Any, congress: Any) -> None:
    officer = world.enterprise_officer_a
    url = f"/api/v1/congress/sessions/{congress.session.code}/minutes"
    data = {"minutes": "应到代表30人，实到24人，符合法定人数。"}
    client.force_login(officer)
    r = client.put(url, data, content_type="application/json")
    assert r.status_code == 409  # not open yet: nothing to record
    services.session_set_status(actor=officer, session=congress.session, status="open")
    r = check_access(
        client, url=url, method="put", data=data, in_scope=officer, out_of_scope=world.bob
    )
    assert r.json()["minutes"] == data["minutes"]
    client.force_login(officer)
    r = client.put(url, {"minutes": "x" * 20001}, content_type="application/json")
    assert r.status_code == 422
    client.force_login(congress.users[0])
    assert client.put(url, data, content_type="application/json").status_code == 403
    # the page: the clerk corrects them, delegates read them
    page = f"/congress/sessions/{congress.session.code}/"
    check_access(
        client,
        url=f"/congress/sessions/{congress.session.code}/act/",
        method="post",
        data={"act": "minutes", "minutes": "会议记录（修订）"},
        in_scope=officer,
        out_of_scope=world.bob,
        ok=302,
    )
    congress.session.refresh_from_db()
    assert congress.session.minutes == "会议记录（修订）"
    client.force_login(congress.users[0])
    html = client.get(page).content.decode()
    assert "会议记录（修订）" in html and 'id="minutes-form"' not in html
    assert AuditEvent.objects.filter(action="congress.session_minutes").count() == 2


def test_delegate_replacement_api_and_page(client: Client, world: Any, congress: Any) -> None:
    officer = world.enterprise_officer_a
    newcomers = make_workers(world.enterprise_a, 2)
    old = congress.delegates[3]
    url = f"/api/v1/congress/delegates/{old.code}/replace"
    client.force_login(officer)
    # a missing reason and an unknown worker are refused on their fields, nothing written
    r = client.post(url, {"worker": newcomers[0].code}, content_type="application/json")
    assert r.status_code == 422
    r = client.post(url, {"worker": "nosuch", "reason": "调离"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "worker"
    assert Delegate.objects.filter(term=congress.term, active=True).count() == 30
    data = {"worker": newcomers[0].code, "reason": "调离本企业", "category": "technical"}
    r = check_access(
        client, url=url, method="post", data=data, in_scope=officer, out_of_scope=world.bob, ok=201
    )
    body = r.json()
    assert body["replaces"] == old.code and body["reason"] == "调离本企业"
    assert body["category"] == "technical"
    old.refresh_from_db()
    assert not old.active and old.replaced_by.code == body["code"]
    assert Delegate.objects.filter(term=congress.term, active=True).count() == 30
    client.force_login(officer)
    r = client.post(url, data, content_type="application/json")
    assert r.status_code == 409  # already replaced
    # the page: the term lists the form; a second replacement by the clerk
    other = congress.delegates[4]
    html = client.get(f"/congress/terms/{congress.term.code}/").content.decode()
    assert f"/congress/delegates/{other.code}/replace/" in html
    r = check_access(
        client,
        url=f"/congress/delegates/{other.code}/replace/",
        method="post",
        data={"worker": newcomers[1].code, "reason": "退休", "category": "worker"},
        in_scope=officer,
        out_of_scope=world.bob,
        ok=302,
    )
    other.refresh_from_db()
    assert other.replacement_reason == "退休" and other.replaced_by.worker == newcomers[1]
    html = client.get(f"/congress/terms/{congress.term.code}/").content.decode()
    assert "退休" in html


def test_resolution_api(client: Client, world: Any, congress: Any) -> None:
    vote = closed_vote(world, congress, n_for=16)
    url = f"/api/v1/congress/votes/{vote.code}/resolution"
    data = {"title": "关于《劳动用工管理办法》的决议", "text": "大会同意。"}
    client.force_login(congress.users[0])
    assert client.post(url, data, content_type="application/json").status_code == 403
    r = check_access(
        client,
        url=url,
        method="post",
        data=data,
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=201,
    )
    notice = AffairsNotice.objects.get(code=r.json()["notice"])
    assert notice.resolution == Resolution.objects.get(vote=vote)
    assert client.post(url, data, content_type="application/json").status_code == 409
    assert Resolution.objects.count() == 1


def test_a_failed_vote_has_no_resolution_by_api(client: Client, world: Any, congress: Any) -> None:
    vote = closed_vote(world, congress, n_for=15)  # 15 of 30: not more than half
    client.force_login(world.enterprise_officer_a)
    r = client.post(
        f"/api/v1/congress/votes/{vote.code}/resolution",
        {"text": "x"},
        content_type="application/json",
    )
    assert r.status_code in (400, 409)
    assert not Resolution.objects.exists() and not AffairsNotice.objects.exists()
