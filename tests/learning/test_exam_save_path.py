"""The answer save (``PUT /attempts/{code}/answers/{position}``) is the most frequent request of an
exam; it is written as a few plain statements. These tests pin its cost (statements per save) and
every guarantee it keeps: ownership, the server's deadline, idempotent sequence numbers, the
session checks."""

import datetime as dt
import json

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjiang.core.services import api_token_create
from gongjiang.core.sessions import SessionStore
from gongjiang.learning.models import Attempt, AttemptItem

from .factories import make_bank, make_session

API = "/api/v1/learning"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@pytest.fixture
def attempt(client, world):
    bank = make_bank(world.alice, world.province_a)
    session = make_session(
        world.alice, world.province_a, bank, candidate_organizations=[world.enterprise_a]
    )
    client.force_login(world.worker_a)
    code = client.post(f"{API}/sessions/{session.code}/start").json()["code"]
    return Attempt.objects.get(code=code)


def put(client, attempt, position, response, seq, **extra):
    return client.put(
        f"{API}/attempts/{attempt.code}/answers/{position}",
        data=json.dumps({"response": response, "seq": seq}),
        content_type="application/json",
        **extra,
    )


def item(attempt, position):
    return AttemptItem.objects.get(attempt=attempt, position=position)


def test_a_save_is_the_session_read_the_user_read_and_one_save(client, attempt) -> None:
    put(client, attempt, 1, "A", 1)  # the first request may also slide the session's expiry
    with CaptureQueriesContext(connection) as ctx:
        r = put(client, attempt, 2, "B", 1)
    assert r.status_code == 200 and r.json()["saved"] is True
    statements = [q["sql"] for q in ctx.captured_queries]
    work = [s for s in statements if not s.lstrip().startswith(TRANSACTION_CONTROL)]
    # PostgreSQL: one statement updates the attempt and the item; elsewhere two in a transaction
    assert len(work) <= (3 if connection.vendor == "postgresql" else 4), statements
    assert not any(s.lstrip().startswith("SELECT") and "learning_attempt" in s for s in work)
    assert not any('"auth_user"."username"' in s for s in work)  # no whole-user ORM load
    assert item(attempt, 2).response == "B" and item(attempt, 2).seq == 1


def test_many_saves_on_one_connection_stay_correct(client, attempt) -> None:
    # past psycopg's prepare threshold (5): the prepared statement gives the same answers
    for seq in range(1, 10):
        r = put(client, attempt, 3, f"v{seq}", seq)
        assert r.json()["saved"] is True and r.json()["seq"] == seq
        r = put(client, attempt, 3, f"v{seq}", seq)  # the retried request
        assert r.json() == {"saved": False, "seq": seq, "seconds_left": r.json()["seconds_left"]}
    assert item(attempt, 3).response == "v9" and item(attempt, 3).seq == 9
    attempt.refresh_from_db()
    assert attempt.last_position == 3


def test_a_replayed_or_older_save_changes_nothing(client, attempt) -> None:
    assert put(client, attempt, 1, "A", 5).json()["saved"] is True
    saved_at = item(attempt, 1).saved_at
    replay = put(client, attempt, 1, "A", 5).json()
    assert replay["saved"] is False and replay["seq"] == 5
    older = put(client, attempt, 1, "C", 4).json()
    assert older["saved"] is False and older["seq"] == 5  # the client learns the newer number
    stored = item(attempt, 1)
    assert (stored.response, stored.seq, stored.saved_at) == ("A", 5, saved_at)
    assert put(client, attempt, 1, "D", 6).json()["saved"] is True
    assert item(attempt, 1).response == "D"


def test_a_save_after_the_deadline_is_refused_and_submits_the_attempt(client, attempt) -> None:
    put(client, attempt, 1, "A", 1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    r = put(client, attempt, 1, "B", 2)
    assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
    attempt.refresh_from_db()
    assert attempt.status != "in_progress" and attempt.auto_submitted
    assert item(attempt, 1).response == "A" and item(attempt, 1).seq == 1
    # and once submitted, still refused
    r = put(client, attempt, 2, "B", 1)
    assert r.status_code == 409 and item(attempt, 2).response is None


def test_a_submitted_attempt_refuses_saves_before_its_deadline(client, attempt) -> None:
    assert client.post(f"{API}/attempts/{attempt.code}/submit").status_code == 200
    r = put(client, attempt, 1, "A", 1)
    assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
    assert item(attempt, 1).response is None


def test_someone_elses_attempt_is_not_found_and_untouched(client, world, attempt) -> None:
    other = Client()
    other.force_login(world.nobody)
    r = put(other, attempt, 1, "A", 1)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    other.force_login(world.alice)  # the organiser too
    assert put(other, attempt, 1, "A", 1).status_code == 404
    assert item(attempt, 1).response is None and item(attempt, 1).seq == 0
    assert put(client, Attempt(code="nosuchcode"), 1, "A", 1).status_code == 404


def test_an_unknown_position_or_a_bad_seq_is_422(client, attempt) -> None:
    put(client, attempt, 2, "A", 1)
    r = put(client, attempt, 999, "A", 1)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "position"
    attempt.refresh_from_db()
    assert attempt.last_position == 2  # the refused save did not move the resume point
    assert put(client, attempt, 1, "A", 0).status_code == 422


def test_a_changed_password_ends_the_session_for_saves(client, world, attempt) -> None:
    world.worker_a.set_password("Another-horse-77")
    world.worker_a.save()
    r = put(client, attempt, 1, "A", 1)
    assert r.status_code == 401
    assert item(attempt, 1).response is None


def test_an_inactive_user_cannot_save(client, world, attempt) -> None:
    type(world.worker_a).objects.filter(pk=world.worker_a.pk).update(is_active=False)
    assert put(client, attempt, 1, "A", 1).status_code == 401
    assert item(attempt, 1).response is None


def test_an_expired_session_cannot_save(client, attempt) -> None:
    Session.objects.all().update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert put(client, attempt, 1, "A", 1).status_code == 401
    assert item(attempt, 1).response is None


def test_the_session_cookie_needs_the_csrf_token(world, attempt) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.worker_a)
    assert put(strict, attempt, 1, "A", 1).status_code == 403
    assert item(attempt, 1).response is None


def test_a_bearer_token_can_save(world, attempt) -> None:
    _token, secret = api_token_create(actor=world.worker_a, name="phone")
    machine = Client(enforce_csrf_checks=True)
    r = put(machine, attempt, 1, "A", 1, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200 and item(attempt, 1).response == "A"


def test_the_session_store_reads_a_live_session_and_misses_the_rest(db) -> None:
    store = SessionStore()
    store["k"] = "v"
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"k": "v"}
    missing = SessionStore("x" * 32)
    assert missing.load() == {} and missing.session_key is None
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
