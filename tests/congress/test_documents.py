"""Agenda documents as files (upload checks, encrypted storage, download in scope only) and
resolutions confirmed by the clerk, published at once as open affairs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongjiang.congress import services
from gongjiang.congress.models import AgendaDocument, Resolution
from gongjiang.congress.models_affairs import AffairsNotice
from gongjiang.core.models import AuditEvent

from .conftest import give_login

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def as_user(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(client: Client, item: Any, name: str, content: bytes) -> Any:
    return client.post(
        f"/congress/agenda/{item.code}/documents/",
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_agenda_documents(world: Any, congress: Any, tmp_path: Any) -> None:
    officer = world.enterprise_officer_a
    item = services.agenda_add(
        actor=officer, session=congress.session, kind="wage_plan", title="工资专项集体合同"
    )
    clerk = as_user(officer)
    r = upload(clerk, item, "工资专项集体合同（草案）.pdf", PDF)
    assert "alert-success" in r.content.decode()
    document = AgendaDocument.objects.get()
    assert document.name == "工资专项集体合同（草案）.pdf" and document.size == len(PDF)
    # stored encrypted at rest under an opaque name
    stored = list((tmp_path / "media").rglob("*.pdf"))
    assert len(stored) == 1 and document.code in stored[0].name
    assert PDF not in stored[0].read_bytes()
    assert AuditEvent.objects.filter(action="congress.agenda_document_add").count() == 1
    # the session page lists it; a delegate downloads it
    url = f"/congress/documents/{document.code}/"
    page = as_user(congress.users[0]).get(f"/congress/sessions/{congress.session.code}/")
    assert url in page.content.decode()
    got = as_user(congress.users[0]).get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert "filename*=UTF-8''" in got["Content-Disposition"]
    assert as_user(world.alice).get(url).status_code == 200  # the province above
    # out of scope: 404 like a missing one; anonymous: to the login
    for user in (world.bob, congress.committee_b, world.nobody):
        assert as_user(user).get(url).status_code == 404
    assert as_user(world.bob).get("/congress/documents/nosuchcode/").status_code == 404
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("setup.exe", b"MZ\x90\x00", "file"),
        ("方案.pdf", b"<html><script>alert(1)</script>", "content"),
        ("方案.docx", PDF, "content"),
        ("说明.txt", b"\x00\x01\x02binary", "content"),
        ("空.pdf", b"", "empty"),
    ],
)
def test_uploads_that_are_refused(
    world: Any, congress: Any, name: str, content: bytes, why: str
) -> None:
    item = services.agenda_add(
        actor=world.enterprise_officer_a, session=congress.session, kind="report", title="报告"
    )
    r = upload(as_user(world.enterprise_officer_a), item, name, content)
    assert "alert-danger" in r.content.decode() and "报告" in r.content.decode()
    assert not AgendaDocument.objects.exists()


def test_upload_size_and_who_may_upload(world: Any, congress: Any, settings: Any) -> None:
    item = services.agenda_add(
        actor=world.enterprise_officer_a, session=congress.session, kind="report", title="报告"
    )
    settings.MAX_UPLOAD_SIZE = 100
    r = upload(as_user(world.enterprise_officer_a), item, "大.pdf", PDF + b"x" * 200)
    assert "alert-danger" in r.content.decode() and not AgendaDocument.objects.exists()
    settings.MAX_UPLOAD_SIZE = 10 * 1024 * 1024
    # a delegate reads the session but does not upload; another province gets 404
    r = as_user(congress.users[0]).post(
        f"/congress/agenda/{item.code}/documents/", {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert r.status_code == 403
    r = as_user(world.bob).post(
        f"/congress/agenda/{item.code}/documents/", {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert r.status_code == 404
    assert not AgendaDocument.objects.exists()


def closed_vote(world: Any, congress: Any, n_for: int) -> Any:
    officer = world.enterprise_officer_a
    session = services.session_set_status(actor=officer, session=congress.session, status="open")
    users = congress.users + [give_login(d.worker) for d in congress.delegates[6:24]]
    for d in congress.delegates[:24]:
        services.sign_in(actor=officer, session=session, delegate=d)
    vote = services.vote_create(actor=officer, session=session, title="通过工资支付管理规定")
    services.vote_open(actor=officer, vote=vote)
    for i, user in enumerate(users[:24]):
        services.ballot_cast(actor=user, vote=vote, choice="for" if i < n_for else "against")
    return services.vote_close(actor=officer, vote=vote)


def test_a_passed_vote_is_confirmed_and_published(world: Any, congress: Any) -> None:
    vote = closed_vote(world, congress, n_for=16)  # 16 of 30 delegates: more than half
    clerk = as_user(world.enterprise_officer_a)
    page = clerk.get(f"/congress/sessions/{congress.session.code}/").content.decode()
    assert f"/congress/votes/{vote.code}/resolution/" in page
    r = clerk.post(
        f"/congress/votes/{vote.code}/resolution/",
        {"title": "关于《工资支付管理规定》的决议", "text": "大会同意《工资支付管理规定》。"},
        follow=True,
    )
    assert "alert-success" in r.content.decode()
    resolution = Resolution.objects.get(vote=vote)
    notice = AffairsNotice.objects.get(resolution=resolution)
    assert notice.kind == "resolution" and notice.organization == world.enterprise_a
    assert notice.published_at is not None
    assert "16" in notice.body and "30" in notice.body
    # the workers of the enterprise see it; another province does not
    assert notice.title in as_user(world.worker_a).get("/congress/notices/").content.decode()
    assert as_user(world.bob).get(f"/congress/notices/{notice.code}/").status_code == 404
    # once only
    r = clerk.post(f"/congress/votes/{vote.code}/resolution/", {"text": "再次"}, follow=True)
    assert "alert-danger" in r.content.decode()
    assert Resolution.objects.count() == 1 and AffairsNotice.objects.count() == 1
    # out of scope: 404; a delegate may not confirm
    assert (
        as_user(world.bob)
        .post(f"/congress/votes/{vote.code}/resolution/", {"text": "x"})
        .status_code
        == 404
    )
    r = as_user(congress.users[0]).post(f"/congress/votes/{vote.code}/resolution/", {"text": "x"})
    assert r.status_code == 403


def test_a_failed_vote_publishes_nothing(world: Any, congress: Any) -> None:
    vote = closed_vote(world, congress, n_for=15)  # 15 of 30: not more than half
    clerk = as_user(world.enterprise_officer_a)
    page = clerk.get(f"/congress/sessions/{congress.session.code}/").content.decode()
    assert f"/congress/votes/{vote.code}/resolution/" not in page
    r = clerk.post(f"/congress/votes/{vote.code}/resolution/", {"text": "决议"}, follow=True)
    assert "alert-danger" in r.content.decode()
    assert not Resolution.objects.exists() and not AffairsNotice.objects.exists()
