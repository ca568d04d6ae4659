"""Benchmark: the e-library's work per request — checking an uploaded book, sanitising one EPUB
chapter for the reader, rasterising one PDF page — on generated books.

What it does (no database needed):

1. generates an EPUB of ``--chapters`` chapters of ``--paragraphs`` paragraphs each and a PDF of
   ``--pages`` pages with the demo's generators (``members.library_demo``);
2. times the upload check of each (``library_files.check_book``: zip limits, every entry scanned for
   scripts and remote resources, package read; PDF opened in PDFium, first page drawn as a cover);
3. times sanitising a chapter (``library_reader.chapter_html``: read from the stored archive, nh3)
   and drawing a PDF page 900 px wide (``library_reader.pdf_page_png``, cache cleared each time);

each ``--repeat`` times, median and 95th percentile in milliseconds, with the machine's load.

Run::

    PYTHONPATH=src .venv/bin/python bench/members_library.py

It prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    os.environ.setdefault("SECRET_KEY", "bench-library-secret-key-0123456789abcdef0123456789")
    if not os.environ.get("FIELD_ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def timed(fn: Any, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    return {
        "median_ms": round(statistics.median(runs), 2),
        "p95_ms": round(runs[min(len(runs) - 1, int(len(runs) * 0.95))], 2),
    }


class _Storage:
    def __init__(self, path: str) -> None:
        self.path = path

    def open(self, name: str, mode: str = "rb") -> Any:
        return open(self.path, mode)  # noqa: SIM115 (closed by the caller's with)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chapters", type=int, default=60)
    parser.add_argument("--paragraphs", type=int, default=80)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup()
    from django.core.cache import cache

    from gongjiang.members import library_demo, library_files, library_reader
    from gongjiang.members.models import Book

    text = "焊前清理坡口，控制层间温度，焊后检查焊缝外观；" * 4
    chapters = [(f"第{i}节", [text] * args.paragraphs) for i in range(args.chapters)]
    epub = library_demo.epub_bytes("基准图书", "作者", "9780306406157", chapters)
    pdf = library_demo.pdf_bytes("基准图书", "作者", [text * 3] * args.pages)
    info = library_files.check_book(epub)
    tmp = tempfile.mkdtemp()
    epub_path, pdf_path = Path(tmp, "b.epub"), Path(tmp, "b.pdf")
    epub_path.write_bytes(epub)
    pdf_path.write_bytes(pdf)
    epub_book = SimpleNamespace(
        code="bench", format=Book.Format.EPUB, contents=info.contents, pages=info.pages,
        file=SimpleNamespace(name="b.epub", storage=_Storage(str(epub_path))),
    )  # fmt: skip
    pdf_book = SimpleNamespace(
        code="bench", format=Book.Format.PDF, contents=[], pages=args.pages,
        file=SimpleNamespace(name="b.pdf", storage=_Storage(str(pdf_path))),
    )  # fmt: skip

    library_reader.chapter_html(epub_book, 0)  # warm-up: the URL configuration loads once

    def page() -> None:
        cache.clear()
        library_reader.pdf_page_png(pdf_book, args.pages // 2, 900)

    figures = {
        "load_before": os.getloadavg(),
        "cpus": os.cpu_count(),
        "epub_bytes": len(epub),
        "epub_chapters": args.chapters,
        "pdf_bytes": len(pdf),
        "pdf_pages": args.pages,
        "check_epub": timed(lambda: library_files.check_book(epub), max(3, args.repeat // 4)),
        "check_pdf": timed(lambda: library_files.check_book(pdf), max(3, args.repeat // 4)),
        "chapter_html": timed(
            lambda: library_reader.chapter_html(epub_book, args.chapters // 2), args.repeat
        ),
        "pdf_page_png_900px": timed(page, args.repeat),
        "load_after": os.getloadavg(),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
