"""A studio's yearly plan and report as PDF files: uploaded by its managers through the bounded
reader and the content check (a renamed file is refused, naming the field), replaced by a newer
upload, audited, shown on the studio page and linked from the assessment row; scoped (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.core.audit import AuditEvent
from gongjiang.core.errors import ApplicationError
from gongjiang.innovation import studio_files, studios
from gongjiang.innovation.models import StudioYear
from tests.access_helpers import check_access

from .test_studios import FULL, honour, propose

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "plan.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def studio(world: Any, team: Any) -> Any:
    honour(team.workers[0])
    return studios.studio_approve(actor=world.alice, studio=propose(world, team))


def test_upload_checks_replace_and_audit(world: Any, studio: Any) -> None:
    officer = world.enterprise_officer_a
    with pytest.raises(ApplicationError) as exc:
        studio_files.studio_year_file_add(
            actor=officer, studio=studio, year=2026, kind="plan", upload=pdf("p.pdf", b"MZ\x90")
        )
    assert exc.value.details[0]["field"] == "file"
    for bad in ({"year": 10**20}, {"year": "x"}, {"kind": "budget"}):
        fields = {"year": 2026, "kind": "plan", **bad}
        with pytest.raises(ApplicationError) as exc:
            studio_files.studio_year_file_add(actor=officer, studio=studio, upload=pdf(), **fields)
        assert exc.value.details[0]["field"] in ("year", "kind")
    assert not StudioYear.objects.exists()  # nothing half-written
    row = studio_files.studio_year_file_add(
        actor=officer, studio=studio, year=2026, kind="plan", upload=pdf()
    )
    first = row.plan_file.name
    row = studio_files.studio_year_file_add(
        actor=officer, studio=studio, year=2026, kind="plan", upload=pdf(data=PDF + b"%v2\n")
    )
    assert row.plan_file.name != first and not row.report_file
    with studio_files.studio_year_file_open(studio=studio, year=2026, kind="plan") as handle:
        assert handle.read().endswith(b"%v2\n")
    assert AuditEvent.objects.filter(action="innovation.studio_year_file").count() == 2
    # another province's officer may not upload (sees nothing: 404 on the page below)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from core.access
        studio_files.studio_year_file_add(
            actor=world.bob, studio=studio, year=2026, kind="report", upload=pdf()
        )


def test_pages_upload_show_link_and_scope(client: Any, world: Any, studio: Any) -> None:
    base = f"/innovation/studios/{studio.code}"
    client.force_login(world.enterprise_officer_a)
    r = client.post(f"{base}/files/", {"year": "2025", "kind": "report", "file": pdf("r.pdf")})
    assert r.status_code == 302
    r = client.post(
        f"{base}/files/",
        {"year": "2025", "kind": "plan", "file": pdf("p.pdf", b"GIF89a")},
        follow=True,
    )
    assert "PDF" in r.content.decode()  # the refusal names the file and the type
    studios.studio_assess(actor=world.alice, studio=studio, year=2025, scores=FULL, comment="好")
    page = client.get(f"{base}/").content.decode()
    link = f"{base}/files/2025/report.pdf"
    assert page.count(link) == 2  # the year's card and the assessment row
    assert f"{base}/files/2025/plan.pdf" not in page
    r = check_access(client, url=link, in_scope=world.alice, out_of_scope=world.bob)
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == PDF
    client.force_login(world.alice)
    assert client.get(f"{base}/files/2025/plan.pdf").status_code == 404
    assert client.get(f"{base}/files/2025/budget.pdf").status_code == 404
    # posting: out of scope 404; in scope a redirect (without a file: the message names it)
    check_access(
        client,
        url=f"{base}/files/",
        method="post",
        data={"year": "2026", "kind": "plan"},
        in_scope=world.enterprise_officer_a,
        out_of_scope=world.bob,
        ok=302,
    )
    assert not StudioYear.objects.filter(studio=studio, year=2026).exists()
    client.force_login(world.enterprise_officer_a)
    client.post(f"{base}/files/", {"year": "2026", "kind": "plan", "file": pdf()})
    assert StudioYear.objects.get(studio=studio, year=2026).plan_file


def test_api_list_upload_download_and_scope(client: Any, world: Any, studio: Any) -> None:
    base = f"/api/v1/innovation/studios/{studio.code}/files"
    officer = world.enterprise_officer_a
    # upload: anonymous 401, another province 404, in scope 201 (multipart, like the page)
    client.logout()
    assert client.post(base, {"year": 2025, "kind": "plan", "file": pdf()}).status_code == 401
    client.force_login(world.bob)
    assert client.post(base, {"year": 2025, "kind": "plan", "file": pdf()}).status_code == 404
    assert not StudioYear.objects.exists()
    client.force_login(officer)
    r = client.post(base, {"year": 2025, "kind": "plan", "file": pdf()})
    assert r.status_code == 201, r.content
    assert r.json() == {"year": 2025, "kind": "plan", "download": f"{base}/2025/plan"}
    # a worker of the studio's enterprise sees nothing of it: 404, and never uploads
    client.force_login(world.worker_a)
    assert client.post(base, {"year": 2025, "kind": "report", "file": pdf()}).status_code == 404
    listed = check_access(client, url=base, in_scope=world.alice, out_of_scope=world.bob)
    assert listed.json() == [{"year": 2025, "kind": "plan", "download": f"{base}/2025/plan"}]
    got = check_access(
        client, url=f"{base}/2025/plan", in_scope=world.alice, out_of_scope=world.bob
    )
    assert got["Content-Type"] == "application/pdf"
    assert "attachment" in got["Content-Disposition"]
    assert b"".join(got.streaming_content) == PDF
    client.force_login(world.alice)
    assert client.get(f"{base}/2025/report").status_code == 404  # not uploaded
    assert client.get(f"{base}/2026/plan").status_code == 404
    assert client.get(f"{base}/2025/budget").status_code == 422
    assert client.get(f"{base}/1999/plan").status_code == 422
    assert client.get("/api/v1/innovation/studios/nosuch/files").status_code == 404


HOSTILE = [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "file"),  # a renamed executable
    ("page.pdf", b"<html><script>alert(1)</script></html>", "file"),  # HTML claiming PDF
    ("photo.pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "file"),  # an image is not the PDF
    ("empty.pdf", b"", "file"),
]


@pytest.mark.parametrize(("name", "data", "field"), HOSTILE)
def test_api_hostile_uploads_refused_nothing_written(
    client: Any, world: Any, studio: Any, name: str, data: bytes, field: str
) -> None:
    base = f"/api/v1/innovation/studios/{studio.code}/files"
    client.force_login(world.enterprise_officer_a)
    r = client.post(base, {"year": 2025, "kind": "plan", "file": pdf(name, data)})
    assert r.status_code in (400, 422), r.content
    assert r.json()["details"][0]["field"] == field
    assert not StudioYear.objects.exists()


def test_api_bad_fields_oversize_and_traversal(
    client: Any, world: Any, studio: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = f"/api/v1/innovation/studios/{studio.code}/files"
    client.force_login(world.enterprise_officer_a)
    for bad in ({"year": 1999}, {"year": "x"}, {"kind": "budget"}, {"kind": "../plan"}):
        r = client.post(base, {"year": 2025, "kind": "plan", "file": pdf(), **bad})
        assert r.status_code == 422, (bad, r.content)
    assert client.post(base, {"year": 2025, "kind": "plan"}).status_code == 422  # no file
    big = PDF + b"0" * (studio_files.MAX_DOCUMENT_BYTES + 1)
    r = client.post(base, {"year": 2025, "kind": "plan", "file": pdf("big.pdf", big)})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "file"
    assert not StudioYear.objects.exists()
    # a file name that climbs out of the folder is not used: the stored name is the studio's own,
    # the stored bytes are encrypted (never the PDF in the clear on disk)
    r = client.post(base, {"year": 2025, "kind": "report", "file": pdf("../../../etc/passwd.pdf")})
    assert r.status_code == 201
    stored = StudioYear.objects.get(studio=studio, year=2025).report_file
    assert "passwd" not in stored.name and ".." not in stored.name
    assert studio.code in stored.name
    with open(stored.storage.path(stored.name), "rb") as raw_file:
        raw = raw_file.read()
    assert not raw.startswith(b"%PDF") and PDF not in raw
