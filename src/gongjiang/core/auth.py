"""API authentication: tokens (``Authorization: Bearer gj_...``) and the session cookie."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections
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
