"""The answer save (``PUT /attempts/{code}/answers/{position}``) is the most frequent request of an
exam; it is written as a few plain statements, and on PostgreSQL, once the process has checked the
session in full, as one statement that also re-checks the session (``answer_save_view``). These
tests pin its cost (statements per save) and every guarantee it keeps — ownership, the server's
deadline, idempotent sequence numbers, the session checks — both for the first save of a session
and for a save on a pinned session."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjiang.core.auth import SessionPin, session_pins
from gongjiang.core.services import api_token_create
from gongjiang.core.sessions import SessionStore
from gongjiang.learning.models import Attempt, AttemptItem

from .factories import make_bank, make_session

API = "/api/v1/learning"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


LAST = 11  # make_bank's questions; the pinned state is reached by a save of the last one
PG = connection.vendor == "postgresql"


@pytest.fixture(params=["first save", "pinned session"])
def attempt(request, client, world):
    bank = make_bank(world.alice, world.province_a)
    # questions in bank order: 1 single, 2 multiple, 3 true/false, 4 fill, 5 short, 6 practical,
    # 7-11 single
    session = make_session(
        world.alice,
        world.province_a,
        bank,
        candidate_organizations=[world.enterprise_a],
        shuffle_questions=False,
    )
    client.force_login(world.worker_a)
    code = client.post(f"{API}/sessions/{session.code}/start").json()["code"]
    attempt = Attempt.objects.get(code=code)
    if request.param == "pinned session":
        assert put(client, attempt, LAST, "A", 1).status_code == 200
        # on PostgreSQL the process now remembers the session it checked in full
        assert (session_pins.get(session_key(client)) is not None) is (
            connection.vendor == "postgresql"
        )
    return attempt


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


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
    # PostgreSQL: once the session is pinned, the whole request is ONE statement that checks the
    # session and updates the attempt and the item; elsewhere two UPDATEs in a transaction after
    # the session and user reads
    assert len(work) == (1 if PG else 4), statements
    assert not any(s.lstrip().startswith("SELECT") and "learning_attempt" in s for s in work)
    assert not any('"auth_user"."username"' in s for s in work)  # no whole-user ORM load
    assert item(attempt, 2).response == "B" and item(attempt, 2).seq == 1


def test_many_saves_on_one_connection_stay_correct(client, attempt) -> None:
    # past psycopg's prepare threshold (5): the prepared statement gives the same answers
    for seq in range(1, 10):
        r = put(client, attempt, 5, f"v{seq}", seq)
        assert r.json()["saved"] is True and r.json()["seq"] == seq
        r = put(client, attempt, 5, f"v{seq}", seq)  # the retried request
        assert r.json() == {"saved": False, "seq": seq, "seconds_left": r.json()["seconds_left"]}
    assert item(attempt, 5).response == "v9" and item(attempt, 5).seq == 9
    attempt.refresh_from_db()
    assert attempt.last_position == 5


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


# ------------------------------------------------------------------ pinned sessions (PostgreSQL)
pinned_only = pytest.mark.skipif(not PG, reason="sessions are pinned on PostgreSQL only")


@pytest.fixture
def pinned(client, world):
    bank = make_bank(world.alice, world.province_a)
    # questions in bank order: 1 single, 2 multiple, 3 true/false, 4 fill, 5 short, 6 practical,
    # 7-11 single
    session = make_session(
        world.alice,
        world.province_a,
        bank,
        candidate_organizations=[world.enterprise_a],
        shuffle_questions=False,
    )
    client.force_login(world.worker_a)
    code = client.post(f"{API}/sessions/{session.code}/start").json()["code"]
    attempt = Attempt.objects.get(code=code)
    assert put(client, attempt, LAST, "A", 1).status_code == 200
    return attempt


@pinned_only
def test_a_logout_ends_a_pinned_session_and_unpins_it(client, pinned) -> None:
    key = session_key(client)
    assert session_pins.get(key) is not None
    Session.objects.filter(session_key=key).delete()  # what logging out does to the row
    assert put(client, pinned, 1, "A", 1).status_code == 401
    assert item(pinned, 1).response is None and session_pins.get(key) is None


@pinned_only
def test_a_pinned_session_slides_its_expiry_at_most_once_an_interval(client, pinned) -> None:
    key = session_key(client)
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    interval = dt.timedelta(seconds=settings.SESSION_TOUCH_INTERVAL)
    due = timezone.now() + age - interval - dt.timedelta(seconds=5)
    Session.objects.filter(session_key=key).update(expire_date=due)
    assert put(client, pinned, 1, "A", 1).json()["saved"] is True
    slid = Session.objects.get(session_key=key).expire_date
    assert slid > timezone.now() + age - interval  # touched: a full idle period from now
    assert put(client, pinned, 2, "A", 1).json()["saved"] is True
    assert Session.objects.get(session_key=key).expire_date == slid  # not again so soon


@pinned_only
def test_a_pinned_session_without_the_csrf_token_is_refused(world, pinned, client) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[settings.SESSION_COOKIE_NAME] = session_key(client)
    r = put(strict, pinned, 1, "A", 1)
    assert r.status_code == 403 and item(pinned, 1).response is None
    strict.cookies["csrftoken"] = "x" * 32
    assert put(strict, pinned, 1, "A", 1, HTTP_X_CSRFTOKEN="y" * 32).status_code == 403
    r = put(strict, pinned, 1, "A", 1, HTTP_X_CSRFTOKEN="x" * 32)
    assert r.status_code == 200 and item(pinned, 1).response == "A"


@pinned_only
def test_a_session_pinned_for_one_user_cannot_save_into_another_users_attempt(
    client, world, pinned
) -> None:
    other = Client()
    other.force_login(world.nobody)
    key = other.cookies[settings.SESSION_COOKIE_NAME].value
    session_pins._pins[key] = SessionPin(key, world.nobody.pk, world.nobody.password)
    r = put(other, pinned, 1, "A", 1)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert item(pinned, 1).response is None


@pinned_only
@pytest.mark.parametrize(
    ("body", "status", "stored"),
    [
        ({"response": "B", "seq": "7"}, 200, ("B", 7)),  # the API's lax integer, as before
        ({"response": "B", "seq": 7, "extra": 1}, 422, (None, 0)),
        ({"response": "B", "seq": True}, 200, ("B", 1)),
        ({"response": "B"}, 422, (None, 0)),
        ([1, 2], 422, (None, 0)),
    ],
)
def test_a_body_that_is_not_plainly_valid_is_decided_by_the_api(
    client, pinned, body, status, stored
) -> None:
    r = client.put(
        f"{API}/attempts/{pinned.code}/answers/1",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert r.status_code == status, r.content
    assert (item(pinned, 1).response, item(pinned, 1).seq) == stored


@pinned_only
def test_a_pinned_save_answers_as_the_api_does(client, pinned) -> None:
    r = put(client, pinned, 4, ["A", "B"], 3)
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    assert set(body) == {"saved", "seq", "seconds_left"} and body["saved"] is True
    assert 0 < body["seconds_left"] <= 30 * 60 and item(pinned, 4).response == ["A", "B"]


@pinned_only
def test_sessions_not_kept_in_the_database_are_never_pinned(client, world, settings) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    bank = make_bank(world.alice, world.province_a)
    # questions in bank order: 1 single, 2 multiple, 3 true/false, 4 fill, 5 short, 6 practical,
    # 7-11 single
    session = make_session(
        world.alice,
        world.province_a,
        bank,
        candidate_organizations=[world.enterprise_a],
        shuffle_questions=False,
    )
    client.force_login(world.worker_a)
    code = client.post(f"{API}/sessions/{session.code}/start").json()["code"]
    attempt = Attempt.objects.get(code=code)
    for seq in (1, 2):
        r = put(client, attempt, 5, f"v{seq}", seq)
        assert r.status_code == 200 and r.json()["saved"] is True
    assert session_pins.get(session_key(client)) is None
    assert item(attempt, 5).response == "v2"
