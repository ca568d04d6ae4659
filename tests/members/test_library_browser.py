"""On a 390 px phone: a worker opens the e-library from the home, opens a book, reads a page,
turns to the next chapter, makes the text larger and scrolls; the position is kept, so
"continue reading" on the home brings them back to the same chapter and place. A PDF page is
drawn from the server's rendering."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.members.library_demo import epub_bytes
from gongjiang.members.models import ReadingProgress

from .library_helpers import add_book, good_pdf
from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_worker_reads_a_book_and_the_position_is_kept(
    phone_page: Any, live_server: Any, world: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    long_text = [f"第{i}段：焊前清理坡口，控制层间温度，焊后检查焊缝外观。" * 3 for i in range(80)]
    data = epub_bytes(
        "焊工读本", "王建国", "9780306406157", [("开篇", long_text), ("焊接要领", long_text)]
    )
    book = add_book(world.alice, world.province_a, data)
    pdf = add_book(world.alice, world.province_a, good_pdf(2), title="电工基础")
    page, base = phone_page, live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, "worker_a")

    page.goto(f"{base}/members/")
    page.click("#go-library")
    page.click(f"[data-book='{book.code}']")
    page.click("#read-book")
    page.wait_for_selector("#reader h1")
    assert "第1章 开篇" in page.inner_text("#reader h1")
    page.click("#read-next")
    page.wait_for_selector("#reader h1")
    assert "第2章 焊接要领" in page.inner_text("#reader h1")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    before = page.evaluate("() => getComputedStyle(document.getElementById('reader')).fontSize")
    page.click("#font-larger")
    after = page.evaluate("() => getComputedStyle(document.getElementById('reader')).fontSize")
    assert float(after.rstrip("px")) > float(before.rstrip("px"))

    with page.expect_response(lambda r: "/progress/" in r.url and r.status == 200):
        page.mouse.wheel(0, 3000)
    row = ReadingProgress.objects.get(user=world.worker_a, book=book)
    assert row.position == 1 and row.offset > 0

    # back on the home: continue reading opens the same chapter, scrolled to the same place
    page.goto(f"{base}/members/")
    page.click("#home-reading a[href*='/read/']")
    page.wait_for_selector("#reader h1")
    assert "第2章 焊接要领" in page.inner_text("#reader h1")
    page.wait_for_function("() => window.scrollY > 500")  # restored from the kept offset
    # the text size is kept on the phone
    kept = page.evaluate("() => getComputedStyle(document.getElementById('reader')).fontSize")
    assert kept == after

    # a PDF page, drawn by the server
    page.goto(f"{base}/members/library/{pdf.code}/read/?at=1")
    page.wait_for_selector("#pdf-page")
    page.wait_for_function("() => document.getElementById('pdf-page').complete")
    assert page.evaluate("() => document.getElementById('pdf-page').naturalWidth") > 100
    assert "2" in page.inner_text("#page-number")
    assert errors == []
    # leaving the reader sends its position as a beacon; let no save reach the server while the
    # test database is being flushed after the test (on SQLite the live server shares it)
    page.route("**/progress/**", lambda route: route.abort())
    page.goto("about:blank")
    page.wait_for_timeout(1000)
