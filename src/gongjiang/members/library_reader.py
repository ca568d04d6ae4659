"""Reading a book in the browser without any external service.

EPUB: a chapter is read from the stored archive and sanitised on the server (nh3: an allow-list of
tags and attributes; links to other chapters point at the reader page, images at the book's own
resource URL) before the app's reader page shows it. PDF: a page is rasterised on the server by
PDFium (pypdfium2) and shown as an image, so nothing in the PDF runs in the browser. Both go
through the same access check (the book is visible to the reader, and lent to them when its
licence limits copies).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import nh3
from django.core.cache import cache
from django.http import Http404
from django.urls import reverse

from .library_files import MAX_ENTRY_BYTES, image_type, render_pdf_page
from .models import Book

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul", "article", "aside", "header", "footer", "nav",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"id", "lang", "dir", "title"},
}
PAGE_WIDTHS = (480, 900, 1400)


@contextmanager
def _open(book: Book) -> Iterator[zipfile.ZipFile]:
    with book.file.storage.open(book.file.name, "rb") as handle, zipfile.ZipFile(handle) as zf:
        yield zf


def chapter_html(book: Book, index: int) -> str:
    """Chapter ``index`` (0-based, spine order) as safe HTML for the reader page."""
    if book.format != Book.Format.EPUB or not 0 <= index < len(book.contents):
        raise Http404("chapter")
    href = book.contents[index]["href"]
    with _open(book) as archive:
        info = archive.getinfo(href)
        if info.file_size > MAX_ENTRY_BYTES:
            raise Http404("chapter")
        text = archive.read(info).decode("utf-8", errors="replace")
    body = re.search(r"<body[^>]*>(.*)</body>", text, re.S | re.I)
    text = body.group(1) if body else text
    chapters = {c["href"]: i for i, c in enumerate(book.contents)}
    read_url = reverse("members:book_read", args=[book.code])
    base = posixpath.dirname(href)

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            if element == "a" and parts.scheme in ("http", "https", "mailto"):
                return value
            return None
        target = (
            posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else href
        )
        if element == "img":
            return reverse("members:book_resource", args=[book.code, target])
        if target in chapters:
            anchor = f"#{parts.fragment}" if parts.fragment else ""
            return f"{read_url}?at={chapters[target]}{anchor}"
        return None

    return nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=rewrite,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def resource(book: Book, path: str) -> tuple[bytes, str]:
    """An image of the EPUB (PNG, JPEG, GIF or WebP by content; never SVG or markup)."""
    if book.format != Book.Format.EPUB or ".." in path.split("/"):
        raise Http404("resource")
    with _open(book) as archive:
        try:
            info = archive.getinfo(path)
        except KeyError as exc:
            raise Http404("resource") from exc
        if info.file_size > MAX_ENTRY_BYTES:
            raise Http404("resource")
        data = archive.read(info)
    kind = image_type(data)
    if not kind:
        raise Http404("resource")
    return data, kind


def pdf_page_png(book: Book, index: int, width: int) -> bytes:
    """Page ``index`` (0-based) of a PDF book as PNG, cached per book, page and width."""
    import pypdfium2 as pdfium

    if book.format != Book.Format.PDF or not 0 <= index < book.pages:
        raise Http404("page")
    width = min(PAGE_WIDTHS, key=lambda w: abs(w - width))
    key = f"members:library:page:{book.code}:{index}:{width}"
    data: Any = cache.get(key)
    if data is None:
        with book.file.storage.open(book.file.name, "rb") as handle:
            pdf = pdfium.PdfDocument(handle.read())
        try:
            data = render_pdf_page(pdf, index, width=width)
        finally:
            pdf.close()
        cache.set(key, data, 3600)
    return data
