"""Names of downloaded files: they say what the file is, in the user's language
(``工作台账-焊工技能提升方案-2026.xlsx``, ``证书-Y000032000001263000001.pdf``), and reach every
browser intact.

``download_filename`` joins the parts with "-" and removes what a file system or a header cannot
carry (path separators, characters Windows refuses, control characters, quotes); ``content_disposition``
sends the name as RFC 6266/5987 ``filename*=UTF-8''…`` with an ASCII ``filename="…"`` fallback (the
Chinese in pinyin) for old clients.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpResponseBase

MAX_STEM = 120  # characters of the name before the extension

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f;]+')
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"-{2,}")
_HAN = re.compile(r"[\u3400-\u9fff]+")


def _clean(part: Any) -> str:
    text = unicodedata.normalize("NFC", str(part))
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = _UNSAFE.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" .-_")


def _stem(parts: Iterable[Any]) -> str:
    stem = "-".join(p for p in (_clean(part) for part in parts if part not in (None, "")) if p)
    return _DASHES.sub("-", stem)[:MAX_STEM].strip(" .-_")


def download_filename(*parts: Any, ext: str) -> str:
    """``part-part-part.ext`` with each part cleaned; empty parts are left out."""
    return f"{_stem(parts) or 'download'}.{ext.lstrip('.')}"


def safe_filename(name: str, *, default: str = "download") -> str:
    """A whole file name (``名册 2026.xlsx``) cleaned by the rules of :func:`download_filename`:
    its extension kept, its stem at most ``MAX_STEM`` characters. A name already built by
    ``download_filename`` comes back unchanged."""
    stem, dot, ext = str(name or "").rpartition(".")
    if not (dot and 0 < len(ext) <= 10 and ext.isascii() and ext.isalnum()):
        stem, ext = str(name or ""), ""
    stem = _stem([stem]) or default
    return f"{stem}.{ext}" if ext else stem


def ascii_fallback(filename: str) -> str:
    """The name in ASCII for clients that ignore ``filename*``: Chinese as pinyin, the rest as is."""
    from pypinyin import lazy_pinyin

    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    # Chinese runs spelled in pinyin, syllables capitalised to stay readable (GongZuoTaiZhang)
    spelled = _HAN.sub(lambda m: "".join(w.capitalize() for w in lazy_pinyin(m.group())), stem)
    out = [
        ch if ch.isascii() else unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        for ch in spelled
    ]
    text = re.sub(r"[^A-Za-z0-9._\- ()\[\]]+", "_", "".join(out)).strip(" ._") or "download"
    return f"{text}.{ext}" if ext else text


def content_disposition(filename: str, *, inline: bool = False) -> str:
    kind = "inline" if inline else "attachment"
    fallback = ascii_fallback(filename)
    encoded = quote(filename, safe="")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def attach(response: HttpResponseBase, filename: str, *, inline: bool = False) -> Any:
    """Set the response's Content-Disposition to ``filename``; returns the response."""
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
