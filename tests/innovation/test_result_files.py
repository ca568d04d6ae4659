"""Documents and photos of results: the upload checks (type by content, size, pixels, count),
metadata stripped from photos, scoped access, and the showcase showing files only of consented,
adopted results (documents only when marked public)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongjiang.core.actors import SYSTEM
from gongjiang.core.errors import ApplicationError
from gongjiang.innovation import result_files, services
from gongjiang.innovation.models import ResultFile
from tests.access_helpers import check_access

from .conftest import make_result

pytestmark = pytest.mark.django_db


def jpeg(exif: bool = True, size: tuple[int, int] = (40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x013B] = "李斌"  # Artist
        data[0x010F] = "PhoneMaker"
        kwargs["exif"] = data.tobytes()
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(data: bytes, name: str = "x.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def add(actor: Any, result: Any, kind: str, data: bytes, **extra: Any) -> ResultFile:
    return result_files.result_file_add(
        actor=actor,
        result=result,
        kind=kind,
        title=extra.pop("title", "照片"),
        upload=upload(data),
        **extra,
    )


def adopt(result: Any, hr: Any) -> None:
    services.result_submit(actor=SYSTEM, result=result)
    services.result_review(actor=hr, result=result, adopted=True, reason="")


def test_photo_reencoded_without_metadata(world: Any, team: Any) -> None:
    result = make_result(team, actor=world.worker_a)
    raw = jpeg()
    assert b"PhoneMaker" in raw
    item = add(world.worker_a, result, "photo", raw)
    stored = item.file.open("rb").read()
    assert stored.startswith(b"\xff\xd8\xff") and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 30) and not image.getexif()
    assert item.content_type == "image/jpeg" and item.public
    # encrypted at rest: the bytes on disk are not the JPEG
    with open(item.file.path, "rb") as raw_disk:
        assert not raw_disk.read(3).startswith(b"\xff\xd8\xff")
    assert add(world.worker_a, result, "photo", png()).content_type == "image/png"


@pytest.mark.parametrize(
    ("kind", "data", "code"),
    [
        ("photo", b"GIF89a" + b"\0" * 100, "invalid_image"),
        ("photo", b"\xff\xd8\xff" + b"not really a jpeg", "invalid_image"),
        ("photo", b"<svg onload=alert(1)>", "invalid_image"),
        ("photo", PDF, "invalid_image"),
        ("document", b"MZ\x90\x00 an executable", "invalid_document"),
        ("document", jpeg(), "invalid_document"),
        ("other", PDF, "invalid"),
    ],
)
def test_refused_types(world: Any, team: Any, kind: str, data: bytes, code: str) -> None:
    result = make_result(team, actor=world.worker_a)
    with pytest.raises(ApplicationError) as exc:
        add(world.worker_a, result, kind, data)
    assert exc.value.code == code
    assert ResultFile.objects.count() == 0


def test_size_pixels_count_and_title_bounds(world: Any, team: Any, monkeypatch: Any) -> None:
    result = make_result(team, actor=world.worker_a)
    monkeypatch.setattr(result_files, "MAX_PHOTO_BYTES", 100)
    with pytest.raises(ApplicationError) as exc:
        add(world.worker_a, result, "photo", jpeg())
    assert exc.value.code == "too_large" and exc.value.details[0]["field"] == "file"
    monkeypatch.setattr(result_files, "MAX_PHOTO_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(result_files, "MAX_PIXELS", 100)
    with pytest.raises(ApplicationError) as exc:
        add(world.worker_a, result, "photo", jpeg())
    assert exc.value.code == "too_many_pixels"
    with pytest.raises(ApplicationError) as exc:
        add(world.worker_a, result, "document", PDF, title="x" * 101)
    assert exc.value.details[0]["field"] == "title"
    monkeypatch.setattr(result_files, "MAX_FILES", 2)
    add(world.worker_a, result, "document", PDF)
    add(world.worker_a, result, "document", PDF)
    with pytest.raises(ApplicationError) as exc:
        add(world.worker_a, result, "document", PDF)
    assert exc.value.code == "too_many_files"


def test_who_may_add(world: Any, team: Any) -> None:
    from django.core.exceptions import PermissionDenied

    result = make_result(team, actor=world.worker_a)
    for user in (world.bob, world.nobody):
        with pytest.raises(PermissionDenied):
            add(user, result, "document", PDF)
    assert add(team.hr, result, "document", PDF).uploaded_by == team.hr


def test_pages_scoped(client: Any, world: Any, team: Any) -> None:
    result = make_result(team, actor=world.worker_a)
    url = f"/innovation/results/{result.code}/files/"

    def data() -> dict[str, Any]:
        return {"kind": "document", "title": "图纸", "file": upload(PDF, "a.pdf"), "public": "on"}

    client.logout()
    assert client.post(url, data())["Location"].startswith("/login/")
    client.force_login(world.bob)
    assert client.post(url, data()).status_code == 404
    client.force_login(world.worker_a)
    assert client.post(url, data()).status_code == 302
    item = ResultFile.objects.get()
    assert item.public and item.title == "图纸"
    response = check_access(
        client,
        url=f"/innovation/results/{result.code}/files/{item.code}/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    page = client.get(f"/innovation/results/{result.code}/").content.decode()
    assert item.code in page
    check_access(
        client,
        url=f"/innovation/results/{result.code}/files/{item.code}/remove/",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
        ok=302,
    )
    assert not ResultFile.objects.exists()


def test_showcase_only_consented_adopted_and_public(client: Any, world: Any, team: Any) -> None:
    shown = make_result(team, actor=world.worker_a, publish_consent=True)
    hidden = make_result(team, actor=world.worker_a, publish_consent=False, title="不公开")
    photo = add(world.worker_a, shown, "photo", jpeg())
    private_doc = add(world.worker_a, shown, "document", PDF, title="内部图纸")
    public_doc = add(world.worker_a, shown, "document", PDF, title="公开说明", public=True)
    other = add(world.worker_a, hidden, "photo", jpeg())
    client.logout()
    # not adopted yet: nothing
    url = f"/innovation/showcase/{shown.code}/files/{photo.code}/"
    assert client.get(url).status_code == 404
    adopt(shown, team.hr)
    adopt(hidden, team.hr)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert "inline" in r["Content-Disposition"]
    assert (
        client.get(f"/innovation/showcase/{shown.code}/files/{public_doc.code}/").status_code == 200
    )
    assert (
        client.get(f"/innovation/showcase/{shown.code}/files/{private_doc.code}/").status_code
        == 404
    )
    assert client.get(f"/innovation/showcase/{hidden.code}/files/{other.code}/").status_code == 404
    # a file of another result through this result's address: 404
    assert client.get(f"/innovation/showcase/{shown.code}/files/{other.code}/").status_code == 404
    body = client.get(f"/innovation/showcase/{shown.code}/").content.decode()
    assert photo.code in body and public_doc.code in body and private_doc.code not in body
    assert "内部图纸" not in body
    # no personal data: no uploader name, no citizen ID, no phone
    for w in team.workers:
        assert w.citizen_id_masked not in body
    assert "worker_a" not in body
