"""Browser tests: a worker practises and takes a timed exam on a phone; a marker marks blind."""

from __future__ import annotations

import os
import re

import pytest

from gongjiang.learning.models import Attempt, AttemptItem
from tests.factories import UserFactory, member

from .factories import make_question, make_session

PASSWORD = "Correct-horse-9"


@pytest.fixture
def refdata(transactional_db):
    """A transactional test flushes the tables, reference data included: load it again (idempotent)."""
    from gongjiang.core.models import Region
    from gongjiang.core.refdata import load_reference_data

    if not Region.objects.exists():
        load_reference_data()


def shot(page, name: str) -> None:
    """Screenshots for a person to look at: set GJ_SCREENSHOTS=/some/dir."""
    target = os.environ.get("GJ_SCREENSHOTS")
    if target:
        page.screenshot(path=os.path.join(target, f"{name}.png"), full_page=True)


def login(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


@pytest.mark.browser
def test_worker_practises_and_takes_a_timed_exam_on_a_phone(
    refdata, world, phone_page, live_server
) -> None:
    page = phone_page
    single = make_question(
        world.alice,
        world.province_a,
        "single",
        kp="量具",
        stem="游标卡尺的读数精度？",
        options=["0.02 mm", "0.1 mm", "1 mm"],
        answer="A",
        explanation="常用游标卡尺精度 0.02 mm",
    )
    tf = make_question(
        world.alice,
        world.province_a,
        "true_false",
        kp="安全",
        stem="焊接时可以不戴面罩。",
        answer=False,
    )
    fill = make_question(
        world.alice,
        world.province_a,
        "fill",
        kp="识图",
        stem="M10 的公称直径是 ___ mm",
        answer=[["10"]],
    )
    # practice: in order, first question, a wrong answer shows the explanation
    login(page, live_server, "worker_a", "/learning/practice/")
    page.click("#mode-sequential")
    page.locator("label.gj-option").nth(1).click()
    page.click("#check-answer")
    page.wait_for_selector("#feedback")
    assert "0.02" in page.inner_text("#feedback")
    shot(page, "practice_feedback")
    page.click("#next-question")
    page.wait_for_selector("#practice-form")
    page.goto(f"{live_server.url}/learning/practice/")
    assert page.inner_text("#streak").strip() == "1"
    # the exam: answer on the phone, hand in, see the result
    session = make_session(
        world.alice,
        world.province_a,
        [single, tf, fill],
        candidates=[world.worker_a],
        shuffle_questions=False,
        shuffle_options=False,
        minutes=20,
    )
    page.goto(f"{live_server.url}/learning/exams/{session.code}/")
    page.click("#start-exam")
    page.wait_for_selector("#stem")
    assert re.match(r"^(19|20):\d\d$", page.inner_text("#timer").strip())
    page.locator("label.gj-option input").first.check()  # 0.02 mm
    page.wait_for_selector("#exam[data-pending='0']")
    page.click("#next")
    page.wait_for_selector("label.gj-option[data-value=false]")
    page.locator("label.gj-option[data-value=false] input").check()  # 错
    page.click("#next")
    shot(page, "exam_question")
    page.fill("input[name=q3_0]", "１０")  # full-width digits count
    page.locator("input[name=q3_0]").blur()
    page.wait_for_function(
        "document.getElementById('exam').dataset.pending === '0' && document.getElementById('save-status').textContent !== ''"
    )
    page.wait_for_function("document.querySelectorAll('#grid .btn-secondary').length === 2")
    # a reload (as after losing the connection) resumes at the last question with answers kept
    page.reload()
    page.wait_for_selector("#stem")
    assert page.input_value("input[name=q3_0]") == "１０"
    page.on("dialog", lambda d: d.accept())
    page.click("#submit-exam")
    page.wait_for_selector("#result")
    assert "3.00 / 3.00" in page.inner_text("#result-score")
    shot(page, "exam_result")
    attempt = Attempt.objects.get(session=session, user=world.worker_a)
    assert attempt.status == "complete" and attempt.passed


@pytest.mark.browser
def test_marker_marks_a_subjective_answer(refdata, world, page, live_server) -> None:
    from gongjiang.learning.exams.services import (
        exam_answer_save,
        exam_attempt_start,
        exam_attempt_submit,
    )

    judge = UserFactory(username="judge_b")
    member(judge, world.province_a, "judge")
    short = make_question(
        world.alice, world.province_a, "short", stem="简述錾削的安全要求", rubric="防护眼镜 2 分"
    )
    session = make_session(world.alice, world.province_a, [short], candidates=[world.worker_a])
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    exam_answer_save(
        actor=world.worker_a, attempt=attempt, position=1, response="戴防护眼镜，錾子无毛刺", seq=1
    )
    exam_attempt_submit(actor=world.worker_a, attempt=attempt)
    login(page, live_server, "judge_b", "/learning/marking/")
    assert "worker_a" not in page.content()
    page.click("#marking-queue a")
    page.wait_for_selector("#candidate-response")
    assert "防护眼镜" in page.inner_text("#candidate-response")
    shot(page, "marking_item")
    page.fill("#id_score", "5")
    page.click("#save-mark")
    page.wait_for_selector("text=Nothing to mark." if False else "#marking-queue")
    assert AttemptItem.objects.get(attempt=attempt).score == 5
    attempt.refresh_from_db()
    assert attempt.status == "complete"


@pytest.mark.browser
def test_officer_imports_the_sample_word_file(refdata, world, page, live_server, tmp_path) -> None:
    """Download the page's sample .docx, upload it, read the report, confirm: the questions exist."""
    from gongjiang.learning.models import Question

    login(page, live_server, "alice", "/learning/questions/import/")
    page.wait_for_selector("#word-example")
    with page.expect_download() as info:
        page.click("#sample-docx")
    sample = tmp_path / "样题.docx"
    sample.write_bytes(open(info.value.path(), "rb").read())
    page.set_input_files("input[name=file]", str(sample))
    page.select_option("select[name=organization]", world.province_a.code)
    page.click("#import-check")
    page.wait_for_selector("#confirm-import")
    shot(page, "question-import-review")
    assert "6" in page.inner_text("#import-summary")
    assert page.locator("#import-errors").count() == 0
    assert Question.objects.count() == 0  # nothing before the confirm
    page.click("#confirm-import")
    page.wait_for_function(
        "document.querySelector('#import-status')?.dataset.status === 'succeeded'"
    )
    assert Question.objects.filter(organization=world.province_a).count() == 6
