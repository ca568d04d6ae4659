"""Several documents of a claim at once: each file through the single document's checks, all or
nothing, the refusal naming each failing file; the bound on the number of files; page and API in
scope only (anonymous, out of scope 404 — by hand, as the bodies are multipart)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.careers import apprenticeship as svc
from gongjiang.careers.apprenticeship_claims import MAX_DOCUMENTS_AT_ONCE, missing_documents
from gongjiang.careers.models_apprentice import ApprenticeClaimDocument
from gongjiang.core.audit import AuditEvent
from gongjiang.core.errors import ApplicationError

from . import apprentice_helpers
from .apprentice_helpers import Appr, enrol

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr
PDF = b"%PDF-1.4 test"


def pdf(name: str, body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, "application/pdf")


@pytest.fixture
def claim(appr: Appr, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    enrol(appr, appr.me)
    return svc.apprentice_claim_create(actor=appr.hr, cohort=appr.cohort, year=2025)


def test_all_attached_at_once(appr: Appr, claim: Any) -> None:
    docs = svc.apprentice_claim_documents_add(
        actor=appr.hr,
        claim=claim,
        uploads=[
            ("agreement", pdf("协议.pdf")),
            ("contract", pdf("合同1.pdf")),
            ("contract", pdf("合同2.pdf")),
            ("plan", pdf("计划.pdf")),
            ("roster", SimpleUploadedFile("花名册.xlsx", b"PK\x03\x04x", "application/zip")),
        ],
    )
    assert [d.kind for d in docs] == ["agreement", "contract", "contract", "plan", "roster"]
    assert missing_documents(claim) == []
    assert AuditEvent.objects.filter(action="careers.apprentice_claim_document").count() == 5
    svc.apprentice_claim_submit(actor=appr.hr, claim=claim)


def test_all_or_nothing_and_each_bad_file_named(appr: Appr, claim: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_documents_add(
            actor=appr.hr,
            claim=claim,
            uploads=[
                ("agreement", pdf("协议.pdf")),
                ("contract", pdf("合同.exe")),
                ("plan", pdf("空.pdf", b"")),
                ("roster", pdf("花名册.pdf")),
            ],
        )
    assert exc.value.code == "invalid_upload"
    assert [d["file"] for d in exc.value.details] == ["合同.exe", "空.pdf"]
    assert "合同.exe" in exc.value.message and "空.pdf" in exc.value.message
    assert not ApprenticeClaimDocument.objects.filter(claim=claim).exists()


def test_unknown_kind_and_the_bound(appr: Appr, claim: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        svc.apprentice_claim_documents_add(
            actor=appr.hr, claim=claim, uploads=[("agreement", pdf("a.pdf")), ("x", pdf("b.pdf"))]
        )
    assert exc.value.details[0]["file"] == "b.pdf"
    many = [("agreement", pdf(f"{n}.pdf")) for n in range(MAX_DOCUMENTS_AT_ONCE + 1)]
    with pytest.raises(ApplicationError) as bound:
        svc.apprentice_claim_documents_add(actor=appr.hr, claim=claim, uploads=many)
    assert bound.value.details[0]["field"] == "upload" and "20" in bound.value.message
    with pytest.raises(ApplicationError):
        svc.apprentice_claim_documents_add(actor=appr.hr, claim=claim, uploads=[])
    exactly = [("agreement", pdf(f"{n}.pdf")) for n in range(MAX_DOCUMENTS_AT_ONCE)]
    assert (
        len(svc.apprentice_claim_documents_add(actor=appr.hr, claim=claim, uploads=exactly)) == 20
    )
    assert not ApprenticeClaimDocument.objects.exclude(kind="agreement").exists()


def test_page_and_api_in_scope(client: Any, world: Any, appr: Appr, claim: Any) -> None:
    page_url = f"/careers/apprenticeship/claims/{claim.code}/documents/"
    client.force_login(appr.hr)
    page = client.get(f"/careers/apprenticeship/claims/{claim.code}/").content.decode()
    assert 'id="documents-many"' in page and 'name="file_contract"' in page
    r = client.post(
        page_url, {"file_agreement": [pdf("协议.pdf")], "file_contract": [pdf("坏.txt")]}
    )
    assert r.status_code == 302
    shown = client.get(r["Location"]).content.decode()
    assert "坏.txt" in shown
    assert not ApprenticeClaimDocument.objects.filter(claim=claim).exists()
    client.force_login(world.bob)
    assert client.post(page_url, {"file_agreement": [pdf("a.pdf")]}).status_code == 404
    client.force_login(appr.hr)
    r = client.post(page_url, {"file_agreement": [pdf("协议.pdf")], "file_plan": [pdf("计划.pdf")]})
    assert r.status_code == 302
    assert ApprenticeClaimDocument.objects.filter(claim=claim).count() == 2
    # the API: one kind per file, in order
    url = f"/api/v1/careers/apprenticeship/claims/{claim.code}/documents/many?kind=contract&kind=roster"
    client.logout()
    assert client.post(url, {"files": [pdf("c.pdf"), pdf("r.pdf")]}).status_code == 401
    client.force_login(world.bob)
    assert client.post(url, {"files": [pdf("c.pdf"), pdf("r.pdf")]}).status_code == 404
    client.force_login(appr.hr)
    bad = client.post(url, {"files": [pdf("c.pdf"), pdf("r.doc", b"")]})
    assert bad.status_code == 422 and bad.json()["details"][0]["file"] == "r.doc"
    assert client.post(url, {"files": [pdf("c.pdf")]}).status_code == 400  # a kind without a file
    ok = client.post(url, {"files": [pdf("c.pdf"), pdf("r.pdf")]})
    assert ok.status_code == 201 and ok.json()["missing_documents"] == []
