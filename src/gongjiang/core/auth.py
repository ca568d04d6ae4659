"""API authentication: tokens (``Authorization: Bearer gj_...``) and the session cookie."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db import router as db_router
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


def user_for_token(secret: str) -> Any:
    if not secret or not secret.startswith("gj_"):
        return None
    token = (
        ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(secret)).first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class CookieSessionAuth(SessionAuth):
    """Django session auth with the CSRF check, applied only when the request carries a session
    cookie: a machine client sending ``Authorization: Bearer`` (and no cookie) cannot be forged
    cross-site, and must not be refused for lacking a CSRF token."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        return super().authenticate(request, key)


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_user_fast(request: HttpRequest) -> Any:
    """The session's user when the session is plainly valid, read with one plain query of three
    columns; None for anything else (then Django's own check decides).

    Plainly valid is exactly what ``django.contrib.auth.get_user`` accepts on its main path: the
    session names a user of the model backend, that backend is enabled, the user exists and may log
    in (is active), and the session's hash equals the hash of the user's current password under the
    current secret key. Rotated secret keys (the fallbacks), stale sessions (which Django flushes)
    and other backends are left to Django."""
    session = request.session
    User = get_user_model()
    try:
        backend_path = session[BACKEND_SESSION_KEY]
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        session_hash = session[HASH_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    fields = {f.attname for f in User._meta.concrete_fields}
    if (
        backend_path != MODEL_BACKEND
        or backend_path not in settings.AUTHENTICATION_BACKENDS
        or not session_hash
        or not {"password", "is_active"} <= fields
    ):
        return None
    alias = db_router.db_for_read(User)
    connection = connections[alias]
    pk = User._meta.pk
    qn = connection.ops.quote_name
    columns = ", ".join(
        qn(f.column)
        for f in (pk, User._meta.get_field("password"), User._meta.get_field("is_active"))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {qn(User._meta.db_table)} WHERE {qn(pk.column)} = %s",
            [user_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    # the other fields are deferred: a later access loads them
    user = User.from_db(
        alias, [pk.attname, "password", "is_active"], [row[0], row[1], bool(row[2])]
    )
    if not ModelBackend().user_can_authenticate(user):
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user


class FastCookieSessionAuth(CookieSessionAuth):
    """The API's session-cookie authentication (CSRF check included) for the most frequent requests
    (the exam answer save): a plainly valid session is checked without loading the whole user
    through the ORM (``session_user_fast``); anything else goes through ``request.user`` as on every
    other endpoint."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        user = session_user_fast(request)
        if user is not None:
            request.user = user
            return user
        return super().authenticate(request, key)


# --------------------------------------------------------------------------- pinned sessions
# The hottest requests (the exam answer save: every candidate, every few seconds) can check their
# session inside the one statement that does their work, instead of reading the session row and the
# user row first. A session is checked in full once per process (``session_user_fast``, or Django's
# own check); what that check established is then pinned in memory: the session key, the user's id
# and the password hash it was valid for. Each later request re-checks exactly those facts in SQL —
# the session row still exists under that key and has not expired; the user still exists, is
# active and has that same password hash — so a logout (the row is deleted), an expiry, a password
# change or a deactivation ends the session for these requests as it does everywhere else. Logging
# in always issues a new key, so a key cannot come to name another user.


@dataclass(frozen=True)
class SessionPin:
    key: str
    user_id: int
    password: str


class SessionPins:
    """Sessions already checked in full, per process (bounded; the oldest are dropped first)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._pins: dict[str, SessionPin] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> SessionPin | None:
        return self._pins.get(key)

    def remember(self, request: HttpRequest, user: Any) -> SessionPin | None:
        """Pin the request's session for ``user`` (who has just passed the full check). Only
        sessions kept in the database (the statement checks their row) and without an expiry of
        their own (``set_expiry``: the statement slides a pinned session by ``SESSION_COOKIE_AGE``)
        are pinned."""
        from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

        session = request.session
        key = session.session_key
        if (
            not isinstance(session, DatabaseStore)  # the statement checks the database's row
            or not key
            or session.get("_session_expiry") is not None
            or not user.password
        ):
            return None
        return self.pin(SessionPin(key=key, user_id=user.pk, password=user.password))

    def remember_accepted(self, request: HttpRequest) -> SessionPin | None:
        """Pin the session of a request the full path has just accepted from its session cookie
        (its user passed Django's check or ``session_user_fast``): on PostgreSQL only (the
        statements that re-check a pin are PostgreSQL's), never for a bearer token. The exam
        answer save pins after an accepted save; the survey and contest reads pin before the one
        submission they lead to (``core.hotpath``)."""
        if connection.vendor != "postgresql" or "HTTP_AUTHORIZATION" in request.META:
            return None
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return None
        return self.remember(request, user)

    def pin(self, pin: SessionPin) -> SessionPin:
        """Pin a session already checked in full (kept in the database, no expiry of its own)."""
        with self._lock:
            while len(self._pins) >= self.size:
                self._pins.pop(next(iter(self._pins)))
            self._pins[pin.key] = pin
        return pin

    def forget(self, key: str) -> None:
        with self._lock:
            self._pins.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._pins.clear()


session_pins = SessionPins()


def session_guard_sql(connection: Any) -> tuple[str, str]:
    """SQL for checking a pinned session inside a statement (PostgreSQL): the common table
    expressions ``gj_s`` (the live session row), ``gj_u`` (the unchanged, active user) and ``gj_t``
    (slides the session's expiry, at most once per ``SESSION_TOUCH_INTERVAL``, as
    ``SessionActivityMiddleware`` does for other requests), and the condition that the session
    holds. Parameters: ``session_guard_params``."""
    from django.contrib.sessions.models import Session

    User = get_user_model()
    qn = connection.ops.quote_name
    sessions = qn(Session._meta.db_table)
    users = qn(User._meta.db_table)
    pk = qn(User._meta.pk.column)
    password = qn(User._meta.get_field("password").column)
    active = qn(User._meta.get_field("is_active").column)
    ctes = f"""gj_s AS (
        SELECT 1 FROM {sessions} WHERE session_key = %(gj_session)s AND expire_date > %(gj_now)s
    ), gj_u AS (
        SELECT 1 FROM {users}
        WHERE {pk} = %(gj_user)s AND {password} = %(gj_password)s AND {active}
    ), gj_t AS (
        UPDATE {sessions} SET expire_date = %(gj_expiry)s
        WHERE session_key = %(gj_session)s AND expire_date > %(gj_now)s
          AND expire_date < %(gj_touch_before)s AND EXISTS (SELECT 1 FROM gj_u)
        RETURNING 1
    )"""
    return ctes, "EXISTS (SELECT 1 FROM gj_s) AND EXISTS (SELECT 1 FROM gj_u)"


def session_guard_params(pin: SessionPin, now: Any) -> dict[str, Any]:
    """The parameters of ``session_guard_sql`` for ``pin`` at ``now`` (an aware datetime)."""
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    interval = datetime.timedelta(seconds=int(getattr(settings, "SESSION_TOUCH_INTERVAL", 60)))
    return {
        "gj_session": pin.key,
        "gj_user": pin.user_id,
        "gj_password": pin.password,
        "gj_now": now,
        "gj_expiry": now + age,
        "gj_touch_before": now + age - interval,
    }
