"""Books for the e-library tests: a valid EPUB with chosen extra or replaced entries, a PDF."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from gongjiang.members import library
from gongjiang.members.library_demo import epub_bytes, pdf_bytes

CHAPTERS = [
    ("开篇", ["第一段文字。", "第二段文字。"]),
    ("焊接要领", ["焊前清理坡口。", "控制层间温度。"]),
    ("安全须知", ["佩戴护目镜。"]),
]


def good_epub(title: str = "焊工手册") -> bytes:
    return epub_bytes(title, "王建国", "9787111111115", CHAPTERS)


def epub_with(
    replace: dict[str, str | bytes] | None = None,
    extra: list[tuple[str, str | bytes]] | None = None,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A copy of the good EPUB with entries replaced or added (in that order)."""
    source = zipfile.ZipFile(io.BytesIO(good_epub()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in source.infolist():
            data: Any = (replace or {}).get(info.filename, source.read(info))
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else compression
            zf.writestr(zipfile.ZipInfo(info.filename), data, compress_type=kind)
        for name, data in extra or []:
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def chapter(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>t</title></head><body>{body}</body></html>"
    )


def good_pdf(pages: int = 3) -> bytes:
    return pdf_bytes("电工基础", "李秀英", [f"第{i + 1}页的内容。" for i in range(pages)])


def add_book(actor: Any, org: Any, data: bytes | None = None, **kw: Any) -> Any:
    return library.book_add(
        actor=actor, organization=org, upload=io.BytesIO(data or good_epub()), **kw
    )
