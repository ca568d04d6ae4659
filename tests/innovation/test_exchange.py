"""The technical exchange: asking, answering, votes (once, never one's own), acceptance by the
asker only, experts, reputation, pinyin search, moderation in scope, hostile input, pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from gongjiang.core.audit import AuditEvent
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Occupation, SkillLevel
from gongjiang.innovation import exchange
from gongjiang.innovation.models import Answer, ExchangeReport, ExchangeVote, Question
from tests.access_helpers import check_access
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world: Any, team: Any) -> Any:
    """worker_a (李斌, enterprise A) asks; 王芳 (a worker login at A) answers; 钱多 at B answers."""
    wang = UserFactory(username="wang_a")
    member(wang, world.enterprise_a, "worker")
    team.workers[1].user = wang
    team.workers[1].save(update_fields=["user"])
    qian = UserFactory(username="qian_b")
    member(qian, world.enterprise_b, "worker")
    team.worker_b.user = qian
    team.worker_b.save(update_fields=["user"])
    return type("People", (), {"asker": world.worker_a, "wang": wang, "qian": qian})


def ask(actor: Any, **extra: Any) -> Question:
    fields = {"title": "焊接变形怎么控制", "body": "薄板焊接后变形大", "topic": "焊接变形"}
    fields.update(extra)
    return exchange.question_ask(actor=actor, **fields)


def test_ask_answer_accept_and_reputation(people: Any, team: Any) -> None:
    q = ask(people.asker)
    assert q.author_name == "李斌" and q.author_employer == team.employer.name
    a1 = exchange.answer_post(actor=people.wang, question=q, body="采用反变形法")
    a2 = exchange.answer_post(actor=people.qian, question=q, body="分段退焊")
    q.refresh_from_db()
    assert q.answer_count == 2
    # only the asker accepts, never their own answer
    with pytest.raises(ApplicationError) as exc:
        exchange.answer_accept(actor=people.wang, answer=a1)
    assert exc.value.code == "not_asker"
    own = exchange.answer_post(actor=people.asker, question=q, body="我自己试试")
    with pytest.raises(ApplicationError) as exc:
        exchange.answer_accept(actor=people.asker, answer=own)
    assert exc.value.code == "own_post"
    exchange.answer_accept(actor=people.asker, answer=a1)
    assert Question.objects.get(pk=q.pk).accepted_answer_id == a1.pk
    # accepting another replaces the first: one accepted answer
    exchange.answer_accept(actor=people.asker, answer=a2)
    assert Question.objects.get(pk=q.pk).accepted_answer_id == a2.pk
    exchange.post_vote(actor=people.wang, post=a2, value=1)
    rep = exchange.reputation_of([people.qian.pk, people.wang.pk, people.asker.pk])
    assert rep[people.qian.pk] == exchange.REPUTATION_ACCEPTED + exchange.REPUTATION_ANSWER_UP
    assert rep[people.wang.pk] == 0
    assert AuditEvent.objects.filter(action="innovation.exchange_accept").count() == 2


def test_votes_once_never_own_and_can_change(people: Any) -> None:
    q = ask(people.asker)
    with pytest.raises(ApplicationError) as exc:
        exchange.post_vote(actor=people.asker, post=q, value=1)
    assert exc.value.code == "own_post"
    assert exchange.post_vote(actor=people.wang, post=q, value=1) == 1
    assert exchange.post_vote(actor=people.wang, post=q, value=1) == 1  # still one vote
    assert exchange.post_vote(actor=people.wang, post=q, value=-1) == -1
    assert exchange.post_vote(actor=people.qian, post=q, value=-1) == -2
    assert exchange.post_vote(actor=people.wang, post=q, value=0) == -1
    assert ExchangeVote.objects.filter(question=q).count() == 1
    assert Question.objects.get(pk=q.pk).score == -1
    with pytest.raises(ApplicationError):
        exchange.post_vote(actor=people.qian, post=q, value=5)


def test_experts_by_skill_level(people: Any, team: Any) -> None:
    worker = team.workers[1]
    assert exchange.expert_reasons([people.wang]) == {}
    worker.skill_level = SkillLevel.objects.get(code="SENIOR")  # 高级工: not yet
    worker.save(update_fields=["skill_level"])
    assert exchange.expert_reasons([people.wang]) == {}
    worker.skill_level = SkillLevel.objects.get(code="TECHNICIAN")
    worker.save(update_fields=["skill_level"])
    assert exchange.expert_reasons([people.wang]) == {people.wang.pk: "技师"}


def test_search_by_word_pinyin_and_initials(people: Any) -> None:
    q1 = ask(people.asker)
    q2 = ask(people.asker, title="数控车床对刀", topic="数控编程", body="对刀误差")
    found = lambda s: set(exchange.question_list(actor=people.wang, q=s))  # noqa: E731
    assert found("焊接") == {q1}
    assert found("hanjie") == {q1}
    assert found("hjbx") == {q1}  # initials of 焊接变形
    assert found("shukong") == {q2}
    assert found("对刀误差") == {q2}  # in the body
    assert found("zzzz") == set()


def test_short_terms_find_exactly_what_like_finds(people: Any) -> None:
    """Terms of one or two characters (on PostgreSQL through the index of the column's one- and
    two-character pieces, migration 0009) find the same questions as a substring test."""
    from django.db import connection

    questions = [
        ask(people.asker),
        ask(people.asker, title="数控车床对刀", topic="数控编程", body="对刀误差"),
        ask(people.asker, title="贴片机抛料", topic="SMT", body="吸嘴 堵塞"),
        ask(people.asker, title="刀具寿命", topic="刀具", body="换刀周期"),
    ]
    found = lambda s: set(exchange.question_list(actor=people.wang, q=s))  # noqa: E731
    for term in ("对刀", "刀", "焊", "抛料", "sk", "dd", "sm", "t", "吸嘴", "嘴 ", "z", "%", "_"):
        expected = {q for q in questions if term.strip().lower() in q.search_text}
        assert found(term) == expected, term
    # a piece across two lines of the column (title end + topic start) is never a match
    assert found("刀数") == set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'innov_q_search_grams'")
            assert cursor.fetchone() is not None


def test_filter_by_occupation_and_topic(people: Any) -> None:
    occupation = Occupation.objects.filter(level="occupation").first()
    q1 = ask(people.asker, occupation=occupation)
    q2 = ask(people.asker, topic="安全")
    assert set(exchange.question_list(actor=people.wang, occupation=occupation.code)) == {q1}
    assert set(exchange.question_list(actor=people.wang, topic="安全")) == {q2}


def test_bounds_and_refusals(people: Any, world: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        ask(people.asker, title="长" * 121)
    assert exc.value.details[0]["field"] == "title"
    with pytest.raises(ApplicationError) as exc:
        ask(people.asker, body="   ")
    assert exc.value.details[0]["field"] == "body"
    with pytest.raises(ApplicationError) as exc:
        ask(people.asker, topic="x" * 41)
    assert exc.value.details[0]["field"] == "topic"
    with pytest.raises(ApplicationError) as exc:
        ask(world.nobody)  # no organisation: not in the exchange
    assert exc.value.code == "no_organisation"
    assert Question.objects.count() == 0


def test_moderation_in_scope_hides_for_others(people: Any, world: Any) -> None:
    q = ask(people.asker)
    a = exchange.answer_post(actor=people.qian, question=q, body="广告 http://spam")
    exchange.post_report(actor=people.asker, post=a, reason="广告")
    with pytest.raises(ApplicationError) as exc:
        exchange.post_report(actor=people.asker, post=a, reason="再次")
    assert exc.value.code == "already_reported"
    # alice moderates province A, the answer comes from province B: bob's
    assert list(exchange.reports_open(actor=world.alice)) == []
    assert [r.answer for r in exchange.reports_open(actor=world.bob)] == [a]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        exchange.post_hide(actor=world.alice, post=a, reason="广告")
    with pytest.raises(PermissionDenied):
        exchange.post_hide(actor=people.wang, post=a, reason="广告")
    exchange.post_hide(actor=world.bob, post=a, reason="广告")
    assert ExchangeReport.objects.get().resolved_by == world.bob
    # gone for others, including the asker and its author; the moderator still sees it
    for user in (people.asker, people.qian, world.alice):
        with pytest.raises(Http404):
            exchange.answer_get(actor=user, code=a.code)
        assert a not in exchange.answers_of(actor=user, question=q)
    assert exchange.answer_get(actor=world.bob, code=a.code) == a
    assert Question.objects.get(pk=q.pk).answer_count == 0
    with pytest.raises(Http404):
        exchange.answer_accept(actor=people.asker, answer=Answer.objects.get(pk=a.pk))
    assert AuditEvent.objects.filter(action="innovation.exchange_hide").exists()
    # a hidden question is gone with its answers
    exchange.post_hide(actor=world.alice, post=q, reason="重复")
    with pytest.raises(Http404):
        exchange.question_get(actor=people.wang, code=q.code)
    assert list(exchange.question_list(actor=people.wang)) == []
    exchange.post_hide(actor=world.alice, post=q, reason="", hide=False)
    assert exchange.question_get(actor=people.wang, code=q.code) == q


def test_moderator_never_rules_on_own_post(people: Any, world: Any) -> None:
    q = ask(world.alice)
    assert q.author_employer == world.province_a.name
    with pytest.raises(ApplicationError) as exc:
        exchange.post_hide(actor=world.alice, post=q, reason="x")
    assert exc.value.code == "separation_of_duties"


# ----------------------------------------------------------------------------- pages


def test_pages_flow_and_escaping(client: Any, people: Any, world: Any) -> None:
    client.force_login(people.asker)
    r = client.post(
        "/innovation/exchange/ask/",
        {"title": "<script>alert(1)</script>焊缝", "topic": "焊接", "body": "x<b>y</b>"},
    )
    assert r.status_code == 302
    q = Question.objects.get()
    r = client.get(r["Location"])
    body = r.content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
    assert "x&lt;b&gt;y" in body
    # refused input is shown on the form, nothing saved
    r = client.post("/innovation/exchange/ask/", {"title": "", "body": "x", "occupation": "nope"})
    assert r.status_code == 200 and Question.objects.count() == 1
    assert "No occupation" in r.content.decode() or "没有" in r.content.decode()
    client.force_login(people.wang)
    r = client.post(f"/innovation/exchange/q/{q.code}/", {"body": "用反变形"})
    assert r.status_code == 302
    a = Answer.objects.get()
    r = client.post(f"/innovation/exchange/q/{q.code}/act/", {"act": "vote", "value": "1"})
    assert r.status_code == 302 and Question.objects.get().score == 1
    r = client.post(
        f"/innovation/exchange/q/{q.code}/act/", {"act": "accept", "answer": a.code}
    )  # not the asker: refused with a message
    assert Question.objects.get().accepted_answer is None
    client.force_login(people.asker)
    client.post(f"/innovation/exchange/q/{q.code}/act/", {"act": "accept", "answer": a.code})
    assert Question.objects.get().accepted_answer == a
    r = client.get("/innovation/exchange/?q=hanfeng")
    assert q.title.replace("<", "&lt;").replace(">", "&gt;") in r.content.decode()


def test_pages_scoped_access(client: Any, people: Any, world: Any) -> None:
    q = ask(people.asker)
    a = exchange.answer_post(actor=people.qian, question=q, body="答")
    exchange.post_report(actor=people.asker, post=a, reason="广告")
    # every logged-in member reads the exchange; nothing for anonymous visitors
    for url in ("/innovation/exchange/", f"/innovation/exchange/q/{q.code}/"):
        client.logout()
        assert client.get(url).status_code == 302
        client.force_login(world.nobody)
        assert client.get(url).status_code == 200
    # the reports queue: moderators only, each sees the reports of their subtree
    client.force_login(people.wang)
    assert client.get("/innovation/exchange/reports/").status_code == 403
    client.force_login(world.alice)
    assert a.code not in client.get("/innovation/exchange/reports/").content.decode()
    client.force_login(world.bob)
    assert q.title in client.get("/innovation/exchange/reports/").content.decode()
    # hiding an answer out of one's scope: 403, and the answer stays
    exchange.post_hide(actor=world.bob, post=a, reason="广告")
    check_access(
        client,
        url=f"/innovation/exchange/q/{q.code}/act/",
        method="post",
        data={"act": "unhide", "answer": a.code},
        in_scope=world.bob,
        out_of_scope=world.alice,
        ok=302,
    )
    assert not Answer.objects.get(pk=a.pk).is_hidden
