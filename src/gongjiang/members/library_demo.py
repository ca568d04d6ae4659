"""Demo e-library: 50 books generated here (35 EPUBs, 15 PDFs; deterministic: the same titles,
ISBNs and bytes on every run), a reading list by the enterprise's trainer, and some reading so
the statistics have figures. Idempotent: skipped when the province already has books."""

from __future__ import annotations

import io
import random
import zipfile
from typing import Any

from django.utils import timezone

from gongjiang.core.demo import DemoContext
from gongjiang.core.models import Occupation

from . import library
from .models import Book, ReadingProgress

BOOKS = 50
EPUBS = 35
TOPICS = [
    ("焊接工艺与质量控制", "焊接"),
    ("数控车床编程实例", "数控加工"),
    ("电工基础与安全用电", "电工"),
    ("轨道交通车辆检修", "轨道交通"),
    ("钳工技能训练", "钳工"),
    ("工业机器人操作与维护", "工业机器人"),
    ("安全生产法律法规读本", "安全生产"),
    ("劳动合同法一百问", "法律"),
    ("大国工匠的故事", "工匠精神"),
    ("班组长管理实务", "班组管理"),
]
AUTHORS = ["王建国", "李秀英", "张志强", "刘海燕", "陈卫东", "杨丽华", "赵国庆", "周敏"]


def isbn13(n: int) -> str:
    body = f"978751{n:06d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _chapter(title: str, number: int, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="zh-CN"><head>'
        f"<title>{title}</title></head><body><h1>第{number}章 {title}</h1>{body}</body></html>"
    )


def epub_bytes(title: str, author: str, isbn: str, chapters: list[tuple[str, list[str]]]) -> str:
    """A small valid EPUB 3 (fixed timestamps, so the bytes are the same on every run)."""
    out = io.BytesIO()
    stamp = (2026, 1, 1, 0, 0, 0)

    def add(zf: zipfile.ZipFile, name: str, data: str, stored: bool = False) -> None:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        zf.writestr(info, data)

    items = "".join(
        f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
        for i in range(len(chapters))
    )
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    nav_items = "".join(
        f'<li><a href="c{i}.xhtml">{t}</a></li>' for i, (t, _p) in enumerate(chapters)
    )
    with zipfile.ZipFile(out, "w") as zf:
        add(zf, "mimetype", "application/epub+zip", stored=True)
        add(
            zf,
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        add(
            zf,
            "OEBPS/content.opf",
            '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" '
            'version="3.0" unique-identifier="id"><metadata '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">urn:isbn:{isbn}</dc:identifier><dc:title>{title}</dc:title>'
            f"<dc:creator>{author}</dc:creator><dc:language>zh-CN</dc:language></metadata>"
            '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
            f'properties="nav"/>{items}</manifest><spine>{spine}</spine></package>',
        )
        add(
            zf,
            "OEBPS/nav.xhtml",
            '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>目录</title></head><body>'
            f'<nav epub:type="toc"><ol>{nav_items}</ol></nav></body></html>',
        )
        for i, (t, paragraphs) in enumerate(chapters):
            add(zf, f"OEBPS/c{i}.xhtml", _chapter(t, i + 1, paragraphs))
    return out.getvalue()


def pdf_bytes(title: str, author: str, pages: list[str]) -> bytes:
    """A small PDF with CJK text (reportlab; invariant, so the bytes repeat)."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    from gongjiang.core.pdf_fonts import cjk_font

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A5, invariant=True)
    c.setTitle(title)
    c.setAuthor(author)
    font = cjk_font()
    for n, text in enumerate(pages, 1):
        c.setFont(font, 16)
        c.drawString(40, 540, title)
        c.setFont(font, 11)
        y = 500
        for line in [text[i : i + 22] for i in range(0, len(text), 22)]:
            c.drawString(40, y, line)
            y -= 20
        c.drawString(180, 30, f"— {n} —")
        c.showPage()
    c.save()
    return out.getvalue()


def _paragraphs(rng: random.Random, topic: str, n: int) -> list[str]:
    pieces = [
        f"{topic}是一线职工必须掌握的基本功。",
        "操作前要检查设备，确认安全防护到位。",
        "老师傅常说：精益求精，一丝不苟。",
        "按照作业指导书的步骤进行，并做好记录。",
        "遇到异常情况，应立即停机并报告班组长。",
        "质量是企业的生命，每一道工序都要自检互检。",
    ]
    return ["".join(rng.sample(pieces, 3)) for _ in range(n)]


def load(ctx: DemoContext, stdout: Any) -> None:
    if Book.objects.filter(organization=ctx.province).exists():
        stdout.write("members library: already loaded\n")
        return
    rng = random.Random(18)
    officer = ctx.users["js_officer"]
    occupations = list(
        Occupation.objects.filter(level=Occupation.Level.OCCUPATION).order_by("code")[:40]
    )
    books = []
    for n in range(BOOKS):
        topic, subject = TOPICS[n % len(TOPICS)]
        title = f"{topic}（第{n // len(TOPICS) + 1}册）"
        author = AUTHORS[n % len(AUTHORS)]
        isbn = isbn13(n + 1)
        if n < EPUBS:
            chapters = [
                (f"{topic}·{part}", _paragraphs(rng, topic, 12))
                for part in ("概述", "基本原理", "操作要领", "常见问题", "案例分析")[: 3 + n % 3]
            ]
            data = epub_bytes(title, author, isbn, chapters)
        else:
            data = pdf_bytes(
                title, author, [" ".join(_paragraphs(rng, topic, 2)) for _ in range(4)]
            )
        limited = n % 5 == 4
        books.append(
            library.book_add(
                actor=officer,
                organization=ctx.province,
                upload=io.BytesIO(data),
                title=title,
                author=author,
                isbn=isbn,
                subjects=[subject, "职工书屋"],
                occupations=[occupations[n % len(occupations)]] if occupations else [],
                licence=Book.Licence.LIMITED if limited else Book.Licence.OPEN,
                copies=2 if limited else 1,
                loan_days=14,
            )
        )
    trainer = ctx.users["pz_trainer"]
    library.reading_list_create(
        actor=trainer,
        organization=ctx.enterprises[0],
        title="轨道交通车辆检修工必读",
        occupation=None,
        note="新入职职工三个月内读完。",
        books=[b for b in books if "轨道交通" in b.title or "安全" in b.title][:6],
    )
    worker = ctx.users["pz_worker"]
    library.progress_save(actor=worker, book=books[3], position=1, offset=300, seconds=120)
    library.book_borrow(actor=worker, book=books[4])
    for username in ("pz_officer", "nj_worker", "js_worker", "pz_hr"):
        user = ctx.users.get(username)
        if user is not None:
            for b in [b for b in books if not b.is_limited][: 3 + len(username) % 4]:
                library.progress_save(actor=user, book=b, position=0, seconds=90)
    ReadingProgress.objects.filter(user=worker).update(updated_at=timezone.now())
    stdout.write(f"members library: {len(books)} books ({EPUBS} EPUB), 1 reading list\n")
