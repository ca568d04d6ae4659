"""A small HTML sanitiser for question stems (no library is installed for it).

Keeps a whitelist of tags; drops every attribute except ``src``/``alt``/``width``/``height`` on
``img`` (``src`` only when it names a file uploaded to the platform's own storage: a path under
``MEDIA_URL`` such as ``/media/bank/a.png`` — no host, no scheme, no ``//host/…`` protocol-relative
address, no ``..``, no ``data:``, so a stem cannot carry a tracking beacon or smuggle content) and
``colspan``/``rowspan`` on table cells; removes ``script``/``style``/``iframe``… elements together with
their content; escapes all text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from django.conf import settings

ALLOWED_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "span",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "img",
    "pre",
    "code",
    "blockquote",
    "hr",
}
VOID_TAGS = {"br", "img", "hr"}
DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "template",
    "noscript",
    "svg",
    "math",
    "textarea",
    "select",
    "head",
    "title",
}
ALLOWED_ATTRS = {
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# a path segment: letters, digits and a few punctuation marks; never empty, "." or ".."
_SEGMENT = r"(?!\.{1,2}(?:/|$))[\w.\-~+]+"
_NUMBER = re.compile(r"^\d{1,4}$")


def _uploaded_image(src: str) -> bool:
    """Whether ``src`` is a path to a file in the platform's own uploads (``MEDIA_URL``)."""
    media = settings.MEDIA_URL
    if not media.startswith("/") or media.startswith("//"):
        return False  # media served from another host: no image is "ours"
    if not src.startswith(media):
        return False
    rest = src[len(media) :]
    return re.fullmatch(rf"{_SEGMENT}(?:/{_SEGMENT})*", rest) is not None


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in DROP_WITH_CONTENT:
            if tag not in VOID_TAGS:
                self.skip += 1
            return
        if self.skip or tag not in ALLOWED_TAGS:
            return
        kept = []
        for name, value in attrs:
            name = name.lower()
            if name not in ALLOWED_ATTRS.get(tag, set()) or value is None:
                continue
            if name == "src" and not _uploaded_image(value.strip()):
                continue
            if name in {"width", "height", "colspan", "rowspan"} and not _NUMBER.match(
                value.strip()
            ):
                continue
            kept.append(f' {name}="{html.escape(value.strip(), quote=True)}"')
        if tag == "img" and not any(k.startswith(" src=") for k in kept):
            return
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in VOID_TAGS and self.open and self.open[-1] == tag.lower():
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in DROP_WITH_CONTENT:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip or tag not in ALLOWED_TAGS or tag in VOID_TAGS or tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def sanitize_html(text: str) -> str:
    """Return ``text`` with only whitelisted tags and safe attributes; plain text is escaped."""
    parser = _Sanitiser()
    parser.feed(text or "")
    parser.close()
    return parser.result().strip()


_TAG = re.compile(r"<[^>]*>")


def plain_text(text: str) -> str:
    """The text of sanitised HTML, for lists, exports and search."""
    return " ".join(html.unescape(_TAG.sub(" ", text or "")).split())
