"""The platform's one image check (core.images): hostile files are refused with an error naming the
field, bombs before a pixel is decoded, and what passes is stored without any metadata."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from gongjiang.core.errors import ApplicationError
from gongjiang.core.images import image_check, sniff

GPS = {1: "N", 2: (32.0, 2.0, 30.0), 3: "E", 4: (118.0, 47.0, 3.0)}


def photo(fmt: str = "JPEG", size: tuple[int, int] = (40, 30), **save: Any) -> bytes:
    mode = "RGBA" if save.pop("alpha", False) else "RGB"
    img = Image.new(mode, size, (200, 30, 30, 0) if mode == "RGBA" else (200, 30, 30))
    out = io.BytesIO()
    img.save(out, fmt, **save)
    return out.getvalue()


def exif(orientation: int | None = None) -> bytes:
    data = Image.Exif()
    data[0x010F] = "PhoneMaker"  # Make
    data[0x013B] = "李斌"  # Artist
    data[0x8825] = GPS  # the GPS IFD
    if orientation:
        data[0x0112] = orientation
    return data.tobytes()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels in a few dozen bytes (a decompression bomb's head)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def refused(data: Any, **kw: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        image_check(data, **kw)
    return exc.value


def test_jpeg_loses_exif_gps_comment_and_appended_script() -> None:
    raw = (
        photo("JPEG", exif=exif(), comment=b"secret comment")
        + b"<script>alert(1)</script><?php system($_GET['c']); ?>"
    )
    assert b"PhoneMaker" in raw and b"secret comment" in raw
    checked = image_check(SimpleUploadedFile("x.jpg", raw), field="image")
    assert checked.format == "JPEG" and checked.content_type == "image/jpeg"
    for planted in (b"PhoneMaker", b"secret comment", b"<script>", b"<?php", "李斌".encode()):
        assert planted not in checked.data
    with Image.open(io.BytesIO(checked.data)) as img:
        assert not img.getexif() and "comment" not in img.info and "exif" not in img.info
        assert img.size == (40, 30)


def test_png_loses_text_chunks_and_icc_and_keeps_its_format() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "李斌")
    info.add_text("GPS", "32.04,118.78")
    raw = photo("PNG", pnginfo=info, icc_profile=b"\x00" * 128, exif=exif())
    checked = image_check(raw, formats=("JPEG", "PNG"))
    assert checked.format == "PNG" and checked.extension == "png"
    assert b"32.04" not in checked.data and b"iCCP" not in checked.data
    assert b"tEXt" not in checked.data and b"eXIf" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as img:
        assert not img.getexif() and not img.text


def test_webp_is_accepted_and_stripped() -> None:
    checked = image_check(photo("WEBP", exif=exif()))
    assert checked.format == "WEBP" and b"PhoneMaker" not in checked.data
    assert image_check(photo("WEBP"), output="JPEG").format == "JPEG"


def test_a_palette_pngs_transparency_is_kept() -> None:
    logo = Image.new("P", (20, 20), 0)
    logo.putpalette([255, 255, 255, 200, 16, 46] + [0] * 762)
    logo.paste(1, (5, 5, 15, 15))
    out = io.BytesIO()
    logo.save(out, "PNG", transparency=0)
    checked = image_check(out.getvalue())
    with Image.open(io.BytesIO(checked.data)) as img:
        rgba = img.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0 and rgba.getpixel((10, 10))[3] == 255


def test_orientation_is_applied_before_the_metadata_goes() -> None:
    checked = image_check(photo("JPEG", (40, 30), exif=exif(orientation=6)))
    assert (checked.width, checked.height) == (30, 40)


def test_transparency_on_white_when_stored_as_jpeg_and_bounded_sides() -> None:
    checked = image_check(photo("PNG", (2000, 500), alpha=True), output="JPEG", max_side=800)
    assert checked.format == "JPEG" and (checked.width, checked.height) == (800, 200)
    with Image.open(io.BytesIO(checked.data)) as img:
        assert img.getpixel((10, 10))[0] > 240  # white, not black


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "svg"),
        (b"<html><script>alert(1)</script></html>", "html named .jpg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "gif"),
        (b"%PDF-1.4\n%%EOF", "pdf"),
        (b"MZ\x90\x00" + b"\x00" * 64, "executable"),
        (b"\xff\xd8\xff" + b"not really a jpeg", "jpeg signature, no jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "png signature, no png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 40, "webp signature, no webp"),
    ],
)
def test_what_is_not_an_image_is_refused_naming_the_field(data: bytes, why: str) -> None:
    error = refused(SimpleUploadedFile("x.jpg", data, content_type="image/jpeg"), field="cover")
    assert error.code == "invalid_image", why
    assert error.details == [{"field": "cover", "error": error.message}]
    assert error.status == 422


def test_a_truncated_image_is_refused() -> None:
    raw = photo("JPEG", (400, 300))
    assert refused(raw[: len(raw) // 2]).code == "invalid_image"
    png = photo("PNG", (400, 300))
    assert refused(png[: len(png) - 40]).code == "invalid_image"


def test_a_format_not_allowed_is_refused_even_when_it_is_an_image() -> None:
    assert refused(photo("WEBP"), formats=("JPEG", "PNG")).code == "invalid_image"


def test_decompression_bombs_are_refused_from_the_header(monkeypatch: Any) -> None:
    def no_decoding(self: Any) -> None:
        raise AssertionError("a bomb was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    # over the caller's limit, and far over Pillow's own warning and error thresholds
    for width, height in [(10_000, 5_000), (20_000, 20_000), (100_000, 100_000)]:
        error = refused(png_header_only(width, height), max_pixels=40_000_000)
        assert error.code == "too_many_pixels", (width, height)
        assert error.details[0]["field"] == "image"
    assert refused(png_header_only(0, 10)).code == "invalid_image"


def test_size_limits_read_no_more_than_the_limit(settings: Any) -> None:
    class Counting(io.BytesIO):
        read_bytes = 0

        def read(self, n: int | None = -1) -> bytes:
            chunk = super().read(n)
            Counting.read_bytes += len(chunk)
            return chunk

    big = photo("PNG", (10, 10)) + b"\x00" * 100_000
    stream = Counting(big)
    assert refused(stream, max_bytes=1000).code == "too_large"
    assert Counting.read_bytes <= 1001
    assert refused(SimpleUploadedFile("x.png", big), max_bytes=1000).code == "too_large"
    assert refused(b"").code == "empty"
    assert refused(None).code == "required"
    settings.MAX_UPLOAD_SIZE = 500  # never more than the platform's upload limit
    assert refused(photo("PNG", (10, 10)) + b"\x00" * 600, max_bytes=10**6).code == "too_large"


def test_sniff() -> None:
    assert sniff(photo("JPEG")[:16]) == "JPEG"
    assert sniff(photo("PNG")[:16]) == "PNG"
    assert sniff(photo("WEBP")[:16]) == "WEBP"
    assert sniff(b"GIF89a") == ""
