"""Every API endpoint answers anonymous → 401, out of scope → 404, in scope → ok."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from gongjiang.learning.exams.services import (
    exam_answer_save,
    exam_attempt_start,
    exam_attempt_submit,
)
from gongjiang.learning.models import Attempt, AttemptItem
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

from .factories import make_bank, make_question, make_session

API = "/api/v1/learning"


@pytest.fixture
def bank(world):
    return make_bank(world.alice, world.province_a)


def test_question_endpoints(client, world, bank) -> None:
    q = bank[0]
    r = check_access(client, url=f"{API}/questions", in_scope=world.alice, out_of_scope=None)
    assert r.json()["count"] == len(bank)
    client.force_login(world.bob)
    assert client.get(f"{API}/questions").json()["count"] == 0
    check_access(
        client, url=f"{API}/questions/{q.code}", in_scope=world.alice, out_of_scope=world.bob
    )
    data = {
        "organization": world.province_a.code,
        "qtype": "fill",
        "stem": "螺纹代号 ___",
        "answer": [["M10", "Ｍ10"]],
        "knowledge_point": "识图",
        "occupation": None,
    }
    r = check_access(
        client,
        url=f"{API}/questions",
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    assert r.json()["answer"] == [["M10", "Ｍ10"]]
    r = check_access(
        client,
        url=f"{API}/questions/{q.code}",
        method="patch",
        data={"difficulty": 5},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    assert r.json()["difficulty"] == 5
    check_access(
        client,
        url=f"{API}/questions/{q.code}/correct-key",
        method="post",
        data={"answer": "C", "reason": "更正"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )


def test_question_validation_errors(client, world) -> None:
    client.force_login(world.alice)
    r = client.post(
        f"{API}/questions",
        data=json.dumps(
            {
                "organization": world.province_a.code,
                "qtype": "single",
                "stem": "x",
                "options": ["a", "b"],
                "answer": "Z",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "answer"
    r = client.post(
        f"{API}/questions",
        data=json.dumps(
            {"organization": world.province_a.code, "qtype": "single", "stem": "x", "bogus": 1}
        ),
        content_type="application/json",
    )
    assert r.status_code == 422
    client.force_login(world.worker_a)
    r = client.post(
        f"{API}/questions",
        data=json.dumps(
            {
                "organization": world.enterprise_a.code,
                "qtype": "true_false",
                "stem": "x",
                "answer": True,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 404  # a worker manages no bank


def test_paper_and_session_endpoints(client, world, bank) -> None:
    codes = [q.code for q in bank[:3]]
    r = check_access(
        client,
        url=f"{API}/papers",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        data={"organization": world.province_a.code, "title": "卷一", "questions": codes},
        ok=201,
    )
    paper = r.json()["code"]
    assert r.json()["questions"] == codes
    check_access(client, url=f"{API}/papers", in_scope=world.alice, out_of_scope=None)
    check_access(client, url=f"{API}/papers/{paper}", in_scope=world.alice, out_of_scope=world.bob)
    r = check_access(
        client,
        url=f"{API}/papers",
        method="post",
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=422,
        data={
            "organization": world.province_a.code,
            "title": "蓝图",
            "mode": "blueprint",
            "blueprint": [{"qtype": "single", "knowledge_point": "识图", "count": 50}],
        },
    )
    assert r.json()["code"] == "blueprint_unsatisfiable"
    now = timezone.now()
    data = {
        "organization": world.province_a.code,
        "paper": paper,
        "title": "理论考试",
        "opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
        "closes_at": (now + dt.timedelta(hours=1)).isoformat(),
        "duration_minutes": 30,
        "candidates": ["worker_a"],
    }
    r = check_access(
        client,
        url=f"{API}/sessions",
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=201,
    )
    session = r.json()["code"]
    check_access(client, url=f"{API}/sessions", in_scope=world.alice, out_of_scope=None)
    check_access(
        client, url=f"{API}/sessions/{session}", in_scope=world.alice, out_of_scope=world.bob
    )
    check_access(
        client,
        url=f"{API}/sessions/{session}/attempts",
        in_scope=world.alice,
        out_of_scope=world.bob,
    )
    check_access(
        client,
        url=f"{API}/sessions/{session}/regrade",
        method="post",
        data={"reason": "复核"},
        in_scope=world.alice,
        out_of_scope=world.bob,
    )


def test_candidate_flow_over_the_api(client, world, bank) -> None:
    session = make_session(
        world.alice,
        world.province_a,
        bank,
        candidate_organizations=[world.enterprise_a],
        shuffle_questions=False,  # position 1 is a single choice
    )
    r = check_access(client, url=f"{API}/my/sessions", in_scope=world.worker_a, out_of_scope=None)
    assert [s["code"] for s in r.json()] == [session.code]
    r = check_access(
        client,
        url=f"{API}/sessions/{session.code}/start",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    body = r.json()
    attempt = body["code"]
    assert len(body["items"]) == len(bank) and body["seconds_left"] > 0
    assert all("answer" not in i and "explanation" not in i for i in body["items"])
    url = f"{API}/attempts/{attempt}/answers/1"
    r = check_access(
        client,
        url=url,
        method="put",
        data={"response": "A", "seq": 1},
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert r.json()["saved"] is True
    # the retried request (same seq) does not count twice
    r = client.put(
        url, data=json.dumps({"response": "A", "seq": 1}), content_type="application/json"
    )
    assert r.json() == {"saved": False, "seq": 1, "seconds_left": r.json()["seconds_left"]}
    check_access(
        client, url=f"{API}/attempts/{attempt}", in_scope=world.worker_a, out_of_scope=world.bob
    )
    r = check_access(
        client,
        url=f"{API}/attempts/{attempt}/result",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert r.json()["released"] is False
    # an answer after the deadline: 409 with a clear code
    Attempt.objects.filter(code=attempt).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    r = client.put(
        url, data=json.dumps({"response": "B", "seq": 2}), content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
    assert AttemptItem.objects.get(attempt__code=attempt, position=1).response == "A"
    r = check_access(
        client,
        url=f"{API}/attempts/{attempt}/submit",
        method="post",
        in_scope=world.worker_a,
        out_of_scope=world.bob,
    )
    assert r.json()["status"] == "marking" and r.json()["auto_submitted"] is True


def test_resume_with_a_new_client(client, world, bank) -> None:
    from django.test import Client

    session = make_session(
        world.alice,
        world.province_a,
        bank,
        candidates=[world.worker_a],
        shuffle_questions=False,  # position 3 is a true/false, 2 a multiple choice
    )
    client.force_login(world.worker_a)
    first = client.post(f"{API}/sessions/{session.code}/start").json()
    client.put(
        f"{API}/attempts/{first['code']}/answers/2",
        data=json.dumps({"response": ["B"], "seq": 5}),
        content_type="application/json",
    )
    other = Client()  # another device after the server restarted: only the database remains
    other.force_login(world.worker_a)
    again = other.post(f"{API}/sessions/{session.code}/start").json()
    assert again["code"] == first["code"] and again["last_position"] == 2
    assert abs(again["seconds_left"] - first["seconds_left"]) <= 5
    assert again["items"][1]["response"] == ["B"] and again["items"][1]["seq"] == 5


def test_marking_endpoints(client, world) -> None:
    judge = UserFactory(username="judge_a")
    member(judge, world.province_a, "judge")
    short = make_question(world.alice, world.province_a, "short")
    session = make_session(world.alice, world.province_a, [short], candidates=[world.worker_a])
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    exam_answer_save(actor=world.worker_a, attempt=attempt, position=1, response="断电挂牌", seq=1)
    exam_attempt_submit(actor=world.worker_a, attempt=attempt)
    r = check_access(client, url=f"{API}/marking/queue", in_scope=judge, out_of_scope=None)
    rows = r.json()
    assert len(rows) == 1 and "worker_a" not in json.dumps(rows, ensure_ascii=False)
    code = rows[0]["code"]
    check_access(client, url=f"{API}/marking/items/{code}", in_scope=judge, out_of_scope=world.bob)
    r = check_access(
        client,
        url=f"{API}/marking/items/{code}",
        method="post",
        data={"score": 5, "comment": "好"},
        in_scope=judge,
        out_of_scope=world.bob,
    )
    assert r.json()["stage"] == "done"
    client.force_login(world.worker_a)
    result = client.get(f"{API}/attempts/{attempt.code}/result").json()
    # marks at once; the explanation only after the session closes (the exam default)
    assert result["released"] and result["score"] == "5.00"
    assert result["items"][0]["explanation"] is None and not result["review"]["explanations"]
