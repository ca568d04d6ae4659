"""Every page answers anonymous → login redirect, out of scope → 404, in scope → 200 (or its redirect)."""

import io

import pytest

from gongjiang.core.exports import xlsx_bytes
from gongjiang.learning.bank.services import paper_create
from gongjiang.learning.exams.services import (
    exam_answer_save,
    exam_attempt_start,
    exam_attempt_submit,
)
from gongjiang.learning.models import Paper, Question
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .factories import make_bank, make_question, make_session


@pytest.fixture
def bank(world):
    return make_bank(world.alice, world.province_a)


def test_manager_pages(client, world, bank) -> None:
    q = bank[0]
    check_access(client, url="/learning/", in_scope=world.alice, out_of_scope=None)
    r = check_access(client, url="/learning/questions/", in_scope=world.alice, out_of_scope=None)
    assert q.code.encode() in r.content
    client.force_login(world.worker_a)
    assert client.get("/learning/questions/").status_code == 403  # a worker keeps no bank
    check_access(
        client, url=f"/learning/questions/{q.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(
        client,
        url=f"/learning/questions/{q.code}/edit/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"/learning/questions/{q.code}/edit/",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
        data={
            "stem": "新题干",
            "options": "甲\n乙\n丙",
            "answer": "C",
            "score": "2",
            "difficulty": "2",
            "scoring_rule": "all",
        },
    )
    q.refresh_from_db()
    assert q.current.stem == "新题干" and q.current.answer == "C"
    check_access(client, url="/learning/questions/new/", in_scope=world.alice, out_of_scope=None)
    r = check_access(
        client,
        url="/learning/questions/new/",
        method="post",
        in_scope=world.alice,
        out_of_scope=None,
        ok=302,
        data={
            "organization": world.province_a.code,
            "qtype": "fill",
            "stem": "___ 螺纹",
            "answer": "M10|m10；公制",
            "score": "2",
            "difficulty": "3",
            "knowledge_point": "识图",
        },
    )
    created = Question.objects.get(code=r["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert created.current.answer == [["M10", "m10"], ["公制"]]
    r = check_access(
        client, url="/learning/questions/?export=xlsx", in_scope=world.alice, out_of_scope=None
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    check_access(client, url="/learning/papers/", in_scope=world.alice, out_of_scope=None)
    check_access(client, url="/learning/papers/new/", in_scope=world.alice, out_of_scope=None)
    r = check_access(
        client,
        url="/learning/papers/new/",
        method="post",
        in_scope=world.alice,
        out_of_scope=None,
        ok=302,
        data={
            "organization": world.province_a.code,
            "title": "蓝图卷",
            "mode": "blueprint",
            "blueprint": "单选题, 识图, , 3, 2\ntrue_false, , , 1",
            "practice_minutes": "20",
        },
    )
    paper = Paper.objects.get(title="蓝图卷")
    assert paper.blueprint[0] == {
        "qtype": "single",
        "knowledge_point": "识图",
        "difficulty": None,
        "count": 3,
        "score": "2.00",
    }
    check_access(
        client, url=f"/learning/papers/{paper.code}/", in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(client, url="/learning/sessions/", in_scope=world.alice, out_of_scope=None)
    check_access(client, url="/learning/sessions/new/", in_scope=world.alice, out_of_scope=None)
    r = check_access(
        client,
        url="/learning/sessions/new/",
        method="post",
        in_scope=world.alice,
        out_of_scope=None,
        ok=302,
        data={
            "organization": world.province_a.code,
            "paper": paper.code,
            "title": "季度考试",
            "opens_at": "2026-01-01T08:00",
            "closes_at": "2036-01-01T08:00",
            "duration_minutes": "30",
            "attempts_allowed": "1",
            "pass_percent": "60",
            "marking_tolerance": "2",
            "candidate_organizations": [world.enterprise_a.code],
            "candidates": "worker_a",
        },
    )
    session_url = r["Location"]
    check_access(client, url=session_url, in_scope=world.alice, out_of_scope=world.bob)
    check_access(
        client,
        url=session_url + "statistics/",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=session_url + "regrade/",
        method="post",
        data={"reason": "复核"},
        ok=302,
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"/learning/questions/{q.code}/correct-key/",
        method="post",
        ok=302,
        data={"answer": "A", "reason": "更正"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )


def test_candidate_and_marker_pages(client, world, bank) -> None:
    judge = UserFactory(username="judge_p")
    member(judge, world.province_a, "judge")
    session = make_session(world.alice, world.province_a, bank, candidates=[world.worker_a])
    check_access(client, url="/learning/exams/", in_scope=world.worker_a, out_of_scope=None)
    check_access(
        client,
        url=f"/learning/exams/{session.code}/",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    r = check_access(
        client,
        url=f"/learning/exams/{session.code}/",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
        ok=302,
    )
    take = r["Location"]
    r = check_access(client, url=take, in_scope=world.worker_a, out_of_scope=world.bob)
    assert b"attempt-data" in r.content
    attempt = world.worker_a.exam_attempts.get()
    for item in attempt.items.filter(version__qtype="short"):
        exam_answer_save(
            actor=world.worker_a, attempt=attempt, position=item.position, response="要点", seq=1
        )
    check_access(
        client,
        url=take + "submit/",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
        ok=302,
    )
    r = check_access(client, url=take + "result/", in_scope=world.worker_a, out_of_scope=world.bob)
    assert b"result-pending" in r.content
    r = check_access(client, url="/learning/marking/", in_scope=judge, out_of_scope=None)
    item = attempt.items.get(version__qtype="short")
    assert item.code.encode() in r.content and b"worker_a" not in r.content
    check_access(
        client, url=f"/learning/marking/{item.code}/", in_scope=judge, out_of_scope=world.bob
    )
    check_access(
        client,
        url=f"/learning/marking/{item.code}/",
        method="post",
        data={"score": "4"},
        ok=302,
        in_scope=judge,
        out_of_scope=world.bob,
    )
    client.force_login(world.worker_a)
    assert client.get("/learning/marking/").status_code == 403


def test_practice_pages(client, world, bank) -> None:
    check_access(client, url="/learning/practice/", in_scope=world.worker_a, out_of_scope=None)
    r = check_access(
        client,
        url="/learning/practice/question/?mode=sequential",
        in_scope=world.worker_a,
        out_of_scope=None,
    )
    assert b"practice-form" in r.content
    q = bank[0]
    r = check_access(
        client,
        url="/learning/practice/question/?mode=sequential",
        method="post",
        ok=200,
        data={"question": q.code, "choice": "A"},
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert b"feedback" in r.content
    check_access(
        client, url="/learning/practice/wrong-book/", in_scope=world.worker_a, out_of_scope=None
    )
    check_access(
        client,
        url=f"/learning/practice/leaderboard/{world.enterprise_a.code}/",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    paper = paper_create(
        actor=world.alice,
        organization=world.province_a,
        title="模拟卷",
        mode="blueprint",
        blueprint=[{"qtype": "single", "count": 3}],
        is_practice=True,
        practice_minutes=10,
    )
    check_access(
        client,
        url=f"/learning/practice/mock/{paper.code}/",
        method="post",
        ok=302,
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )


def test_import_pages(client, world, django_capture_on_commit_callbacks) -> None:
    check_access(client, url="/learning/questions/import/", in_scope=world.alice, out_of_scope=None)
    header = ["题型", "题干", "选项A", "选项B", "选项C", "答案", "解析", "难度", "知识点", "分值"]
    data = xlsx_bytes(
        [("题库", header, [["单选题", "题一", "甲", "乙", "丙", "B", "因为", "易", "安全", 1]])]
    )
    upload = io.BytesIO(data)
    upload.name = "bank.xlsx"
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/learning/questions/import/", {"organization": world.province_a.code, "file": upload}
        )
    assert r.status_code == 302
    review = r["Location"]
    check_access(client, url=review, in_scope=world.alice, out_of_scope=world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        r = check_access(
            client, url=review, method="post", in_scope=world.alice, out_of_scope=world.bob, ok=302
        )
    assert Question.objects.filter(organization=world.province_a).count() == 1
    client.get(r["Location"])


def test_other_users_attempt_is_404(client, world, bank) -> None:
    s = make_session(
        world.alice,
        world.province_a,
        [make_question(world.alice, world.province_a)],
        candidates=[world.worker_a],
    )
    a = exam_attempt_start(actor=world.worker_a, session=s)
    exam_attempt_submit(actor=world.worker_a, attempt=a)
    client.force_login(world.alice)  # even the organiser does not open the candidate's page
    assert client.get(f"/learning/attempts/{a.code}/result/").status_code == 404


def test_answer_text_uses_the_candidates_labels(world) -> None:
    from gongjiang.learning.exams.presenters import answer_text

    single = make_question(world.alice, world.province_a, "single").current  # answer B
    assert answer_text(single, "B", ["C", "B", "A", "D"]) == "B"
    assert answer_text(single, "B", ["B", "A", "C", "D"]) == "A"
    multiple = make_question(world.alice, world.province_a, "multiple").current
    assert answer_text(multiple, ["A", "C"], None) == "AC"
    tf = make_question(world.alice, world.province_a, "true_false").current
    assert answer_text(tf, False, None) == "错" and answer_text(tf, None, None) == "—"
    fill = make_question(world.alice, world.province_a, "fill").current
    assert answer_text(fill, fill.answer, None) == "M10 / m10；螺纹"
