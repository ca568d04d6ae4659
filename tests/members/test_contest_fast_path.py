"""The contest answer's fast path (members/contest_fast.py, core/hotpath.py): on PostgreSQL a
plainly valid entry from a phone session is three round trips; everything else falls back to the
API operation. Every test runs twice — with the fast path and with it switched off — and expects
the same answers, refusals, stored rows, audit rows and queued tallies; on SQLite both runs take
the full path."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjiang.core import access, hotpath
from gongjiang.core.auth import SessionPin, session_pins
from gongjiang.core.counters import CounterDelta
from gongjiang.core.models import AuditEvent, Membership
from gongjiang.core.services import api_token_create
from gongjiang.learning.models import QuestionVersion
from gongjiang.members import contest_fast
from gongjiang.members.campaign_tallies import TARGET, campaign_tallies_verify
from gongjiang.members.models import Campaign, ContestEntry

from ..counters_helpers import fold
from ..factories import OrganizationFactory, UserFactory, member
from ..learning.factories import make_question
from ..surveys.helpers import make_workers

PG = connection.vendor == "postgresql"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@pytest.fixture(params=["fast path", "full path"])
def mode(request: Any, monkeypatch: Any) -> str:
    if request.param == "full path":
        monkeypatch.setattr(hotpath, "_HANDLERS", [])
    session_pins.clear()
    contest_fast.graded_forget()
    yield request.param
    session_pins.clear()
    contest_fast.graded_forget()


@pytest.fixture
def people(ms: Any, world: Any) -> list[Any]:
    """Workers of enterprise A with a login, a worker record and the worker role."""
    workers = make_workers(world.enterprise_a, 4, start=300)
    for w in workers:
        member(w.user, world.enterprise_a, "worker")
    return [w.user for w in workers]


def login(user: Any, **kw: Any) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def submit(client: Client, code: str, answers: Any, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/members/campaigns/{code}/answers",
        data=json.dumps({"answers": answers}) if not isinstance(answers, bytes) else answers,
        content_type="application/json",
        **extra,
    )


def right(ms: Any) -> dict[str, Any]:
    single, tf, multiple = ms.questions
    return {single.code: "B", tf.code: True, multiple.code: ["A", "C"]}


def entries(campaign: Any) -> list[tuple[int, Decimal]]:
    return sorted(ContestEntry.objects.filter(campaign=campaign).values_list("user_id", "score"))


def queued(campaign: Any) -> list[Any]:
    return list(
        CounterDelta.objects.filter(target=TARGET, scope=campaign.pk).values_list(
            "payload", flat=True
        )
    )


def test_an_entry_is_graded_stored_audited_and_queued(mode: str, ms: Any, people: Any) -> None:
    user = people[0]
    client = login(user)
    single, tf, multiple = ms.questions
    partial = {single.code: "A", tf.code: True, multiple.code: ["A"]}
    with CaptureQueriesContext(connection) as ctx:
        r = submit(client, ms.campaign.code, partial)
    assert (r.status_code, r.json()) == (201, {"score": "1.50"})
    assert entries(ms.campaign) == [(user.pk, Decimal("1.50"))]
    entry = ContestEntry.objects.get(campaign=ms.campaign, user=user)
    unit = user.worker.organization
    assert entry.organization == unit and entry.answers == partial
    assert queued(ms.campaign) == [{"o": unit.pk, "p": unit.path, "s": "1.50"}]
    event = AuditEvent.objects.get(action="members.contest_submit")
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
        user.pk,
        user.username,
        "members.campaign",
        ms.campaign.code,
        ms.campaign.title,
        unit.pk,
        "127.0.0.1",
        {"score": "1.50"},
    )
    work = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().startswith(TRANSACTION_CONTROL)
    ]
    if PG and mode == "fast path":
        # the session row, one read, one write
        assert len(work) == 3, work
    else:
        assert len(work) > 3


def test_full_marks_and_an_empty_entry(mode: str, ms: Any, people: Any) -> None:
    assert submit(login(people[0]), ms.campaign.code, right(ms)).json() == {"score": "3.00"}
    r = submit(login(people[1]), ms.campaign.code, {})
    assert (r.status_code, r.json()) == (201, {"score": "0"})
    assert entries(ms.campaign) == [(people[0].pk, Decimal("3.00")), (people[1].pk, Decimal("0"))]


def test_a_second_entry_is_refused_and_never_counted(mode: str, ms: Any, people: Any) -> None:
    client = login(people[0])
    assert submit(client, ms.campaign.code, right(ms)).status_code == 201
    for _ in range(2):  # a retried request, then a changed mind
        r = submit(client, ms.campaign.code, {})
        assert r.status_code == 409 and r.json()["code"] == "already_answered"
    assert entries(ms.campaign) == [(people[0].pk, Decimal("3.00"))]
    assert len(queued(ms.campaign)) == 1
    assert AuditEvent.objects.filter(action="members.contest_submit").count() == 1


def test_outside_the_audience_is_the_same_as_no_campaign(mode: str, ms: Any, world: Any) -> None:
    outsider = make_workers(world.enterprise_b, 1, start=400)[0].user
    member(outsider, world.enterprise_b, "worker")
    client = login(outsider)
    hidden = submit(client, ms.campaign.code, {})
    missing = submit(client, "NOSUCHCAMPAIGN", {})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert not ContestEntry.objects.exists() and not queued(ms.campaign)


@pytest.mark.parametrize(
    "change",
    ["closed", "not yet open"],
)
def test_a_campaign_that_is_not_running_refuses(
    mode: str, ms: Any, people: Any, change: str
) -> None:
    now = timezone.now()
    if change == "closed":
        Campaign.objects.filter(pk=ms.campaign.pk).update(ends_at=now - dt.timedelta(seconds=1))
    else:
        Campaign.objects.filter(pk=ms.campaign.pk).update(starts_at=now + dt.timedelta(hours=1))
    r = submit(login(people[0]), ms.campaign.code, right(ms))
    assert r.status_code == 400 and r.json()["code"] == "not_open"
    assert not ContestEntry.objects.exists() and not queued(ms.campaign)


@pytest.mark.parametrize(
    "body, code",
    [
        ("unknown", "unknown_questions"),
        ("too many", None),
        ("not an object", None),
        ("extra field", None),
        ("not json", None),
    ],
)
def test_bad_input_is_refused_the_same_way(
    mode: str, ms: Any, people: Any, body: str, code: str | None
) -> None:
    client = login(people[0])
    answers: Any = {
        "unknown": {"NOPE": "A", **right(ms)},
        "too many": {f"K{i}": "A" for i in range(51)},
        "not an object": ["A", "B"],
    }.get(body)
    if body == "extra field":
        raw = json.dumps({"answers": right(ms), "score": 100}).encode()
        r = submit(client, ms.campaign.code, raw)
    elif body == "not json":
        r = submit(client, ms.campaign.code, b"{answers:")
    else:
        r = submit(client, ms.campaign.code, answers)
    expected = {"unknown": 400}.get(body, 422)
    assert r.status_code == expected
    if code:
        assert r.json()["code"] == code
    assert not ContestEntry.objects.exists() and not queued(ms.campaign)


def test_padded_codes_are_read_as_the_api_reads_them(mode: str, ms: Any, people: Any) -> None:
    single, tf, multiple = ms.questions
    r = submit(login(people[0]), ms.campaign.code, {f" {single.code} ": "B"})
    # the schema strips the key, so the answer counts: both paths agree
    assert (r.status_code, r.json()) == (201, {"score": "1.00"})


def test_csrf_is_enforced_for_cookie_sessions(mode: str, ms: Any, people: Any) -> None:
    client = login(people[0], enforce_csrf_checks=True)
    r = submit(client, ms.campaign.code, right(ms))
    assert r.status_code == 403
    assert not ContestEntry.objects.exists()
    client.get("/")  # the page sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    r = submit(client, ms.campaign.code, right(ms), HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201 and len(entries(ms.campaign)) == 1


def test_a_bearer_token_takes_the_full_path(mode: str, ms: Any, people: Any) -> None:
    _token, secret = api_token_create(actor=people[0], name="phone")
    r = Client().post(
        f"/api/v1/members/campaigns/{ms.campaign.code}/answers",
        data=json.dumps({"answers": right(ms)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert (r.status_code, r.json()) == (201, {"score": "3.00"})


@pytest.mark.parametrize("how", ["logged out", "password changed", "deactivated", "expired"])
def test_a_session_that_no_longer_holds_is_refused(
    mode: str, ms: Any, people: Any, how: str
) -> None:
    user = people[0]
    client = login(user)
    # the session is used (and, on PostgreSQL's fast path, pinned) by another campaign's entry
    other = Campaign.objects.create(
        organization=ms.campaign.organization,
        title="第二场",
        starts_at=ms.campaign.starts_at,
        ends_at=ms.campaign.ends_at,
    )
    other.questions.set(ms.questions)
    assert submit(client, other.code, {}).status_code == 201
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
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
    r = submit(client, ms.campaign.code, right(ms))
    assert r.status_code == 401
    assert not ContestEntry.objects.filter(campaign=ms.campaign).exists()


def test_a_superuser_and_people_without_a_worker_record(mode: str, ms: Any, world: Any) -> None:
    # the full path decides for the superuser; the others' unit is their deepest membership
    boss = UserFactory(username="boss", is_superuser=True)
    member(boss, world.enterprise_a, "officer")
    assert submit(login(boss), ms.campaign.code, right(ms)).status_code == 201
    assert submit(login(world.worker_a), ms.campaign.code, right(ms)).status_code == 201
    # no worker record and roles at two levels: the unit is the deepest membership
    cadre = UserFactory(username="cadre")
    member(cadre, world.city_a, "officer")
    member(cadre, world.enterprise_a, "worker")
    assert submit(login(cadre), ms.campaign.code, right(ms)).status_code == 201
    units = dict(ContestEntry.objects.values_list("user_id", "organization_id"))
    assert units == {
        boss.pk: world.enterprise_a.pk,
        world.worker_a.pk: world.enterprise_a.pk,
        cadre.pk: world.enterprise_a.pk,
    }
    assert len(queued(ms.campaign)) == 3


def test_tallies_equal_a_recount_after_the_fold(mode: str, ms: Any, world: Any) -> None:
    small = OrganizationFactory(parent=world.city_a, name="小微企业", kind="enterprise")
    users = [w.user for w in make_workers(world.enterprise_a, 5, start=500)]
    users += [w.user for w in make_workers(small, 3, start=600)]
    for u in users:
        member(u, u.worker.organization, "worker")
    single, tf, multiple = ms.questions
    for i, u in enumerate(users):
        answers = {
            single.code: "AB"[i % 2],
            tf.code: bool(i % 3),
            multiple.code: ["A", "C"][: i % 3],
        }
        assert submit(login(u), ms.campaign.code, answers).status_code == 201
    fold()
    result = campaign_tallies_verify(campaign=ms.campaign)
    assert result["participants"] == len(users) and not result["mismatches"]
    assert result["pending"] == 0


@pytest.mark.skipif(not PG, reason="concurrent requests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_person_store_one_entry(mode: str, ms: Any, people: Any) -> None:
    user = people[0]
    clients = [login(user) for _ in range(6)]
    results: list[int] = []
    barrier = threading.Barrier(len(clients))

    def go(client: Client) -> None:
        try:
            barrier.wait()
            results.append(submit(client, ms.campaign.code, right(ms)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [409] * (len(clients) - 1)
    assert entries(ms.campaign) == [(user.pk, Decimal("3.00"))]
    assert len(queued(ms.campaign)) == 1
    assert AuditEvent.objects.filter(action="members.contest_submit").count() == 1
    fold()
    assert not campaign_tallies_verify(campaign=ms.campaign)["mismatches"]


# ------------------------------------------------------------------ pinned sessions (PostgreSQL)
def read(client: Client, code: str) -> Any:
    return client.get(f"/api/v1/members/campaigns/{code}")


def test_reading_the_contest_pins_the_session(mode: str, ms: Any, people: Any) -> None:
    client = login(people[0])
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert read(client, ms.campaign.code).status_code == 200
    # the read's full check pins the session on PostgreSQL, never on SQLite
    assert (session_pins.get(key) is not None) is PG
    with CaptureQueriesContext(connection) as ctx:
        r = submit(client, ms.campaign.code, right(ms))
    assert (r.status_code, r.json()) == (201, {"score": "3.00"})
    assert entries(ms.campaign) == [(people[0].pk, Decimal("3.00"))]
    work = [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().startswith(TRANSACTION_CONTROL)
    ]
    if PG and mode == "fast path":
        # no session row: one read (which checks the session) and one write
        assert len(work) == 2, work
        assert not any("session_data" in sql for sql in work)


@pytest.mark.parametrize(
    "how", ["logged out", "password changed", "deactivated", "expired", "role removed"]
)
def test_a_pinned_session_that_no_longer_may_answer_is_refused(
    mode: str, ms: Any, people: Any, how: str
) -> None:
    user = people[0]
    client = login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert read(client, ms.campaign.code).status_code == 200  # pins on PostgreSQL
    if how == "logged out":
        client.logout()
        client.cookies[settings.SESSION_COOKIE_NAME] = key  # a phone replaying its old cookie
    elif how == "password changed":
        user.set_password("a-new-password-1234")
        user.save()
    elif how == "deactivated":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif how == "expired":
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - dt.timedelta(seconds=1)
        )
    else:
        Membership.objects.filter(user=user).delete()
        access.forget(user)
    r = submit(client, ms.campaign.code, right(ms))
    assert r.status_code == (403 if how == "role removed" else 401)
    assert not ContestEntry.objects.exists() and not queued(ms.campaign)
    if how == "role removed":
        # the session still holds (the pin records only its user and password); the roles are
        # read on every entry, so the refusal is the API's
        assert (session_pins.get(key) is not None) is PG
    elif mode == "fast path":
        assert session_pins.get(key) is None  # dropped, as the exam save drops it


def test_a_pinned_session_still_needs_the_csrf_token(mode: str, ms: Any, people: Any) -> None:
    client = login(people[0], enforce_csrf_checks=True)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert read(client, ms.campaign.code).status_code == 200
    assert (session_pins.get(key) is not None) is PG
    assert submit(client, ms.campaign.code, right(ms)).status_code == 403
    assert not ContestEntry.objects.exists()


def test_a_pinned_session_is_refused_what_the_api_refuses(
    mode: str, ms: Any, people: Any, world: Any
) -> None:
    client = login(people[0])
    assert read(client, ms.campaign.code).status_code == 200
    r = submit(client, ms.campaign.code, {"NOPE": "A"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_questions"
    assert submit(client, ms.campaign.code, right(ms)).status_code == 201
    r = submit(client, ms.campaign.code, {})
    assert r.status_code == 409 and r.json()["code"] == "already_answered"
    # outside the audience: a pinned session of another enterprise's worker
    outsider = make_workers(world.enterprise_b, 1, start=450)[0].user
    member(outsider, world.enterprise_b, "worker")
    other = login(outsider)
    assert read(other, ms.campaign.code).status_code == 404  # not pinned by a refused read
    other_key = other.cookies[settings.SESSION_COOKIE_NAME].value
    assert session_pins.get(other_key) is None
    if PG:  # as if another full-path request had pinned it
        session_pins.pin(SessionPin(other_key, outsider.pk, outsider.password))
    assert submit(other, ms.campaign.code, right(ms)).status_code == 404
    assert entries(ms.campaign) == [(people[0].pk, Decimal("3.00"))]
    assert len(queued(ms.campaign)) == 1


# ------------------------------------- a pinned session's entry in one statement (PostgreSQL)
def work_of(ctx: Any) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().startswith(TRANSACTION_CONTROL)
    ]


def warm(ms: Any, world: Any, mode: str) -> Any:
    """A first entry in this process (another worker's, on the general path): its read leaves the
    campaign's graded versions with the process, so a pinned entry after it is one statement."""
    first = make_workers(world.enterprise_a, 1, start=700)[0].user
    member(first, first.worker.organization, "worker")
    assert submit(login(first), ms.campaign.code, right(ms)).status_code == 201
    # only PostgreSQL's fast path reads (and holds) them
    assert (ms.campaign.code in contest_fast._GRADED) is (PG and mode == "fast path")
    return first


def pinned(user: Any, code: str) -> Client:
    client = login(user)
    assert read(client, code).status_code == 200
    return client


def test_a_pinned_entry_is_one_statement(mode: str, ms: Any, people: Any, world: Any) -> None:
    first = warm(ms, world, mode)
    user = people[0]
    client = pinned(user, ms.campaign.code)
    single, tf, multiple = ms.questions
    partial = {single.code: "A", tf.code: True, multiple.code: ["A"]}
    with CaptureQueriesContext(connection) as ctx:
        r = submit(client, ms.campaign.code, partial)
    assert (r.status_code, r.json()) == (201, {"score": "1.50"})
    work = work_of(ctx)
    if PG and mode == "fast path":
        assert len(work) == 1, work  # no session row, no read: the write decides
        assert not any("session_data" in sql for sql in work)
    else:
        assert len(work) > 1
    unit = user.worker.organization
    entry = ContestEntry.objects.get(campaign=ms.campaign, user=user)
    assert (entry.organization, entry.answers, entry.score) == (unit, partial, Decimal("1.50"))
    payloads = queued(ms.campaign)
    assert {"o": unit.pk, "p": unit.path, "s": "1.50"} in payloads and len(payloads) == 2
    event = AuditEvent.objects.get(action="members.contest_submit", actor_id=user.pk)
    assert (
        event.actor_name,
        event.object_type,
        event.object_code,
        event.object_repr,
        event.organization_id,
        event.client_address,
        event.details,
    ) == (
        user.username,
        "members.campaign",
        ms.campaign.code,
        ms.campaign.title,
        unit.pk,
        "127.0.0.1",
        {"score": "1.50"},
    )
    assert entries(ms.campaign) == sorted([(first.pk, Decimal("3.00")), (user.pk, Decimal("1.50"))])


def test_a_pinned_entry_without_a_worker_record_counts_for_the_deepest_unit(
    mode: str, ms: Any, world: Any
) -> None:
    warm(ms, world, mode)
    cadre = UserFactory(username="cadre2")
    member(cadre, world.city_a, "officer")
    member(cadre, world.enterprise_a, "worker")
    client = pinned(cadre, ms.campaign.code)
    with CaptureQueriesContext(connection) as ctx:
        assert submit(client, ms.campaign.code, right(ms)).status_code == 201
    if PG and mode == "fast path":
        assert len(work_of(ctx)) == 1, work_of(ctx)
    entry = ContestEntry.objects.get(campaign=ms.campaign, user=cadre)
    assert entry.organization == world.enterprise_a
    assert {"o": world.enterprise_a.pk, "p": world.enterprise_a.path, "s": "3.00"} in queued(
        ms.campaign
    )


REFUSALS = {
    # case: (status, error code or None)
    "closed": (400, "not_open"),
    "not yet open": (400, "not_open"),
    "outside the audience": (404, None),
    "already answered": (409, "already_answered"),
    "role removed": (403, None),
    "unknown question": (400, "unknown_questions"),
    "logged out": (401, None),
    "password changed": (401, None),
    "deactivated": (401, None),
    "expired": (401, None),
}


@pytest.mark.parametrize("pinning", ["pinned", "general"])
@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_refusal_is_the_same_pinned_or_not(
    mode: str, ms: Any, people: Any, world: Any, pinning: str, case: str
) -> None:
    """Every refusal answers the same whether the session was pinned by the contest's read (one
    statement on PostgreSQL's fast path), or not (the general path), or the fast path is off."""
    warm(ms, world, mode)
    user = people[0]
    if case == "outside the audience":
        user = make_workers(world.enterprise_b, 1, start=460)[0].user
        member(user, world.enterprise_b, "worker")
    client = login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    if pinning == "pinned":
        if case == "outside the audience":
            assert read(client, ms.campaign.code).status_code == 404
            if PG:  # as if another full-path request had pinned it
                session_pins.pin(SessionPin(key, user.pk, user.password))
        else:
            assert read(client, ms.campaign.code).status_code == 200
        assert (session_pins.get(key) is not None) is PG
    answers = right(ms)
    now = timezone.now()
    if case == "closed":
        Campaign.objects.filter(pk=ms.campaign.pk).update(ends_at=now - dt.timedelta(seconds=1))
    elif case == "not yet open":
        Campaign.objects.filter(pk=ms.campaign.pk).update(starts_at=now + dt.timedelta(hours=1))
    elif case == "already answered":
        assert submit(client, ms.campaign.code, {}).status_code == 201
    elif case == "role removed":
        Membership.objects.filter(user=user).delete()
        access.forget(user)
    elif case == "unknown question":
        answers = {"NOPE": "A", **answers}
    elif case == "logged out":
        Session.objects.filter(session_key=key).delete()
    elif case == "password changed":
        user.set_password("a-new-password-1234")
        user.save()
    elif case == "deactivated":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif case == "expired":
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - dt.timedelta(seconds=1)
        )
    audits = AuditEvent.objects.filter(action="members.contest_submit")
    before = (entries(ms.campaign), len(queued(ms.campaign)), audits.count())
    r = submit(client, ms.campaign.code, answers)
    status, code = REFUSALS[case]
    assert r.status_code == status, r.content
    if code:
        assert r.json()["code"] == code
    assert (entries(ms.campaign), len(queued(ms.campaign)), audits.count()) == before
    if status == 401 and mode == "fast path":
        assert session_pins.get(key) is None  # dropped, as the exam save drops it


@pytest.mark.parametrize(
    "change", ["answer edited in place", "new version", "question added", "question removed"]
)
def test_a_changed_version_is_graded_as_the_full_path_grades_it(
    mode: str, ms: Any, people: Any, world: Any, change: str
) -> None:
    warm(ms, world, mode)
    single, tf, multiple = ms.questions
    client = pinned(people[0], ms.campaign.code)
    answers = {single.code: "C", tf.code: True, multiple.code: ["A", "C"]}
    expected: tuple[int, Any]
    if change == "answer edited in place":  # an unused version is edited, not copied
        QuestionVersion.objects.filter(pk=single.current_id).update(answer="C")
        expected = (201, {"score": "3.00"})
    elif change == "new version":
        old = QuestionVersion.objects.get(pk=single.current_id)
        new = QuestionVersion.objects.create(
            question_id=single.pk,
            number=old.number + 1,
            qtype=old.qtype,
            stem=old.stem,
            options=old.options,
            answer="C",
            score=Decimal("4"),
        )
        type(single).objects.filter(pk=single.pk).update(current=new)
        expected = (201, {"score": "6.00"})
    elif change == "question added":
        extra = make_question(world.alice, world.province_a, "true_false", answer=False)
        ms.campaign.questions.add(extra)
        answers[extra.code] = False
        expected = (201, {"score": "3.00"})
    else:
        ms.campaign.questions.remove(tf)
        expected = (400, "unknown_questions")
    r = submit(client, ms.campaign.code, answers)
    if expected[0] == 201:
        assert (r.status_code, r.json()) == expected
        score = Decimal(expected[1]["score"])
        assert (people[0].pk, score) in entries(ms.campaign)
    else:
        assert (r.status_code, r.json()["code"]) == expected
        assert not ContestEntry.objects.filter(user=people[0]).exists()
    if PG and mode == "fast path":
        # the process now holds the changed versions: the next pinned entry is one statement
        other = pinned(people[1], ms.campaign.code)
        if change == "question removed":
            answers.pop(tf.code)
        with CaptureQueriesContext(connection) as ctx:
            assert submit(other, ms.campaign.code, answers).status_code == 201
        assert len(work_of(ctx)) == 1, work_of(ctx)


@pytest.mark.skipif(not PG, reason="concurrent requests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_pinned_entries_lose_nothing_and_count_once(
    mode: str, ms: Any, world: Any
) -> None:
    """Eight pinned workers post three times each at once (real threads, one connection each):
    every worker is stored once, every other post is refused as already answered, nothing is
    queued or audited twice, and the folded tallies equal a recount."""
    warm(ms, world, mode)
    users = [w.user for w in make_workers(world.enterprise_a, 8, start=800)]
    for u in users:
        member(u, world.enterprise_a, "worker")
    clients = [(u, pinned(u, ms.campaign.code)) for u in users]
    posts = [(u, c) for u, c in clients for _ in range(3)]
    results: list[tuple[int, int]] = []
    barrier = threading.Barrier(len(posts))
    single, tf, multiple = ms.questions

    def go(user: Any, client: Client) -> None:
        try:
            barrier.wait()
            answers = {single.code: "AB"[user.pk % 2], tf.code: True}
            results.append((user.pk, submit(client, ms.campaign.code, answers).status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=p) for p in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for u in users:
        assert sorted(s for pk, s in results if pk == u.pk) == [201, 409, 409]
    stored = ContestEntry.objects.filter(campaign=ms.campaign, user__in=users)
    assert stored.count() == len(users)
    assert len(queued(ms.campaign)) == len(users) + 1
    audited = AuditEvent.objects.filter(action="members.contest_submit", actor__in=users)
    assert audited.count() == len(users)
    for entry in stored:
        assert entry.score == (Decimal("2.00") if entry.user_id % 2 else Decimal("1.00"))
    fold()
    result = campaign_tallies_verify(campaign=ms.campaign)
    assert result["participants"] == len(users) + 1 and not result["mismatches"]
    assert result["pending"] == 0
