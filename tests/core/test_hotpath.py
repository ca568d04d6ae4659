"""core/hotpath.py: the fast paths' shared pieces. Their statements are prepared on PostgreSQL
(a server-binding cursor: planned once per connection, which was most of the database's CPU of a
fast-path answer), and the session read keeps the conditions of ``core.sessions``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from gongjiang.core import hotpath
from gongjiang.core.auth import session_pins

from ..factories import UserFactory

pytestmark = pytest.mark.django_db
PG = connection.vendor == "postgresql"


def request_with(key: str) -> Any:
    request = RequestFactory().post("/x", data=b"{}", content_type="application/json")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = key
    return request


def logged_in_key(client: Any) -> str:
    client.force_login(UserFactory())
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_cursor_is_prepared_on_postgresql_only() -> None:
    with hotpath.prepared_cursor() as cursor:
        cursor.execute("SELECT %s", [1])
        assert cursor.fetchone()[0] == 1
        raw = cursor.cursor
    import psycopg

    if PG and getattr(connection.connection, "prepare_threshold", None) is not None:
        assert type(raw) is psycopg.Cursor  # server-side binding: may be prepared
    else:
        assert not isinstance(raw, psycopg.Cursor) or type(raw) is not psycopg.Cursor


def test_a_live_session_gives_its_user(client: Any) -> None:
    session_pins.clear()
    key = logged_in_key(client)
    facts = hotpath.session_facts(request_with(key))
    assert facts is not None and facts.key == key and facts.session_hash


def test_an_expired_missing_or_malformed_session_gives_nothing(client: Any) -> None:
    session_pins.clear()
    key = logged_in_key(client)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert hotpath.session_facts(request_with(key)) is None
    Session.objects.filter(session_key=key).delete()
    assert hotpath.session_facts(request_with(key)) is None
    assert hotpath.session_facts(request_with("short")) is None  # not a well-formed key


@pytest.mark.skipif(not PG, reason="prepared statements are PostgreSQL's")
def test_a_statement_run_often_is_prepared_once(client: Any) -> None:
    session_pins.clear()
    key = logged_in_key(client)
    for _ in range(8):
        assert hotpath.session_facts(request_with(key)) is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT session_data FROM%"],
        )
        assert cursor.fetchone()[0] == 1
