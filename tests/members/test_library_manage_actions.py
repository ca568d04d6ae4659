"""E-library management actions: taking a book off the shelf (confirmed on the page) and replacing
its cover with an uploaded image through core.images; scoped like the other management actions
(404 outside the managed subtree), audited, hostile files refused with a clear message."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.members import library
from gongjiang.members.models import Book

from ..factories import UserFactory, member
from .library_helpers import add_book


@pytest.fixture
def books(world: Any, tmp_path: Any, settings: Any) -> tuple[Any, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return add_book(world.alice, world.city_a, title="电工基础"), add_book(
        world.bob, world.province_b, title="浙江书"
    )


def jpeg_with_exif(width: int = 1800, height: int = 1200) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "GPS-leaking-tool"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge picture (a decompression bomb's first step)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_cover_replaced_reencoded_without_metadata(world: Any, books: Any) -> None:
    book, _other = books
    library.book_cover_set(
        actor=world.alice, book=book, upload=SimpleUploadedFile("c.jpg", jpeg_with_exif())
    )
    row = Book.objects.get(pk=book.pk)
    assert row.cover_type == "image/jpeg"
    stored = bytes(row.cover)
    assert b"SecretCam" not in stored and b"GPS-leaking-tool" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert max(img.size) == 600 and img.size == (600, 400)
        assert not img.getexif()
    event = AuditEvent.objects.get(action="members.book_cover")
    assert event.details["width"] == 600


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"%PDF-1.4 not an image at all", "JPEG"),  # not an image: the formats accepted named
        (b"<svg onload=alert(1)></svg>", "JPEG"),
        (b"GIF89a" + b"\x00" * 40, "JPEG"),
        (png_declaring(60000, 60000), "40"),  # a huge declared size
        (b"\xff\xd8\xff" + b"\x00" * (600 * 1024), "MB"),  # larger than the cover bound
    ],
)
def test_hostile_cover_refused_nothing_changed(
    client: Any, world: Any, books: Any, data: bytes, text: str
) -> None:
    book, _other = books
    before = (bytes(book.cover), book.cover_type)
    with pytest.raises(ApplicationError) as exc:
        library.book_cover_set(actor=world.alice, book=book, upload=SimpleUploadedFile("c", data))
    assert exc.value.details[0]["field"] == "cover"
    row = Book.objects.get(pk=book.pk)
    assert (bytes(row.cover), row.cover_type) == before
    # the page says why, at the book
    client.force_login(world.alice)
    url = reverse("members:library_book_act", args=[book.code])
    r = client.post(url, {"act": "cover", "cover": SimpleUploadedFile("c.png", data)}, follow=True)
    assert r.status_code == 200
    messages = [str(m) for m in r.context["messages"]]
    assert any("电工基础" in m and text in m for m in messages), messages
    assert not AuditEvent.objects.filter(action="members.book_cover").exists()


def test_page_cover_and_withdraw_with_confirmation_and_scope(
    client: Any, world: Any, books: Any
) -> None:
    book, other = books
    manage = reverse("members:library_manage")
    act = reverse("members:library_book_act", args=[book.code])
    client.force_login(world.alice)
    html = client.get(manage).text
    assert f'id="withdraw-{book.code}"' in html and "data-confirm=" in html
    assert f'id="cover-btn-{book.code}"' in html
    # another province's manager: the book does not exist for them
    client.force_login(world.bob)
    for data in (
        {"act": "withdraw"},
        {"act": "cover", "cover": SimpleUploadedFile("c.jpg", jpeg_with_exif(100, 100))},
    ):
        assert client.post(act, data).status_code == 404
    assert f'id="withdraw-{book.code}"' not in client.get(manage).text
    # a worker of the subtree (a reader, no management): refused like the page itself
    reader = UserFactory(username="reader_a")
    member(reader, world.enterprise_a, "worker")
    client.force_login(reader)
    assert client.post(act, {"act": "withdraw"}).status_code == 403
    assert client.get(reverse("members:book_detail", args=[book.code])).status_code == 200
    # GET never acts
    client.force_login(world.alice)
    assert client.get(act).status_code == 405
    assert client.post(act, {"act": "nothing"}).status_code == 404
    r = client.post(
        act, {"act": "cover", "cover": SimpleUploadedFile("c.jpg", jpeg_with_exif(100, 80))}
    )
    assert r.status_code == 302 and r["Location"].endswith(f"#book-{book.code}")
    assert Book.objects.get(pk=book.pk).cover_type == "image/jpeg"
    cover = client.get(reverse("members:book_cover", args=[book.code]))
    assert cover.status_code == 200 and cover["Content-Type"] == "image/jpeg"
    r = client.post(act, {"act": "cover"}, follow=True)  # no file chosen
    assert any("image" in str(m) or "图" in str(m) for m in r.context["messages"])
    r = client.post(act, {"act": "withdraw", "reason": "版权到期"})
    assert r.status_code == 302
    assert not Book.objects.get(pk=book.pk).is_active
    assert AuditEvent.objects.filter(action="members.book_withdraw").count() == 1
    html = client.get(manage).text
    assert f'id="withdraw-{book.code}"' not in html  # withdrawn: shown as such, no button
    # twice is refused (no second audit row); readers no longer find it
    client.post(act, {"act": "withdraw", "reason": "版权到期"})
    assert AuditEvent.objects.filter(action="members.book_withdraw").count() == 1
    client.force_login(reader)
    assert client.get(reverse("members:book_detail", args=[book.code])).status_code == 404
    assert Book.objects.get(pk=other.pk).is_active
