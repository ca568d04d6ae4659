"""Exam integrity: the bank's keys never reach a candidate early.

* Options go to the browser and the API with their displayed labels only (A, B, C… in the attempt's
  shuffled order); the server maps a label back to the bank key from the attempt's stored order, on
  every save path (the first save of a session and the pinned fast path alike) and in practice.
* What a candidate sees of a submitted attempt follows the session's review options (marks,
  right/wrong, correct answers, explanations: never / after the attempt / after the session closes),
  and the correct answers are never shown while the candidate may still start another attempt.
* Answers are limited per question type, and the body of a save before it is parsed."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from gongjiang.core.auth import session_pins
from gongjiang.learning.answers import TEXT_ANSWER_MAX_CHARS, labels_to_keys
from gongjiang.learning.bank.services import paper_create
from gongjiang.learning.exams.presenters import attempt_result
from gongjiang.learning.exams.services import (
    exam_answer_save,
    exam_attempt_start,
    exam_attempt_submit,
)
from gongjiang.learning.models import Attempt, AttemptItem, ExamSession
from gongjiang.learning.practice.services import practice_answer, practice_mock_start

from .factories import make_question, make_session, shown

API = "/api/v1/learning"
PG = connection.vendor == "postgresql"
FILL_SECRET = "扭矩扳手校准值"
EXPLANATION_SECRET = "解析内容不可提前泄露"


def integrity_bank(world):
    """Choice questions whose right answer is the bank's "A", a fill-in with a distinctive answer."""
    kw = {"explanation": EXPLANATION_SECRET}
    return [
        make_question(world.alice, world.province_a, "single", answer="A", stem="单选一", **kw),
        make_question(world.alice, world.province_a, "single", answer="A", stem="单选二", **kw),
        make_question(
            world.alice, world.province_a, "multiple", answer=["A", "B"], stem="多选", **kw
        ),
        make_question(
            world.alice, world.province_a, "fill", answer=[[FILL_SECRET]], stem="填空 ___", **kw
        ),
    ]


def put(client, code, position, response, seq):
    return client.put(
        f"{API}/attempts/{code}/answers/{position}",
        data=json.dumps({"response": response, "seq": seq}),
        content_type="application/json",
    )


@pytest.fixture(params=["first save", "pinned session"])
def sitting(request, client, world):
    """A candidate in an exam whose options are in a known non-bank order (D, C, B, A)."""
    bank = integrity_bank(world)
    session = make_session(
        world.alice,
        world.province_a,
        bank,
        candidates=[world.worker_a],
        shuffle_questions=False,
        attempts_allowed=1,
    )
    client.force_login(world.worker_a)
    code = client.post(f"{API}/sessions/{session.code}/start").json()["code"]
    attempt = Attempt.objects.get(code=code)
    for item in attempt.items.select_related("version"):
        keys = [o["key"] for o in item.version.options]
        item.option_order = list(reversed(keys))
        item.save(update_fields=["option_order"])
    if request.param == "pinned session":
        assert put(client, code, 4, "x", 1).status_code == 200
        assert (
            session_pins.get(client.cookies[settings.SESSION_COOKIE_NAME].value) is not None
        ) is PG
    return session, attempt


def test_no_page_or_api_response_of_an_open_attempt_holds_a_key(client, sitting) -> None:
    _session, attempt = sitting
    bodies = [
        client.get(f"/learning/attempts/{attempt.code}/").content,
        client.get(f"{API}/attempts/{attempt.code}").content,
        client.post(f"{API}/sessions/{attempt.session.code}/start").content,
        client.get(f"{API}/attempts/{attempt.code}/result").content,
        put(client, attempt.code, 1, "A", 5).content,
    ]
    for body in bodies:
        text = body.decode()
        assert FILL_SECRET not in text and EXPLANATION_SECRET not in text
        assert "data-key" not in text and '"key"' not in text and '"answer"' not in text
    data = client.get(f"{API}/attempts/{attempt.code}").json()
    for item, row in zip(attempt.items.select_related("version"), data["items"], strict=True):
        if row["options"]:
            # labels A, B, C… in the displayed order; the text under "A" is the bank's last option
            assert [o["label"] for o in row["options"]] == list("ABCD")
            assert set(row["options"][0]) == {"label", "text"}
            by_key = {o["key"]: o["text"] for o in item.version.options}
            assert [o["text"] for o in row["options"]] == [by_key[k] for k in item.option_order]
    js = (settings.BASE_DIR / "learning/static/learning/exam.js").read_text()
    assert "o.key" not in js and "data-key" not in js


def test_the_displayed_label_is_mapped_back_from_the_stored_order(client, sitting) -> None:
    _session, attempt = sitting
    # the bank's right answer "A" is shown as "D" here (order D, C, B, A); "A" on screen is wrong
    assert put(client, attempt.code, 1, "D", 10).json()["saved"] is True
    assert put(client, attempt.code, 2, "A", 10).json()["saved"] is True
    assert put(client, attempt.code, 3, ["D", "C"], 10).json()["saved"] is True
    assert put(client, attempt.code, 4, [FILL_SECRET], 10).json()["saved"] is True
    assert AttemptItem.objects.get(attempt=attempt, position=1).response == "D"  # as chosen
    result = client.post(f"{API}/attempts/{attempt.code}/submit").json()
    scores = {i["position"]: i["score"] for i in result["items"]}
    assert scores == {1: "1.00", 2: "0.00", 3: "1.00", 4: "1.00"}
    assert result["items"][0]["response_text"] == "D"


def test_always_picking_the_bank_favourite_letter_scores_by_chance_only(world) -> None:
    questions = [
        make_question(world.alice, world.province_a, "single", answer="A", stem=f"题{i}")
        for i in range(12)
    ]
    session = make_session(world.alice, world.province_a, questions, candidates=[world.worker_a])
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    items = list(attempt.items.select_related("version"))
    # make the stored orders put the bank's "A" everywhere but first: "A" on screen is never right
    for item in items:
        item.option_order = ["B", "C", "A", "D"]
        item.save(update_fields=["option_order"])
        exam_answer_save(
            actor=world.worker_a, attempt=attempt, position=item.position, response="A", seq=1
        )
    attempt = exam_attempt_submit(actor=world.worker_a, attempt=attempt)
    assert attempt.score == 0


def test_practice_sends_labels_and_maps_them_back(client, world) -> None:
    q = make_question(
        world.alice,
        world.province_a,
        "single",
        options=["甲", "乙", "丙", "丁"],
        answer="C",
        explanation=EXPLANATION_SECRET,
    )
    client.force_login(world.worker_a)
    page = client.get("/learning/practice/question/?mode=sequential").content.decode()
    assert EXPLANATION_SECRET not in page and "data-key" not in page
    assert 'value="C"' in page  # a label (bank order in practice)
    r = client.post(
        "/learning/practice/question/?mode=sequential", {"question": q.code, "choice": "C"}
    )
    assert "gj-right" in r.content.decode() and EXPLANATION_SECRET in r.content.decode()
    assert labels_to_keys("single", q.current.options, ["D", "C", "B", "A"], "B") == "C"


# ------------------------------------------------------------------------------ review options
def _sit_and_submit(world, session, right=True):
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    for item in attempt.items.select_related("version"):
        response = shown(item, item.version.answer) if right else None
        exam_answer_save(
            actor=world.worker_a, attempt=attempt, position=item.position, response=response, seq=1
        )
    return exam_attempt_submit(actor=world.worker_a, attempt=attempt)


def _single(world, **kw):
    q = make_question(world.alice, world.province_a, "single", explanation=EXPLANATION_SECRET)
    return make_session(world.alice, world.province_a, [q], candidates=[world.worker_a], **kw)


def test_an_exam_shows_marks_only_until_the_session_closes(world) -> None:
    session = _single(world)
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    during = attempt_result(attempt)
    assert during["review"] == dict.fromkeys(
        ("marks", "correctness", "answers", "explanations"), False
    )
    assert during["score"] is None and during["items"] == []
    attempt = _sit_and_submit(world, session)
    after = attempt_result(attempt)
    assert after["score"] == attempt.max_score and after["review"]["marks"]
    row = after["items"][0]
    assert row["score"] is not None
    assert row["correct"] is None and row["answer"] is None and row["explanation"] is None
    closed = attempt_result(attempt, now=session.closes_at)  # the boundary itself: closed
    row = closed["items"][0]
    assert row["correct"] == "right" and row["answer_text"] and row["explanation"]
    just_before = attempt_result(attempt, now=session.closes_at - dt.timedelta(seconds=1))
    assert just_before["items"][0]["answer"] is None


def test_answers_are_never_shown_while_another_attempt_may_start(world) -> None:
    session = _single(
        world,
        attempts_allowed=2,
        review_correctness="attempt",
        review_answers="attempt",
        review_explanations="attempt",
    )
    first = _sit_and_submit(world, session, right=False)
    review = attempt_result(first)
    assert review["review"]["correctness"] and review["items"][0]["correct"] == "wrong"
    assert review["items"][0]["answer"] is None and review["items"][0]["explanation"] is None
    second = _sit_and_submit(world, session)
    assert second.number == 2
    shown_now = attempt_result(first)  # no attempt left: the answers may be shown now
    assert shown_now["items"][0]["answer_text"] and shown_now["items"][0]["explanation"]


def test_marks_never_shown_hide_the_score_everywhere(client, world) -> None:
    session = _single(world, review_marks="never")
    attempt = _sit_and_submit(world, session)
    client.force_login(world.worker_a)
    result = client.get(f"{API}/attempts/{attempt.code}/result").json()
    assert result["released"] and result["score"] is None and result["percent"] is None
    assert result["items"][0]["score"] is None
    page = client.get(f"/learning/attempts/{attempt.code}/result/").content.decode()
    assert 'id="result-score"' not in page and "result-later" in page
    listing = client.get("/learning/exams/").content.decode()
    assert "100.00%" not in listing


def test_a_practice_mock_exam_shows_everything_at_once(world) -> None:
    q = make_question(world.alice, world.province_a, "single", explanation=EXPLANATION_SECRET)
    paper = paper_create(
        actor=world.alice,
        organization=world.province_a,
        title="模拟",
        question_codes=[q.code],
        is_practice=True,
    )
    attempt = practice_mock_start(actor=world.worker_a, paper=paper)
    session = ExamSession.objects.get(pk=attempt.session_id)
    attempt = _sit_and_submit(world, session)
    row = attempt_result(attempt)["items"][0]
    assert row["correct"] == "right" and row["answer_text"] and row["explanation"]


def test_review_options_are_set_through_the_api(client, world) -> None:
    q = make_question(world.alice, world.province_a, "single")
    paper = paper_create(
        actor=world.alice, organization=world.province_a, title="卷", question_codes=[q.code]
    )
    now = timezone.now()
    payload = {
        "organization": world.province_a.code,
        "paper": paper.code,
        "title": "考",
        "opens_at": now.isoformat(),
        "closes_at": (now + dt.timedelta(hours=1)).isoformat(),
        "review_answers": "never",
    }
    client.force_login(world.alice)
    r = client.post(f"{API}/sessions", data=json.dumps(payload), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["review_marks"], body["review_answers"], body["review_correctness"]) == (
        "attempt",
        "never",
        "closed",
    )
    payload["review_marks"] = "sometimes"
    r = client.post(f"{API}/sessions", data=json.dumps(payload), content_type="application/json")
    assert r.status_code == 422 and "review_marks" in r.content.decode()


# -------------------------------------------------------------------------------- answer limits
@pytest.mark.parametrize(
    ("position", "response"),
    [
        (1, "E"),  # single choice of four: no option E
        (1, ["A", "B"]),  # one option only
        (1, "x" * 10),
        (2, ["A", "A"]),  # the same option twice
        (2, ["A", "B", "C", "D", "E"]),  # more than the options
        (4, ["a", "b"]),  # two answers for one blank
        (4, ["x" * 201]),
        (4, {"a": 1}),
    ],
)
def test_an_answer_that_does_not_fit_its_question_is_refused(
    client, sitting, position, response
) -> None:
    _session, attempt = sitting
    before = AttemptItem.objects.get(attempt=attempt, position=position)
    r = put(client, attempt.code, position, response, 20)
    assert r.status_code == 422, r.content
    assert r.json()["details"][0]["field"] == "response"
    after = AttemptItem.objects.get(attempt=attempt, position=position)
    assert (after.response, after.seq) == (before.response, before.seq)


def test_a_written_answer_is_limited(world) -> None:
    from django.core.exceptions import ValidationError

    short = make_question(world.alice, world.province_a, "short")
    session = make_session(world.alice, world.province_a, [short], candidates=[world.worker_a])
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    ok = exam_answer_save(
        actor=world.worker_a,
        attempt=attempt,
        position=1,
        response="字" * TEXT_ANSWER_MAX_CHARS,
        seq=1,
    )
    assert ok["saved"]
    with pytest.raises(ValidationError) as exc:
        exam_answer_save(
            actor=world.worker_a,
            attempt=attempt,
            position=1,
            response="字" * (TEXT_ANSWER_MAX_CHARS + 1),
            seq=2,
        )
    assert "response" in exc.value.message_dict
    assert AttemptItem.objects.get(attempt=attempt).seq == 1


def test_a_huge_body_is_refused_before_it_is_parsed(client, sitting) -> None:
    _session, attempt = sitting
    r = put(client, attempt.code, 1, "A" * (9 * 1024 * 1024), 30)
    assert r.status_code == 413 and r.json()["code"] == "answer_too_large"
    assert AttemptItem.objects.get(attempt=attempt, position=1).seq == 0


def test_practice_answers_are_limited_too(world) -> None:
    from django.core.exceptions import ValidationError

    q = make_question(world.alice, world.province_a, "single")
    with pytest.raises(ValidationError):
        practice_answer(actor=world.worker_a, question=q, response="A" * 9_000_000)


def test_the_own_profile_timeline_follows_the_review_options(world) -> None:
    from types import SimpleNamespace

    from gongjiang.learning.timeline import exam_entries

    session = _single(world, review_marks="never")
    _sit_and_submit(world, session)
    worker = SimpleNamespace(user_id=world.worker_a.pk)
    own = exam_entries(worker, world.worker_a)[0].detail
    manager = exam_entries(worker, world.alice)[0].detail
    assert "%" not in own and "100.00%" in manager
