"""Fast paths for one-time submissions from the phone (a survey's answers, a contest's entry).

At national scale every worker submits once, within minutes of everyone else. The full path of
such a request — Django's session, CSRF, authentication and locale middleware, the API's
authentication, then the service's own queries in a transaction — costs about eighteen statements.
A fast path answers the plainly valid submission with three round trips instead:

1. the session row (``gongjiang.core.sessions``: one plain statement), decoded and checked as
   ``django.contrib.auth.get_user`` would (``session_facts`` / ``session_user_holds``); a session
   this process has already checked in full (``core.auth.session_pins``: the read of the
   questionnaire or the contest on the full path pins it, ``SessionPins.remember_accepted``) skips
   this read, and the next one re-checks what the pin holds (a pin that no longer holds is
   dropped, as the exam save drops it);
2. one read of everything the decision needs (the user's password hash and flags, their worker
   record, memberships, the survey or campaign), made by the fast path itself;
3. one statement that writes the submission, its audit row and its queued counter increments
   together (PostgreSQL: data-modifying common table expressions, one implicit transaction), only
   if the submission is still the first (``ON CONFLICT DO NOTHING`` / ``completed_on IS NULL``),
   and slides the session's expiry as ``SessionActivityMiddleware`` does.

The contest entry goes further for a pinned session (``members.contest_fast``): once its process
holds the campaign's graded versions, the read is folded into the write — one statement that
re-checks the session, the versions and the whole decision in SQL, as the exam save does.

A fast path never refuses: whenever it cannot accept a submission plainly — SQLite, a bearer
token, no CSRF token, a body that is not plainly valid, a closed survey, a second submission, a
user outside the audience, anything unexpected — it returns None having changed nothing, and the
request continues down the middleware stack to the API operation, which decides and answers
exactly as before (refusals, their status codes and messages included).

``HotPathMiddleware`` sits near the top of the stack (settings.MIDDLEWARE) and calls the handler
registered for the request's method and path (``register``)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .auth import MODEL_BACKEND, SessionPin, session_pins
from .middleware import address_of

# a submission larger than this is never plainly valid (the full path reads and judges it)
MAX_BODY_BYTES = 64 * 1024

Handler = Callable[[HttpRequest, "re.Match[str]"], HttpResponse | None]
_HANDLERS: list[tuple[str, re.Pattern[str], Handler]] = []


def register(method: str, pattern: str, handler: Handler) -> None:
    """Route ``method`` requests whose path matches ``pattern`` to ``handler`` first."""
    _HANDLERS.append((method, re.compile(pattern), handler))


class HotPathMiddleware:
    """The registered fast paths, ahead of the session, locale, CSRF, authentication and message
    middleware they do not need (each checks the CSRF token itself). Anything a fast path does not
    answer continues down the stack unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _HANDLERS:
            for method, pattern, handler in _HANDLERS:
                if request.method != method:
                    continue
                match = pattern.match(request.path_info)
                if match is not None:
                    response = handler(request, match)
                    if response is not None:
                        return response
                    break
        return self.get_response(request)


# ------------------------------------------------------------------------------ the request
def plain_json_body(request: HttpRequest) -> Any:
    """The body's JSON when the request may take a fast path at all (PostgreSQL, a session
    cookie and no bearer token, the CSRF token, a JSON body of modest size); None otherwise."""
    from ninja.utils import check_csrf

    if connection.vendor != "postgresql" or "HTTP_AUTHORIZATION" in request.META:
        return None
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return None
    if not (request.content_type or "").startswith("application/json"):
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY_BYTES:
        return None
    if check_csrf(request) is not None:
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None


def stripped(value: Any) -> bool:
    """The API's input schemas strip strings: a value is plain when stripping changes nothing."""
    return type(value) is str and value == value.strip()


# ------------------------------------------------------------------------------ the session
@dataclass(frozen=True)
class SessionFacts:
    """What the session cookie stands for: its key and user, and either the pin of a session this
    process checked in full (``password``) or the hash the session holds (``session_hash``, to be
    checked against the user's password once it is read)."""

    key: str
    user_id: int
    password: str | None = None
    session_hash: str | None = None


def session_facts(request: HttpRequest) -> SessionFacts | None:
    """The session's user as ``django.contrib.auth.get_user`` finds it on its main path; None for
    anything else (a missing or expired session, another backend, a session with an expiry of its
    own: the full path decides)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    pin = session_pins.get(key)
    if pin is not None:
        return SessionFacts(key=key, user_id=pin.user_id, password=pin.password)
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    if store.session_key != key:  # not a well-formed key
        return None
    data = _session_data(store)  # {} when missing or expired
    if not data or data.get("_session_expiry") is not None:
        return None
    User = get_user_model()
    try:
        user_id = User._meta.pk.to_python(data[SESSION_KEY])
        backend = data[BACKEND_SESSION_KEY]
        session_hash = data[HASH_SESSION_KEY]
    except Exception:  # noqa: BLE001 - any malformed session goes to the full path
        return None
    if (
        backend != MODEL_BACKEND
        or backend not in settings.AUTHENTICATION_BACKENDS
        or not session_hash
        or type(user_id) is not int
    ):
        return None
    return SessionFacts(key=key, user_id=user_id, session_hash=session_hash)


def _session_data(store: Any) -> dict[str, Any]:
    """The session's data as ``gongjiang.core.sessions.SessionStore.load`` reads it (same row, same
    conditions), with a prepared statement when the store is that database store; any other
    engine loads the session itself."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

    if not isinstance(store, DatabaseStore) or connection.vendor != "postgresql":
        return store.load()
    model = store.model
    table = connection.ops.quote_name(model._meta.db_table)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
            [store.session_key, timezone.now()],
        )
        row = cursor.fetchone()
    return {} if row is None else store.decode(row[0])


def prepared_cursor() -> Any:
    """A cursor whose statements PostgreSQL parses and plans once per connection instead of on
    every request. Django's cursors bind parameters on the client and are never prepared; when the
    connection may prepare statements (``prepare_threshold`` in the database OPTIONS, the
    ``DATABASE_PREPARE_THRESHOLD`` environment variable, settings.py) this is a server-binding
    psycopg cursor on the same connection, through Django's cursor wrapper (error mapping, query
    logging). The exam answer save and the fast paths use it. Planning was
    most of the database's CPU for a fast-path submission (docs/members.md, Benchmarks)."""
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor != "postgresql" or getattr(raw, "prepare_threshold", None) is None:
        return connection.cursor()
    import psycopg

    cursor = psycopg.Cursor(raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def session_user_holds(
    facts: SessionFacts, password: str | None, is_active: Any, alive: Any = True
) -> bool:
    """The session's user, as read by the fast path's own statement, is still the one the session
    was made for: active, with the password the session was checked against (a pin) or whose
    hash the session holds (``get_user``'s check, under the current secret key only). ``alive``:
    a pinned session's row still exists and has not expired (``session_alive_sql``). A pin that
    no longer holds is dropped, as the exam save drops it: the full path decides (401) and the
    next request reads the session again."""
    if facts.password is not None:
        holds = (
            bool(alive)
            and password is not None
            and bool(is_active)
            and constant_time_compare(facts.password, password)
        )
        if not holds:
            session_pins.forget(facts.key)
        return holds
    if password is None or not is_active:
        return False
    User = get_user_model()
    user = User.from_db(
        connection.alias, ["id", "password", "is_active"], [facts.user_id, password, True]
    )
    if not ModelBackend().user_can_authenticate(user):
        return False
    return constant_time_compare(facts.session_hash or "", user.get_session_auth_hash())


def pin_session(facts: SessionFacts, password: str) -> None:
    """Remember a session that passed the full check (its next request skips the session read)."""
    if facts.password is None and password:
        session_pins.pin(SessionPin(key=facts.key, user_id=facts.user_id, password=password))


def session_touch_sql() -> str:
    """A common table expression ``gj_t`` that slides the session's expiry (at most once per
    ``SESSION_TOUCH_INTERVAL``, as ``SessionActivityMiddleware`` does) when the CTE ``done`` holds
    a row. Parameters: ``session_touch_params``."""
    from django.contrib.sessions.models import Session

    table = connection.ops.quote_name(Session._meta.db_table)
    return f"""gj_t AS (
        UPDATE {table} SET expire_date = %(gj_expiry)s
        WHERE session_key = %(gj_session)s AND expire_date > %(gj_now)s
          AND expire_date < %(gj_touch_before)s AND EXISTS (SELECT 1 FROM done)
        RETURNING 1
    )"""


def session_touch_params(facts: SessionFacts, now: datetime.datetime) -> dict[str, Any]:
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    interval = datetime.timedelta(seconds=int(getattr(settings, "SESSION_TOUCH_INTERVAL", 60)))
    return {
        "gj_session": facts.key,
        "gj_now": now,
        "gj_expiry": now + age,
        "gj_touch_before": now + age - interval,
    }


def session_alive_sql() -> str:
    """An expression: the session row still exists and has not expired (for a pinned session,
    whose row the fast path did not read). Parameters: ``gj_session``, ``gj_now``."""
    from django.contrib.sessions.models import Session

    table = connection.ops.quote_name(Session._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {table} WHERE session_key = %(gj_session)s "
        "AND expire_date > %(gj_now)s)"
    )


def client_address(request: HttpRequest) -> str | None:
    """The address the audit row records (``RequestContextMiddleware`` has not run yet)."""
    return address_of(request)


def json_response(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body), status=status, content_type="application/json; charset=utf-8"
    )
