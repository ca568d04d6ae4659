"""In Chromium: a worker answers a survey on a phone (home to-do → skip logic → thanks); the
officer then reads the results with their charts on a desktop."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.surveys import services
from gongjiang.surveys.models import Response

from ..counters_helpers import fold
from .helpers import QUESTIONS, answers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-horse-9")
    page.click("#login-button")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_worker_answers_on_a_phone_and_officer_reads_results(
    phone_page: Any, page: Any, live_server: Any, sw: Any
) -> None:
    for i, w in enumerate(sw.workers[1:11]):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i + 1))
    base = live_server.url
    phone = phone_page
    login(phone, base, sw.workers[0].user.username)
    phone.goto(f"{base}/")
    phone.click("a[href='/surveys/mine/']")
    phone.click(f"a[href='/surveys/{sw.survey.code}/answer/']")
    # asked only after an unhappy first answer: the page's script hides it once it has loaded
    phone.wait_for_selector("#q-q6", state="attached")
    phone.wait_for_selector("#q-q6", state="hidden")
    phone.click("label[for='q1-b']")
    phone.wait_for_selector("#q-q6", state="visible")
    phone.click("label[for='q2-wage']")
    phone.click("label[for='q3-4']")
    phone.click("label[for='q4-r1-2']")
    phone.click("label[for='q4-r2-5']")
    phone.select_option("#q5-x", "2")
    phone.select_option("#q5-y", "1")
    phone.fill("#q6-text", "夜班太多")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.click("#submit")
    phone.wait_for_selector("#thanks")
    assert Response.objects.filter(survey=sw.survey).count() == 11
    assert Response.objects.filter(answers__q6="夜班太多").exists()
    # the to-do is gone
    phone.goto(f"{base}/surveys/mine/")
    assert sw.survey.title not in phone.inner_text("#to-answer")

    login(page, base, "alice")
    results = f"{base}/surveys/{sw.survey.code}/results/"
    # the answers wait in the queue until the worker's fold (every 5 s): the page says so
    page.goto(results)
    assert page.locator("#suppressed").count() == 1
    assert " 11 " in page.inner_text("#counters-freshness")
    fold()
    page.goto(results)
    page.wait_for_selector("[data-chart='q1'] canvas")
    assert "11" in page.inner_text("#respondents")
    assert page.locator("#counters-freshness").count() == 0


def test_worker_without_login_answers_by_anonymous_link_on_a_phone(
    phone_page: Any, live_server: Any, sw: Any
) -> None:
    """A worker with no account opens the link they were handed, on a 390 px phone: skip logic
    hides the follow-up question for a happy answer (and nothing of it is stored), the answers are
    taken once, and the link then refuses a second set."""
    base = live_server.url
    phone = phone_page
    worker = sw.few[0]
    link = f"{base}/surveys/a/{sw.tokens[worker.code]}/"
    phone.goto(link)
    phone.wait_for_selector("#q-q6", state="attached")
    phone.wait_for_selector("#q-q6", state="hidden")
    phone.click("label[for='q1-b']")  # unhappy: the follow-up appears
    phone.wait_for_selector("#q-q6", state="visible")
    phone.click("label[for='q1-a']")  # happy after all: it hides again
    phone.wait_for_selector("#q-q6", state="hidden")
    phone.click("label[for='q2-training']")
    phone.click("label[for='q3-2']")
    phone.click("label[for='q4-r1-3']")
    phone.click("label[for='q4-r2-4']")
    phone.select_option("#q5-x", "1")
    phone.select_option("#q5-y", "2")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.click("#submit")
    phone.wait_for_selector("#thanks")
    stored = list(Response.objects.filter(survey=sw.survey).values_list("answers", flat=True))
    assert len(stored) == 1
    assert stored[0]["q1"] == "a" and stored[0]["q2"] == ["training"] and "q6" not in stored[0]
    # the response holds no trace of the worker; the completion mark only a date
    inv = sw.survey.invitations.get(worker=worker)
    assert inv.completed_on is not None
    # the link answers once
    phone.goto(link)
    assert phone.locator("#submit").count() == 0
    assert Response.objects.filter(survey=sw.survey).count() == 1


def test_officer_reissues_links_for_a_list_chosen_by_name(
    phone_page: Any, page: Any, live_server: Any, sw: Any
) -> None:
    """The bulk re-issue section: a worker found by name with the scoped picker is added to the
    list, the list is sent and the new links come as one workbook; the page fits a 390 px phone."""
    from .helpers import make_workers

    workers = make_workers(sw.world.enterprise_a, 2, start=300, users=False)
    survey = services.survey_create(
        actor=sw.world.alice, organization=sw.world.province_a, title="补发", questions=QUESTIONS
    )
    services.survey_publish(actor=sw.carol, survey=survey)
    services.survey_distribute(actor=sw.world.alice, survey=survey, audience=sw.world.province_a)
    base = live_server.url
    login(page, base, "alice")
    page.goto(f"{base}/surveys/{survey.code}/")
    page.click("#reissue-bulk summary")
    page.fill("#id_bulk_codes", workers[0].code)
    page.fill("#id_pick", workers[1].name)
    page.wait_for_function(
        "code => Array.from(document.querySelectorAll('#pick-bulk-worker option'))"
        ".some(o => o.value === code)",
        arg=workers[1].code,
    )
    page.fill("#id_pick", workers[1].code)
    page.press("#id_pick", "Enter")
    assert page.input_value("#id_bulk_codes").split() == [workers[0].code, workers[1].code]
    assert page.input_value("#id_pick") == ""
    page.once("dialog", lambda d: d.accept())
    with page.expect_download() as download:
        page.click("#reissue-bulk-send")
    assert download.value.suggested_filename.endswith(".xlsx")
    login(phone_page, base, "alice")
    phone_page.goto(f"{base}/surveys/{survey.code}/")
    phone_page.click("#reissue-bulk summary")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
