"""On a phone-sized screen (390 px): a worker opens the campaign, answers its contest, sees their
result, their unit's rank and the ranking; an activity's photo is shown on its page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongjiang.members import photos
from gongjiang.members.models import ContestEntry

from ..counters_helpers import fold
from .test_browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def no_sideways_scroll(page: Any) -> None:
    page.wait_for_load_state()  # a click may have just started loading the next page
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"


def test_worker_answers_the_campaign_contest_on_the_phone(
    phone_page: Any, live_server: Any, world: Any, ms: Any, settings: Any, tmp_path: Any
) -> None:
    page, base = phone_page, live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, "worker_a")
    page.goto(f"{base}/members/campaigns/")
    page.click(f"a[href='/members/campaigns/{ms.campaign.code}/']")
    page.wait_for_selector("#contest-form")
    assert ms.campaign.title in page.inner_text("h1, header")
    no_sideways_scroll(page)
    single, tf, multiple = ms.questions
    page.check(f"input[name='q_{single.code}'][value='B']")
    page.check(f"input[name='q_{tf.code}'][value='true']")
    page.check(f"input[name='q_{multiple.code}'][value='A']")  # half of the multiple choice
    page.click("#submit-contest")
    page.wait_for_selector("#my-entry")
    assert "2.50" in page.inner_text("#my-entry")
    # the answer reaches the tallies with the worker's fold (every 5 s); until then the page says so
    assert " 1 " in page.inner_text("#counters-freshness")
    no_sideways_scroll(page)
    fold()
    page.reload()
    page.wait_for_selector("#my-rank")
    assert page.locator("#counters-freshness").count() == 0
    assert world.enterprise_a.name in page.inner_text("#my-rank")
    ranking = page.inner_text("#ranking")
    assert world.enterprise_a.name in ranking and "1" in ranking
    assert "1" in page.inner_text("#participation")
    assert page.locator("#contest-form").count() == 0  # once per person
    no_sideways_scroll(page)
    assert ContestEntry.objects.get(campaign=ms.campaign, user=world.worker_a).score == 2.5

    # an activity's photo, shown on its page at the phone's width
    settings.MEDIA_ROOT = tmp_path
    raw = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 90, 200)).save(raw, "JPEG")
    photos.photo_add(
        actor=world.enterprise_officer_a,
        activity=ms.activity,
        file=SimpleUploadedFile("p.jpg", raw.getvalue(), content_type="image/jpeg"),
        caption="赛前合影",
    )
    page.goto(f"{base}/members/activities/{ms.activity.code}/")
    img = page.locator("#photos img")
    img.wait_for()
    page.wait_for_function("() => document.querySelector('#photos img').complete")
    assert page.evaluate("() => document.querySelector('#photos img').naturalWidth") == 1200
    box = img.bounding_box()
    assert box is not None and box["width"] <= 390
    no_sideways_scroll(page)
    assert errors == []
