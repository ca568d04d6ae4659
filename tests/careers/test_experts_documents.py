"""Documents of expert-level applications: the applicant (the worker on the phone, or HR for them)
attaches and removes them while the application is not yet reviewed; cadres in scope, the worker
and the call's reviewers download them; everyone else gets 404. Hostile files are refused with the
field named and nothing stored; a call's required kinds hold the review and are named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.careers import experts
from gongjiang.careers import experts_documents as D
from gongjiang.careers.models_experts import ExpertApplicationDocument
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.core.review.services import panel_member_add

from ..access_helpers import check_access
from ..factories import UserFactory
from .experts_helpers import Experts, apply, new_call

pytestmark = pytest.mark.django_db
BASE = "/careers/experts"
API = "/api/v1/careers/experts"
PDF = b"%PDF-1.4 test document"


def _pdf(name: str = "申报表.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/pdf")


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_attach_remove_and_audit(exp: Experts, media: Path) -> None:
    a = apply(exp, exp.workers[0])
    d = D.expert_document_add(actor=exp.organiser, application=a, kind="form", upload=_pdf())
    assert d.title == "申报表" and d.name == "申报表.pdf" and d.size == len(PDF)
    assert d.upload.name.endswith(f"{d.code}.pdf")  # opaque stored name
    raw = _stored(media)[0].read_bytes()
    assert not raw.startswith(b"%PDF")  # encrypted at rest
    assert d.upload.open("rb").read() == PDF
    add = AuditEvent.objects.get(action="careers.expert_document_add")
    assert add.details["document"] == d.code and add.details["kind"] == "form"
    D.expert_document_remove(actor=exp.organiser, document=d)
    assert not ExpertApplicationDocument.objects.exists()
    assert AuditEvent.objects.filter(action="careers.expert_document_remove").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "field", "code"),
    [
        ("run.exe", b"MZ\x90\x00", "file", "invalid_upload"),  # wrong type
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "file", "invalid_upload"),  # content ≠ type
        ("..\\..\\etc\\x.pdf", PDF, "file", "invalid_upload"),  # a path in the name
        ("a..pdf", PDF, "file", "invalid_upload"),
        ("=cmd()|x.pdf", PDF, "file", "invalid_upload"),  # a formula
        ("@SUM(1).pdf", PDF, "file", "invalid_upload"),
        ("empty.pdf", b"", "file", "invalid_upload"),
    ],
)
def test_hostile_files_refused(
    exp: Experts, media: Path, name: str, data: bytes, field: str, code: str
) -> None:
    a = apply(exp, exp.workers[0])
    with pytest.raises(ApplicationError) as exc:
        D.expert_document_add(
            actor=exp.organiser, application=a, kind="form", upload=_pdf(name, data)
        )
    assert exc.value.code == code and exc.value.details[0]["field"] == field
    assert not ExpertApplicationDocument.objects.exists() and _stored(media) == []
    assert not AuditEvent.objects.filter(action="careers.expert_document_add").exists()


def test_oversize_kind_and_title_refused(exp: Experts, media: Path, settings: Any) -> None:
    a = apply(exp, exp.workers[0])
    big = _pdf("big.pdf", PDF + b"0" * (D.MAX_BYTES))
    with pytest.raises(ApplicationError) as exc:
        D.expert_document_add(actor=exp.organiser, application=a, kind="form", upload=big)
    assert exc.value.details[0]["field"] == "file" and exc.value.code == "too_large"
    with pytest.raises(ApplicationError) as exc:
        D.expert_document_add(actor=exp.organiser, application=a, kind="nope", upload=_pdf())
    assert exc.value.details[0]["field"] == "kind"
    with pytest.raises(ApplicationError) as exc:
        D.expert_document_add(
            actor=exp.organiser, application=a, kind="form", title="长" * 101, upload=_pdf()
        )
    assert exc.value.details[0]["field"] == "title"
    assert not ExpertApplicationDocument.objects.exists() and _stored(media) == []


def test_who_may_attach_and_when(exp: Experts, world: Any, careers: Any, media: Path) -> None:
    a = apply(exp, careers.welder, actor=world.worker_a)  # the worker applies themself
    D.expert_document_add(actor=world.worker_a, application=a, kind="form", upload=_pdf())
    D.expert_document_add(actor=exp.organiser, application=a, kind="other", upload=_pdf())
    for outsider in (careers.hr_b, world.bob, UserFactory(username="stranger")):
        with pytest.raises(PermissionDenied):
            D.expert_document_add(actor=outsider, application=a, kind="form", upload=_pdf())
    # once the review is open the documents are fixed
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    a.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        D.expert_document_add(actor=world.worker_a, application=a, kind="form", upload=_pdf())
    assert exc.value.code == "wrong_stage"
    with pytest.raises(ApplicationError):
        D.expert_document_remove(actor=world.worker_a, document=a.documents.first())
    assert a.documents.count() == 2


def test_required_kinds_named_and_hold_the_review(exp: Experts, world: Any, media: Path) -> None:
    level2 = exp.level
    call = new_call(level2, exp.organiser, year=2027, required_documents=["form", "certificate"])
    assert call.required_documents == "form,certificate"
    with pytest.raises(ApplicationError) as exc:
        new_call(level2, exp.organiser, year=2028, required_documents=["form", "bogus"])
    assert exc.value.details[0]["field"] == "required_documents"
    a = experts.expert_apply(
        actor=exp.organiser, call=call, worker=exp.workers[0], statement="带徒十名"
    )
    D.expert_document_add(actor=exp.organiser, application=a, kind="form", upload=_pdf())
    assert D.missing(a) == ["certificate"]
    assert [c["met"] for c in D.conditions(a)] == [True, False]
    with pytest.raises(ApplicationError) as exc:
        experts.expert_review_open(actor=exp.organiser, call=call)
    assert exc.value.code == "documents_missing"
    assert "职业技能等级证书" in exc.value.message and exp.workers[0].name in exc.value.message
    D.expert_document_add(
        actor=exp.organiser,
        application=a,
        kind="certificate",
        upload=_pdf("证书.jpg", b"\xff\xd8\xff\xe0x"),
    )
    experts.expert_review_open(actor=exp.organiser, call=call)


def test_pages_scope_and_download(
    client: Any, exp: Experts, world: Any, careers: Any, media: Path
) -> None:
    a = apply(exp, careers.welder, actor=world.worker_a)
    url = f"{BASE}/applications/{a.code}/"
    # the worker's phone page links to the application; the page takes the upload
    client.force_login(world.worker_a)
    assert url in client.get(f"{BASE}/me/").content.decode()
    r = client.post(url, {"step": "document", "kind": "form", "title": "", "file": _pdf()})
    assert r.status_code == 302
    document = a.documents.get()
    # a hostile upload through the page: refused with the field named, nothing stored
    r = client.post(
        url, {"step": "document", "kind": "form", "file": _pdf("=HYPERLINK(1).pdf")}, follow=True
    )
    assert "文件：" in r.content.decode() and a.documents.count() == 1
    r = client.post(
        url, {"step": "document", "kind": "form", "title": "长" * 101, "file": _pdf()}, follow=True
    )
    assert "标题：" in r.content.decode() and a.documents.count() == 1
    # HR in scope sees the page (with the document); out of scope: 404
    r = check_access(client, url=url, in_scope=exp.organiser, out_of_scope=careers.hr_b)
    assert document.title in r.content.decode()
    dl = f"{BASE}/documents/{document.code}/"
    r = check_access(client, url=dl, in_scope=exp.organiser, out_of_scope=careers.hr_b)
    assert b"".join(r.streaming_content) == PDF
    opened = AuditEvent.objects.filter(action="careers.expert_document_open").count()
    assert opened == 1
    # the worker downloads their own; another worker gets 404
    client.force_login(world.worker_a)
    assert client.get(dl).status_code == 200
    client.force_login(world.nobody)
    assert client.get(dl).status_code == 404 and client.get(url).status_code == 404
    # a reviewer of the call downloads once on the panel; before that 404
    client.force_login(exp.reviewer)
    assert client.get(dl).status_code == 404
    experts.expert_review_open(actor=exp.organiser, call=exp.call)
    exp.call.refresh_from_db()
    panel_member_add(actor=exp.organiser, round=exp.call.review, user=exp.reviewer)
    assert client.get(dl).status_code == 200
    assert dl in client.get(f"{BASE}/calls/{exp.call.code}/").content.decode()
    # removal through the page by the worker (before review only: now refused, kept)
    client.force_login(world.worker_a)
    client.post(url, {"step": "remove", "document": document.code})
    assert a.documents.count() == 1


def test_page_removal(client: Any, exp: Experts, world: Any, careers: Any, media: Path) -> None:
    a = apply(exp, careers.welder, actor=world.worker_a)
    d = D.expert_document_add(actor=world.worker_a, application=a, kind="form", upload=_pdf())
    client.force_login(careers.hr_b)
    url = f"{BASE}/applications/{a.code}/"
    assert client.post(url, {"step": "remove", "document": d.code}).status_code == 404
    client.force_login(world.worker_a)
    assert client.post(url, {"step": "remove", "document": d.code}).status_code == 302
    assert not a.documents.exists()
    assert AuditEvent.objects.filter(action="careers.expert_document_remove").exists()


def test_api(client: Any, exp: Experts, world: Any, careers: Any, media: Path) -> None:
    a = apply(exp, exp.workers[0])
    add = f"{API}/applications/{a.code}/documents?kind=achievements&title=业绩"
    client.logout()
    assert client.post(add, {"file": _pdf()}).status_code == 401
    client.force_login(careers.hr_b)
    assert client.post(add, {"file": _pdf()}).status_code == 404
    client.force_login(exp.organiser)
    r = client.post(add, {"file": _pdf()})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["documents"][0]["kind"] == "achievements" and body["missing_documents"] == []
    code = body["documents"][0]["code"]
    # bounds: an unknown kind or a long title is 422; a hostile name names the field
    assert (
        client.post(f"{API}/applications/{a.code}/documents?kind=x", {"file": _pdf()}).status_code
        == 422
    )
    long_title = f"{API}/applications/{a.code}/documents?kind=form&title={'长' * 101}"
    assert client.post(long_title, {"file": _pdf()}).status_code == 422
    r = client.post(f"{API}/applications/{a.code}/documents?kind=form", {"file": _pdf("+x.pdf")})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "file"
    check_access(
        client, url=f"{API}/documents/{code}", in_scope=exp.organiser, out_of_scope=careers.hr_b
    )
    r = check_access(
        client,
        url=f"{API}/documents/{code}/remove",
        method="post",
        in_scope=exp.organiser,
        out_of_scope=careers.hr_b,
    )
    assert r.json()["documents"] == []
    # a call's required kinds through the API
    r = client.post(
        f"{API}/calls",
        {
            "level": exp.level.code,
            "year": 2029,
            "closes_on": (dt.date.today() + dt.timedelta(days=9)).isoformat(),
            "required_documents": ["form", "mentoring"],
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["required_documents"] == ["form", "mentoring"]
    r = client.post(
        f"{API}/calls",
        {
            "level": exp.level.code,
            "year": 2030,
            "closes_on": (dt.date.today() + dt.timedelta(days=9)).isoformat(),
            "required_documents": ["bogus"],
        },
        content_type="application/json",
    )
    assert r.status_code == 422
