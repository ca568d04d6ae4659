"""The survey answer's fast path (surveys/answer_fast.py, core/hotpath.py): on PostgreSQL a
plainly valid set of answers from an invited worker's phone session is three round trips;
everything else falls back to the API operation. Every test runs twice — with the fast path and
with it switched off — and expects the same answers, refusals, stored rows, audit rows and queued
counters, and the same anonymity; on SQLite both runs take the full path."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjiang.core import hotpath
from gongjiang.core.auth import session_pins
from gongjiang.core.counters import CounterDelta
from gongjiang.core.models import AuditEvent
from gongjiang.core.services import api_token_create
from gongjiang.surveys import rollups, services
from gongjiang.surveys.answer_fast import questionnaires
from gongjiang.surveys.models import Invitation, Response
from gongjiang.surveys.questions import clean_answers, counted
from gongjiang.surveys.sampling import WORKER_COLUMNS, strata_of
from gongjiang.workforce.models import Worker

from ..counters_helpers import fold
from .helpers import QUESTIONS, answers, make_workers

PG = connection.vendor == "postgresql"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@pytest.fixture(params=["fast path", "full path"])
def mode(request: Any, monkeypatch: Any) -> str:
    if request.param == "full path":
        monkeypatch.setattr(hotpath, "_HANDLERS", [])
    session_pins.clear()
    questionnaires.clear()
    yield request.param
    session_pins.clear()
    questionnaires.clear()


def login(user: Any, **kw: Any) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def post(client: Client, code: str, body: Any, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/surveys/mine/{code}/responses",
        data=body if isinstance(body, bytes) else json.dumps(body),
        content_type="application/json",
        **extra,
    )


def answer(client: Client, code: str, values: Any, **extra: Any) -> Any:
    return post(client, code, {"answers": values}, **extra)


def published(sw: Any) -> list[dict[str, Any]]:
    return sw.survey.versions.exclude(published_at=None).get(number=1).questions


def queued(survey: Any) -> list[Any]:
    return list(
        CounterDelta.objects.filter(target=rollups.TARGET, scope=survey.pk).values_list(
            "payload", flat=True
        )
    )


def test_answers_are_stored_counted_and_audited_without_a_link(mode: str, sw: Any) -> None:
    worker = sw.workers[3]  # answers(3): unhappy, with an open answer
    client = login(worker.user)
    with CaptureQueriesContext(connection) as ctx:
        r = answer(client, sw.survey.code, answers(3))
    assert (r.status_code, r.json()) == (200, {"saved": True})
    questions = published(sw)
    clean = clean_answers(questions, answers(3))
    row = Worker.objects.filter(pk=worker.pk).values_list(*WORKER_COLUMNS)[0]
    strata = strata_of(row, timezone.localdate())
    stored = Response.objects.get(survey=sw.survey)
    assert stored.answers == clean and stored.version == 1
    assert stored.organization_id == worker.organization_id
    assert {k: getattr(stored, k) for k in strata} == strata
    base = sw.survey.organization.path
    assert queued(sw.survey) == [
        json.loads(
            json.dumps(
                {"c": rollups.cells_of(strata, row[2], base), "p": counted(questions, clean)}
            )
        )
    ]
    inv = Invitation.objects.get(survey=sw.survey, worker=worker)
    assert inv.completed_on == timezone.localdate()
    event = AuditEvent.objects.get(action="survey.answer")
    assert (
        event.actor_id,
        event.actor_name,
        event.object_type,
        event.object_code,
        event.object_repr,
        event.organization_id,
        event.client_address,
        event.details,
    ) == (
        worker.user.pk,
        worker.user.username,
        "surveys.survey",
        sw.survey.code,
        sw.survey.title,
        sw.survey.organization_id,
        "127.0.0.1",
        {},
    )
    # the anonymity of the tables: nothing of the person in the response or the queued counters
    assert worker.name not in json.dumps(stored.answers, ensure_ascii=False)
    assert worker.code not in json.dumps(queued(sw.survey))
    work = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().startswith(TRANSACTION_CONTROL)
    ]
    if PG and mode == "fast path":
        # the session row, one read, the questionnaire (once per process), one write
        assert len(work) == 4, work
    else:
        assert len(work) > 4


def test_a_second_submission_is_refused_and_never_counted(mode: str, sw: Any) -> None:
    client = login(sw.workers[0].user)
    assert answer(client, sw.survey.code, answers(0)).status_code == 200
    for _ in range(2):
        r = answer(client, sw.survey.code, answers(1))
        assert r.status_code == 409 and r.json()["code"] == "already_answered"
    assert Response.objects.filter(survey=sw.survey).count() == 1
    assert len(queued(sw.survey)) == 1
    assert AuditEvent.objects.filter(action="survey.answer").count() == 1


def test_not_invited_is_the_same_as_no_survey(mode: str, sw: Any, world: Any) -> None:
    outsider = make_workers(world.enterprise_b, 1, start=700)[0]
    client = login(outsider.user)
    hidden = answer(client, sw.survey.code, answers(0))
    missing = answer(client, "NOSUCHSURVEY", answers(0))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    # a person with an account but no worker record, likewise
    assert answer(login(world.worker_a), sw.survey.code, answers(0)).status_code == 404
    assert not Response.objects.exists() and not queued(sw.survey)


def test_a_closed_survey_refuses(mode: str, sw: Any, world: Any) -> None:
    client = login(sw.workers[0].user)
    assert answer(client, sw.survey.code, answers(0)).status_code == 200  # pins the session
    services.survey_close(actor=world.alice, survey=sw.survey)
    r = answer(login(sw.workers[1].user), sw.survey.code, answers(1))
    assert r.status_code == 409 and r.json()["code"] == "survey_not_open"
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    "values, status",
    [
        ({"q1": "zzz"}, 422),  # not a choice
        ({"q2": ["wage"]}, 422),  # the required q1 missing
        ({"nope": "a", "q1": "a"}, 422),  # no such question
        ({"q1": "a", "q3": "9"}, 422),  # off the scale
        ({"q1": "a", "q6": "x" * 2001}, 422),  # longer than any answer
        ({"q1": "a", "q2": ["wage"] * 31}, 422),  # more items than any list
        ({"q1": "a", "q4": {"r1": "55"}}, 422),  # a matrix cell is one character
        ({"q1": "a", "q4": 5}, 422),  # not a type of answer
        ({f"k{i}": "a" for i in range(201)}, 422),  # too many answers
        ({"q1": " a "}, 200),  # the schema strips it: accepted by both paths alike
        ({"q1": "b", "q6": "  加班太多  "}, 200),
    ],
)
def test_answers_are_checked_the_same_way(mode: str, sw: Any, values: Any, status: int) -> None:
    r = answer(login(sw.workers[0].user), sw.survey.code, values)
    assert r.status_code == status, r.content
    assert Response.objects.count() == len(queued(sw.survey)) == (1 if status == 200 else 0)
    if status == 200:
        stripped = {k: v.strip() for k, v in values.items()}
        assert Response.objects.get().answers == clean_answers(published(sw), stripped)


@pytest.mark.parametrize("raw", [b"{answers:", b'{"answers": {}, "extra": 1}', b"[]"])
def test_bodies_that_are_not_answers_are_refused(mode: str, sw: Any, raw: bytes) -> None:
    r = post(login(sw.workers[0].user), sw.survey.code, raw)
    assert r.status_code == 422
    assert not Response.objects.exists()


def test_csrf_is_enforced_for_cookie_sessions(mode: str, sw: Any) -> None:
    client = login(sw.workers[0].user, enforce_csrf_checks=True)
    assert answer(client, sw.survey.code, answers(0)).status_code == 403
    assert not Response.objects.exists()
    client.get("/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    r = answer(client, sw.survey.code, answers(0), HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and Response.objects.count() == 1


def test_a_bearer_token_takes_the_full_path(mode: str, sw: Any) -> None:
    user = sw.workers[0].user
    _token, secret = api_token_create(actor=user, name="phone")
    r = Client().post(
        f"/api/v1/surveys/mine/{sw.survey.code}/responses",
        data=json.dumps({"answers": answers(0)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert (r.status_code, r.json()) == (200, {"saved": True})


@pytest.mark.parametrize("how", ["logged out", "password changed", "deactivated", "expired"])
def test_a_session_that_no_longer_holds_is_refused(
    mode: str, sw: Any, world: Any, how: str
) -> None:
    worker = sw.workers[0]
    client = login(worker.user)
    # the session answers another survey first (on PostgreSQL's fast path: and is pinned)
    other = services.survey_create(
        actor=world.alice, organization=world.province_a, title="第二次调查", questions=QUESTIONS
    )
    services.survey_publish(actor=sw.carol, survey=other)
    services.survey_distribute(actor=world.alice, survey=other, audience=world.enterprise_a)
    assert answer(client, other.code, answers(0)).status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    user = worker.user
    if how == "logged out":
        Session.objects.filter(session_key=key).delete()
    elif how == "password changed":
        user.set_password("a-new-password-1234")
        user.save()
    elif how == "deactivated":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - dt.timedelta(seconds=1)
        )
    r = answer(client, sw.survey.code, answers(0))
    assert r.status_code == 401
    assert not Response.objects.filter(survey=sw.survey).exists()
    assert Invitation.objects.get(survey=sw.survey, worker=worker).completed_on is None


def test_rollups_equal_a_recount_after_the_fold(mode: str, sw: Any) -> None:
    for i, w in enumerate(sw.workers[:10] + sw.few):
        assert answer(login(w.user), sw.survey.code, answers(i)).status_code == 200
    fold()
    result = rollups.verify(sw.survey)
    assert result["equal"] and result["responses"] == 13 and result["pending"] == 0


@pytest.mark.skipif(not PG, reason="concurrent requests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_worker_store_one_response(mode: str, sw: Any) -> None:
    user = sw.workers[0].user
    clients = [login(user) for _ in range(6)]
    results: list[int] = []
    barrier = threading.Barrier(len(clients))

    def go(client: Client) -> None:
        try:
            barrier.wait()
            results.append(answer(client, sw.survey.code, answers(0)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [409] * (len(clients) - 1)
    assert Response.objects.filter(survey=sw.survey).count() == 1
    assert len(queued(sw.survey)) == 1
    assert AuditEvent.objects.filter(action="survey.answer").count() == 1
    fold()
    assert rollups.verify(sw.survey)["equal"]


# ------------------------------------------------------------------ pinned sessions (PostgreSQL)
def read(client: Client, code: str) -> Any:
    return client.get(f"/api/v1/surveys/mine/{code}")


def test_reading_the_questionnaire_pins_the_session(mode: str, sw: Any) -> None:
    client = login(sw.workers[0].user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert read(client, sw.survey.code).status_code == 200
    # the read's full check pins the session on PostgreSQL, never on SQLite
    assert (session_pins.get(key) is not None) is PG
    with CaptureQueriesContext(connection) as ctx:
        r = answer(client, sw.survey.code, answers(0))
    assert (r.status_code, r.json()) == (200, {"saved": True})
    assert Response.objects.filter(survey=sw.survey).count() == 1 == len(queued(sw.survey))
    work = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().startswith(TRANSACTION_CONTROL)
    ]
    if PG and mode == "fast path":
        # no session row: one read (which checks the session), the questionnaire, one write
        assert len(work) == 3, work
        assert not any("session_data" in sql for sql in work)


def test_a_bearer_token_read_pins_nothing(mode: str, sw: Any) -> None:
    user = sw.workers[0].user
    _token, secret = api_token_create(actor=user, name="phone")
    client = Client()
    r = client.get(f"/api/v1/surveys/mine/{sw.survey.code}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200 and not session_pins._pins


@pytest.mark.parametrize("how", ["logged out", "password changed", "deactivated", "expired"])
def test_a_pinned_session_that_no_longer_holds_is_refused_and_unpinned(
    mode: str, sw: Any, how: str
) -> None:
    worker = sw.workers[0]
    client = login(worker.user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert read(client, sw.survey.code).status_code == 200  # pins on PostgreSQL
    user = worker.user
    if how == "logged out":
        client.logout()
        client.cookies[settings.SESSION_COOKIE_NAME] = key  # a phone replaying its old cookie
    elif how == "password changed":
        user.set_password("a-new-password-1234")
        user.save()
    elif how == "deactivated":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - dt.timedelta(seconds=1)
        )
    r = answer(client, sw.survey.code, answers(0))
    assert r.status_code == 401
    assert not Response.objects.filter(survey=sw.survey).exists() and not queued(sw.survey)
    assert Invitation.objects.get(survey=sw.survey, worker=worker).completed_on is None
    if mode == "fast path":
        assert session_pins.get(key) is None  # dropped, as the exam save drops it


def test_a_pinned_session_still_needs_the_csrf_token(mode: str, sw: Any) -> None:
    client = login(sw.workers[0].user, enforce_csrf_checks=True)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert read(client, sw.survey.code).status_code == 200
    assert (session_pins.get(key) is not None) is PG
    assert answer(client, sw.survey.code, answers(0)).status_code == 403
    assert not Response.objects.exists()


def test_a_pinned_session_is_refused_what_the_api_refuses(mode: str, sw: Any, world: Any) -> None:
    client = login(sw.workers[0].user)
    assert read(client, sw.survey.code).status_code == 200
    r = answer(client, sw.survey.code, {"q1": "zzz"})
    assert r.status_code == 422 and not Response.objects.exists()
    assert answer(client, sw.survey.code, answers(0)).status_code == 200
    r = answer(client, sw.survey.code, answers(1))
    assert r.status_code == 409 and r.json()["code"] == "already_answered"
    # the pin is the session's, not the survey's: a closed survey refuses a pinned session too
    other = login(sw.workers[1].user)
    assert read(other, sw.survey.code).status_code == 200
    services.survey_close(actor=world.alice, survey=sw.survey)
    r = answer(other, sw.survey.code, answers(1))
    assert r.status_code == 409 and r.json()["code"] == "survey_not_open"
    assert Response.objects.count() == 1 == len(queued(sw.survey))
