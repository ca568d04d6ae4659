"""Hostile uploads of the e-library: ISBNs, EPUB and PDF files checked by content.

An EPUB is a zip whose first entry is ``mimetype`` holding ``application/epub+zip``. Before a byte
of it is trusted the archive is checked for size, entry count, total uncompressed size and
compression ratio (zip bombs), entry names (absolute paths, ``..``, backslashes: path traversal),
and every text entry for active content: ``<script>``, ``on…=`` attributes, ``javascript:`` URLs,
scripted SVG, embedded objects and resources loaded from elsewhere. A refusal names the entry.
A PDF must start with ``%PDF-`` and open in PDFium; its pages are rasterised on the server, so
whatever scripts it holds never reach a browser.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import isbn as stdnum_isbn

from gongjiang.core.errors import ApplicationError
from gongjiang.core.images import image_check

MAX_BOOK_BYTES = getattr(settings, "LIBRARY_MAX_BOOK_BYTES", 50 * 1024 * 1024)
MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ENTRY_BYTES = 20 * 1024 * 1024
MAX_RATIO = 100
MAX_PDF_PAGES = 5000
MAX_COVER_BYTES = 512 * 1024
TEXT_SUFFIXES = (".xhtml", ".html", ".htm", ".xml", ".opf", ".ncx", ".svg", ".css", ".smil")
SCRIPT_SUFFIXES = (".js", ".mjs", ".vbs", ".swf", ".wasm")
URL_ATTRS = {"src", "href", "xlink:href", "data", "poster", "background", "action", "formaction"}
LOADING_TAGS = {"img", "image", "link", "audio", "video", "source", "track", "use", "feimage"}
EMBED_TAGS = {"iframe", "frame", "object", "embed", "applet", "form", "base"}
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)
BAD_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data\s*:\s*text/html)\s*:?", re.I)
CSS_REMOTE = re.compile(
    r"(?:url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)|@import|expression\s*\()", re.I
)
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def isbn_normalise(value: str) -> str:
    """An ISBN-10 or ISBN-13 (hyphens and spaces allowed) as its 13 digits; refused when a check
    digit is wrong."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        return stdnum_isbn.to_isbn13(stdnum_isbn.validate(raw)).replace("-", "")
    except Exception as exc:  # stdnum raises several ValidationError subclasses
        raise ValidationError(
            {"isbn": _("“%(value)s” is not a valid ISBN (check digit).") % {"value": raw[:40]}}
        ) from exc


def image_type(data: bytes) -> str:
    for magic, kind in IMAGE_MAGIC.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def _refuse(message: str, **params: Any) -> ValidationError:
    return ValidationError({"file": message % params})


@dataclass
class BookFile:
    format: str
    title: str = ""
    author: str = ""
    contents: list[dict[str, str]] = field(default_factory=list)
    pages: int = 0
    cover: bytes = b""
    cover_type: str = ""


def read_upload(upload: IO[bytes]) -> bytes:
    """The whole upload, refused past the size limit without reading more than the limit."""
    data = upload.read(MAX_BOOK_BYTES + 1)
    if len(data) > MAX_BOOK_BYTES:
        raise _refuse(
            _("The file is larger than %(limit)s MB."), limit=MAX_BOOK_BYTES // (1024 * 1024)
        )
    if not data:
        raise _refuse(_("The file is empty."))
    return data


def book_format(data: bytes) -> str:
    """The format told by the first bytes (a quick look, before the full check): pdf or epub;
    refused when it is neither."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "epub"
    raise _refuse(_("Only EPUB and PDF books are accepted (the content is neither)."))


def _no_progress(done: int, total: int | None = None, message: str = "") -> None:
    return None


def check_book(data: bytes, progress: Callable[..., None] = _no_progress) -> BookFile:
    """The format told by content, never by the name: an EPUB or a PDF, checked. ``progress``
    (a background job's) hears ``(done, total, message)`` as the check goes."""
    if book_format(data) == "pdf":
        progress(0, 1, _("Opening the PDF…"))
        return check_pdf(data)
    return check_epub(data, progress)


# --------------------------------------------------------------------------------------- PDF
def check_pdf(data: bytes) -> BookFile:
    import pypdfium2 as pdfium

    if not data.startswith(b"%PDF-"):
        raise _refuse(_("This is not a PDF (it does not start with %%PDF)."))
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:
        raise _refuse(_("The PDF cannot be opened: it is damaged or encrypted.")) from exc
    try:
        pages = len(pdf)
        if pages < 1 or pages > MAX_PDF_PAGES:
            raise _refuse(_("A PDF must have 1 to %(max)s pages."), max=MAX_PDF_PAGES)
        title = (pdf.get_metadata_value("Title") or "")[:200]
        author = (pdf.get_metadata_value("Author") or "")[:200]
        cover = render_pdf_page(pdf, 0, width=240)
    finally:
        pdf.close()
    return BookFile("pdf", title, author, [], pages, cover, "image/png")


def render_pdf_page(pdf: Any, index: int, *, width: int = 900) -> bytes:
    """One page as PNG, ``width`` pixels wide (bounded)."""
    page = pdf[index]
    try:
        w, _h = page.get_size()
        scale = max(0.1, min(4.0, width / max(w, 1.0)))
        image = page.render(scale=scale).to_pil()
    finally:
        page.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


# -------------------------------------------------------------------------------------- EPUB
def _safe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    parts = name.split("/")
    return ".." not in parts and posixpath.normpath(name) == name.rstrip("/")


class _ActiveContent(HTMLParser):
    """Finds the first active or remote thing in an (X)HTML or SVG document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found:
            return
        local = tag.rsplit(":", 1)[-1]
        if local == "script":
            self.found = "<script>"
            return
        if local in EMBED_TAGS:
            self.found = f"<{local}>"
            return
        if local == "meta" and any(
            n == "http-equiv" and (v or "").strip().lower() == "refresh" for n, v in attrs
        ):
            self.found = "<meta http-equiv=refresh>"
            return
        for name, value in attrs:
            name_local = name.rsplit(":", 1)[-1] if name != "xlink:href" else name
            if name_local.startswith("on"):
                self.found = f"{name}="
                return
            value = value or ""
            if name in URL_ATTRS or name_local == "href":
                if BAD_SCHEME.match(value):
                    self.found = "javascript:"
                    return
                if local in LOADING_TAGS and REMOTE.match(value):
                    self.found = _("remote resource %(url)s") % {"url": value[:80]}
                    return
            if name == "style" and CSS_REMOTE.search(value):
                self.found = "style url()"
                return

    handle_startendtag = handle_starttag


def _active_content(name: str, text: str) -> str:
    lower = name.lower()
    if "<!entity" in text.lower():
        return "<!ENTITY>"
    if lower.endswith(".css"):
        if CSS_REMOTE.search(text):
            return _("remote or scripted CSS")
        return "javascript:" if "javascript:" in text.lower() else ""
    parser = _ActiveContent()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything it cannot take is refused
        return _("unreadable markup")
    if parser.found:
        return parser.found
    style_blocks = re.findall(r"<style[^>]*>(.*?)</style>", text, re.S | re.I)
    if any(CSS_REMOTE.search(block) for block in style_blocks):
        return _("remote or scripted CSS")
    return ""


def _xml(data: bytes, entry: str) -> ElementTree.Element:
    if b"<!ENTITY" in data.upper():
        raise _refuse(_("The EPUB entry “%(entry)s” declares XML entities."), entry=entry)
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise _refuse(_("The EPUB entry “%(entry)s” is not well-formed XML."), entry=entry) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def check_epub(data: bytes, progress: Callable[..., None] = _no_progress) -> BookFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _refuse(_("This is not an EPUB (not a zip archive).")) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(_("The EPUB has more than %(max)s entries."), max=MAX_ENTRIES)
        total = 0
        for info in infos:
            if not _safe_name(info.filename):
                raise _refuse(
                    _("The EPUB entry “%(entry)s” has an unsafe path (path traversal)."),
                    entry=info.filename[:120],
                )
            total += info.file_size
            if info.file_size > MAX_ENTRY_BYTES or total > MAX_UNCOMPRESSED:
                raise _refuse(
                    _("The EPUB entry “%(entry)s” unpacks to too much data (zip bomb)."),
                    entry=info.filename,
                )
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise _refuse(
                    _("The EPUB entry “%(entry)s” is compressed %(ratio)s to 1 (zip bomb)."),
                    entry=info.filename,
                    ratio=info.file_size // info.compress_size,
                )
        if not infos or infos[0].filename != "mimetype":
            raise _refuse(_("This is not an EPUB: the first entry must be “mimetype”."))
        if archive.read("mimetype").strip() != b"application/epub+zip":
            raise _refuse(_("This is not an EPUB: “mimetype” is not application/epub+zip."))
        progress(0, len(infos), _("Checking the book's entries…"))
        for done, info in enumerate(infos, 1):
            progress(done, len(infos))
            lower = info.filename.lower()
            if lower.endswith(SCRIPT_SUFFIXES):
                raise _refuse(
                    _("The EPUB entry “%(entry)s” is a script; books with scripts are refused."),
                    entry=info.filename,
                )
            if lower.endswith(TEXT_SUFFIXES):
                text = archive.read(info).decode("utf-8", errors="replace")
                what = _active_content(info.filename, text)
                if what:
                    raise _refuse(
                        _(
                            "The EPUB entry “%(entry)s” contains %(what)s; books with scripts "
                            "or remote resources are refused."
                        ),
                        entry=info.filename,
                        what=what,
                    )
        return _read_package(archive)


def _read_package(archive: zipfile.ZipFile) -> BookFile:
    names = set(archive.namelist())
    if "META-INF/container.xml" not in names:
        raise _refuse(_("This is not an EPUB: META-INF/container.xml is missing."))
    container = _xml(archive.read("META-INF/container.xml"), "META-INF/container.xml")
    opf_path = ""
    for el in container.iter():
        if _local(el.tag) == "rootfile":
            opf_path = el.get("full-path", "")
            break
    if opf_path not in names:
        raise _refuse(_("This is not an EPUB: its package document is missing."))
    opf = _xml(archive.read(opf_path), opf_path)
    base = posixpath.dirname(opf_path)
    manifest: dict[str, dict[str, str]] = {}
    title = author = cover_id = ""
    spine: list[str] = []
    for el in opf.iter():
        tag = _local(el.tag)
        if tag == "item":
            href = posixpath.normpath(posixpath.join(base, el.get("href", "")))
            manifest[el.get("id", "")] = {
                "href": href,
                "type": el.get("media-type", ""),
                "properties": el.get("properties", ""),
            }
            if "scripted" in el.get("properties", "").split():
                raise _refuse(
                    _(
                        "The EPUB entry “%(entry)s” is declared scripted; books with scripts are "
                        "refused."
                    ),
                    entry=href,
                )
            if "cover-image" in el.get("properties", "").split():
                cover_id = el.get("id", "")
        elif tag == "itemref":
            spine.append(el.get("idref", ""))
        elif tag == "title" and not title:
            title = (el.text or "").strip()[:200]
        elif tag == "creator" and not author:
            author = (el.text or "").strip()[:200]
        elif tag == "meta" and el.get("name") == "cover" and not cover_id:
            cover_id = el.get("content", "")
    contents = []
    for idref in spine:
        item = manifest.get(idref)
        if item is None or item["href"] not in names:
            raise _refuse(_("The EPUB spine names a missing entry “%(entry)s”."), entry=idref[:80])
        if "html" not in item["type"]:
            continue
        contents.append({"href": item["href"], "title": _chapter_title(archive, item["href"])})
    if not contents:
        raise _refuse(_("The EPUB has no chapters to read."))
    cover, cover_type = b"", ""
    item = manifest.get(cover_id)
    if (
        item
        and item["href"] in names
        and archive.getinfo(item["href"]).file_size <= MAX_COVER_BYTES
    ):
        # through the platform's image check: a cover that is no image (or a polyglot) is
        # dropped, one that is comes out re-encoded without its metadata
        try:
            checked = image_check(
                archive.read(item["href"]), field="file", max_bytes=MAX_COVER_BYTES, max_side=600
            )
        except ApplicationError:
            pass
        else:
            cover, cover_type = checked.data, checked.content_type
    return BookFile("epub", title, author, contents, len(contents), cover, cover_type)


def _chapter_title(archive: zipfile.ZipFile, href: str) -> str:
    head = archive.read(href)[:20000].decode("utf-8", errors="replace")
    for pattern in (r"<h[1-3][^>]*>(.*?)</h[1-3]>", r"<title[^>]*>(.*?)</title>"):
        found = re.search(pattern, head, re.S | re.I)
        if found:
            text = re.sub(r"<[^>]+>", "", found.group(1))
            text = re.sub(r"\s+", " ", text).strip()
            if text:
                return text[:120]
    return posixpath.basename(href)[:120]
