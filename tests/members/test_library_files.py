"""Hostile uploads of the e-library: ISBN check digits, and every refusal of a book file."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gongjiang.members import library_files
from gongjiang.members.library_files import check_book, isbn_normalise, read_upload

from .library_helpers import chapter, epub_with, good_epub, good_pdf


def isbn10_check(nine: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(nine))
    c = (11 - total % 11) % 11
    return "X" if c == 10 else str(c)


def isbn13_check(twelve: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(twelve))
    return str((10 - total % 10) % 10)


@pytest.fixture(autouse=True)
def english() -> Any:
    """The messages are read in English here (their zh-hans text is in the catalogue)."""
    with translation.override("en"):
        yield


digits9 = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(digits9)
def test_isbn10_is_stored_as_isbn13(nine: str) -> None:
    isbn10 = nine + isbn10_check(nine)
    expected = "978" + nine + isbn13_check("978" + nine)
    assert isbn_normalise(isbn10) == expected
    assert isbn_normalise(f"{isbn10[:1]}-{isbn10[1:5]}-{isbn10[5:9]}-{isbn10[9]}") == expected
    assert isbn_normalise(expected) == expected


@given(digits9, st.integers(min_value=1, max_value=9))
def test_isbn_with_a_wrong_check_digit_is_refused(nine: str, shift: int) -> None:
    good13 = "978" + nine + isbn13_check("978" + nine)
    bad13 = good13[:-1] + str((int(good13[-1]) + shift) % 10)
    with pytest.raises(ValidationError) as exc:
        isbn_normalise(bad13)
    assert "isbn" in exc.value.message_dict
    check10 = isbn10_check(nine)
    wrong10 = "0" if check10 == "X" else ("X" if shift == 9 else str((int(check10) + shift) % 10))
    if wrong10 != check10:
        with pytest.raises(ValidationError):
            isbn_normalise(nine + wrong10)


def test_isbn_examples() -> None:
    assert isbn_normalise("0-8044-2957-X") == "9780804429573"
    assert isbn_normalise("0-306-40615-2") == "9780306406157"
    assert isbn_normalise("") == ""
    for bad in ("0-306-40615-3", "978030640615", "abc", "9780306406158"):
        with pytest.raises(ValidationError):
            isbn_normalise(bad)


def test_good_books_are_accepted() -> None:
    epub = check_book(good_epub("焊工手册"))
    assert epub.format == "epub" and epub.title == "焊工手册" and epub.author == "王建国"
    assert [c["title"] for c in epub.contents][:3] == [
        "第1章 开篇",
        "第2章 焊接要领",
        "第3章 安全须知",
    ]
    pdf = check_book(good_pdf(3))
    assert pdf.format == "pdf" and pdf.pages == 3 and pdf.cover.startswith(b"\x89PNG")


def refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as exc:
        check_book(data)
    return " ".join(exc.value.message_dict["file"])


C1 = "OEBPS/c1.xhtml"


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("<p>x</p><script>alert(1)</script>", "<script>"),
        ('<p onclick="steal()">x</p>', "onclick="),
        ('<img src="a.png" onerror="x()"/>', "onerror="),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href=" JaVaScRiPt:alert(1)">x</a>', "javascript:"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', "<script>"),
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"></svg>', "onload="),
        ('<img src="https://evil.example/track.png"/>', "remote resource"),
        ('<img src="//evil.example/track.png"/>', "remote resource"),
        ('<link rel="stylesheet" href="http://evil.example/a.css"/>', "remote resource"),
        ('<iframe src="c2.xhtml"></iframe>', "<iframe>"),
        ('<object data="x.swf"></object>', "<object>"),
        ('<form action="/x"><input/></form>', "<form>"),
        ('<meta http-equiv="refresh" content="0;url=http://x"/>', "refresh"),
        ('<p style="background:url(http://evil.example/x)">x</p>', "style url()"),
        ("<style>@import url(http://evil.example/a.css);</style>", "CSS"),
    ],
)
def test_epub_with_active_or_remote_content_is_refused(body: str, what: str) -> None:
    message = refused(epub_with(replace={C1: chapter(body)}))
    assert C1 in message and what in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("OEBPS/app.js", "alert(1)"),
        ("OEBPS/pic.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'),
        (
            "OEBPS/pic2.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="javascript:x()"/></svg>',
        ),
        ("OEBPS/style.css", "body{background:url(https://evil.example/p.png)}"),
        ("OEBPS/bomb.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'),
    ],
)
def test_scripts_anywhere_in_the_epub_are_refused(name: str, data: str) -> None:
    assert name in refused(epub_with(extra=[(name, data)]))


def test_scripted_package_item_is_refused() -> None:
    opf = zipfile.ZipFile(io.BytesIO(good_epub())).read("OEBPS/content.opf").decode()
    opf = opf.replace('href="c1.xhtml"', 'href="c1.xhtml" properties="scripted"')
    assert "c1.xhtml" in refused(epub_with(replace={"OEBPS/content.opf": opf}))


@pytest.mark.parametrize(
    "name", ["../evil.xhtml", "/etc/passwd", "OEBPS/../../x", "a\\b.xhtml", "C:/x"]
)
def test_path_traversal_is_refused(name: str) -> None:
    message = refused(epub_with(extra=[(name, "x")]))
    assert "path traversal" in message


def test_zip_bomb_by_ratio_is_refused() -> None:
    message = refused(epub_with(extra=[("OEBPS/zeros.bin", b"\0" * 3_000_000)]))
    assert "OEBPS/zeros.bin" in message and "zip bomb" in message


def test_zip_bomb_by_total_size_and_entry_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_files, "MAX_UNCOMPRESSED", 5000)
    data = epub_with(
        extra=[("OEBPS/r.bin", bytes(range(256)) * 30)], compression=zipfile.ZIP_STORED
    )
    assert "zip bomb" in refused(data)
    monkeypatch.setattr(library_files, "MAX_UNCOMPRESSED", 10**9)
    monkeypatch.setattr(library_files, "MAX_ENTRIES", 8)
    many = epub_with(extra=[(f"OEBPS/x{i}.txt", "x") for i in range(5)])
    assert "more than 8 entries" in refused(many)


def test_not_an_epub_nor_a_pdf_is_refused() -> None:
    assert "neither" in refused(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert "neither" in refused(b"<html><script>x</script></html>")
    # a zip that is not an EPUB: no mimetype first / a wrong one
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert "mimetype" in refused(out.getvalue())
    wrong = epub_with(replace={"mimetype": "application/zip"})
    assert "application/epub+zip" in refused(wrong)
    assert "not a zip" in refused(b"PK\x03\x04garbage")


def test_bad_pdfs_are_refused() -> None:
    assert "cannot be opened" in refused(b"%PDF-1.7\n this is not really a pdf")
    assert "neither" in refused(b"   %PDF-1.4")


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_files, "MAX_BOOK_BYTES", 1000)
    with pytest.raises(ValidationError) as exc:
        read_upload(io.BytesIO(b"x" * 1001))
    assert "larger than" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        read_upload(io.BytesIO(b""))
    assert read_upload(io.BytesIO(b"x" * 1000)) == b"x" * 1000


def _with_cover(cover: bytes) -> bytes:
    opf = zipfile.ZipFile(io.BytesIO(good_epub())).read("OEBPS/content.opf").decode()
    opf = opf.replace(
        "</manifest>",
        '<item id="cover" href="cover.jpg" media-type="image/jpeg" properties="cover-image"/>'
        "</manifest>",
    )
    return epub_with(replace={"OEBPS/content.opf": opf}, extra=[("OEBPS/cover.jpg", cover)])


def test_an_epub_cover_goes_through_the_image_check() -> None:
    from PIL import Image

    from ..core.test_images import exif

    raw = io.BytesIO()
    Image.new("RGB", (1200, 1600), (10, 60, 120)).save(raw, "JPEG", exif=exif())
    book = check_book(_with_cover(raw.getvalue() + b"<script>alert(1)</script>"))
    assert book.cover_type == "image/jpeg" and b"PhoneMaker" not in book.cover
    assert b"<script>" not in book.cover
    with Image.open(io.BytesIO(book.cover)) as img:
        assert max(img.size) == 600 and not img.getexif()
    # a "cover" that is no image: the book is taken, without a cover
    html = check_book(_with_cover(b"\xff\xd8\xff<html><script>alert(1)</script></html>"))
    assert html.cover == b"" and html.cover_type == ""
