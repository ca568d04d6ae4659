"""The demo's e-library: 50 generated books (35 EPUB, 15 PDF) that pass the upload checks, the
same bytes on every run, a reading list, reading figures; loading twice changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from gongjiang.core.demo import load_core_demo
from gongjiang.members import library, library_demo, library_reader
from gongjiang.members.models import Book, BookLoan, ReadingList, ReadingProgress

pytestmark = pytest.mark.django_db


def test_demo_library_loads_twice(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    ctx = load_core_demo()
    library_demo.load(ctx, io.StringIO())
    library_demo.load(ctx, io.StringIO())  # idempotent
    assert Book.objects.count() == library_demo.BOOKS == 50
    assert Book.objects.filter(format="epub").count() == library_demo.EPUBS
    assert Book.objects.filter(licence="limited").count() == 10
    assert ReadingList.objects.count() == 1
    assert BookLoan.objects.filter(returned_at__isnull=True).count() == 1
    worker = ctx.users["pz_worker"]
    reading = library.continue_reading(actor=worker)
    assert reading and reading[0].position == 1
    assert "第2章" in library_reader.chapter_html(reading[0].book, 1)
    stats = library.stats_union(actor=ctx.users["js_officer"], organization=ctx.province)
    assert stats["readers"] == ReadingProgress.objects.values("user").distinct().count() >= 4
    # deterministic: the generators give the same bytes again
    chapters = [("一", ["甲"]), ("二", ["乙"])]
    assert library_demo.epub_bytes("书", "人", "9780306406157", chapters) == (
        library_demo.epub_bytes("书", "人", "9780306406157", chapters)
    )
    assert library_demo.pdf_bytes("书", "人", ["页"]) == library_demo.pdf_bytes("书", "人", ["页"])
