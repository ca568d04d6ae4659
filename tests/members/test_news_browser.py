"""On a phone-sized screen (390 px): an officer adds a picture to an article on its page, a worker
sees it small in the feed on the home and whole in the article; the dates of the home's lists stay
on one line beside long titles (they broke into "12-" / "07" before)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from gongjiang.members import activities, news

from .test_browser import login
from .test_campaign_browser import no_sideways_scroll

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG = "南京市新增二十家工惠驿站，户外劳动者歇脚有了好去处，快递骑手外卖小哥都能用"


def one_line(page: Any, selector: str) -> None:
    for box in page.locator(selector).all():
        height = box.evaluate("e => e.getBoundingClientRect().height")
        line = box.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24")
        assert height <= line * 1.3, f"{box.inner_text()!r} wraps: {height} px high"


def test_pictures_of_an_article_on_the_phone(
    phone_page: Any, live_server: Any, world: Any, ms: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page, base = phone_page, live_server.url
    article = news.article_publish(
        actor=world.alice, organization=world.city_a, title=LONG, body="正文第一段。"
    )
    activities.activity_create(
        actor=world.alice,
        organization=world.city_a,
        title="走进南京长江大桥——劳模工匠参观学习活动",
        place="大桥南堡",
        starts_at=timezone.now() + dt.timedelta(days=2),
        ends_at=timezone.now() + dt.timedelta(days=2, hours=3),
        capacity=30,
    )
    picture = tmp_path / "banner.jpg"
    Image.new("RGB", (2400, 1200), (200, 16, 46)).save(picture, "JPEG")

    login(page, base, "alice")
    page.goto(f"{base}/members/news/{article.code}/")
    page.set_input_files("#image", str(picture))
    page.fill("#caption", "颁奖现场")
    with page.expect_navigation():
        page.click("#add-image")
    assert page.locator("#article figure img").count() == 1
    no_sideways_scroll(page)

    page.context.clear_cookies()
    login(page, base, "worker_a")
    page.goto(f"{base}/members/")
    thumb = page.locator("#home-news img.m-thumb")
    assert thumb.count() == 1
    thumb.scroll_into_view_if_needed()  # a lazy image loads when it comes near the screen
    page.wait_for_function(  # served to the worker
        "() => { const e = document.querySelector('#home-news img.m-thumb');"
        " return e.complete && e.naturalWidth > 0; }"
    )
    one_line(page, "#home-news .m-date")
    one_line(page, ".m-date")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.click(f"#home-news a[href='/members/news/{article.code}/']")
    img = page.locator("#article figure img")
    page.wait_for_function(
        "() => { const e = document.querySelector('#article figure img');"
        " return e.complete && e.naturalWidth === 1600; }"
    )
    assert img.evaluate("e => e.getBoundingClientRect().width") <= 390
    assert "颁奖现场" in page.inner_text("#article")
    assert page.locator("#image-form").count() == 0  # a reader adds nothing
    no_sideways_scroll(page)
    bytes_on_disk = next((tmp_path / "media").rglob("*.jpg"), None)
    assert bytes_on_disk is not None
    assert io.BytesIO(bytes_on_disk.read_bytes()).read(3) != b"\xff\xd8\xff"  # encrypted
