"""Per-request context: the client address for the audit log."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_address", default=None
)


def address_of(request: HttpRequest) -> str | None:
    # Behind a reverse proxy set REMOTE_ADDR correctly there (docs/operations.md); we do not trust
    # X-Forwarded-For from arbitrary clients.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(address_of(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)


class SessionActivityMiddleware:
    """Idle timeout without a session write on every request.

    The session cookie and row expire ``SESSION_COOKIE_AGE`` (the idle timeout) after the session was
    last saved. Instead of saving on every request (``SESSION_SAVE_EVERY_REQUEST``, which doubles the
    commits of every API call), an active session is touched at most once per
    ``SESSION_TOUCH_INTERVAL`` seconds, which slides its expiry forward. A user is therefore logged
    out between ``IDLE - INTERVAL`` and ``IDLE`` seconds after their last request.

    A view marked ``session_guarded = True`` checks and slides its session itself, inside its own
    statement (``core.auth.session_guard_sql``); it is left alone here, so that its session is not
    read at all when it does not need to be (it calls ``touch_session`` when it does read it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if not getattr(view_func, "session_guarded", False):
            touch_session(request)


SESSION_SEEN_KEY = "_gj_seen"


def touch_session(request: HttpRequest) -> None:
    """Slide the request's session expiry when it was last slid ``SESSION_TOUCH_INTERVAL`` or more
    seconds ago (the session is then saved with the response)."""
    from django.conf import settings

    session = getattr(request, "session", None)
    if session is not None and session.session_key and not session.is_empty():
        now = int(time.time())
        seen = session.get(SESSION_SEEN_KEY, 0)
        interval = int(getattr(settings, "SESSION_TOUCH_INTERVAL", 60))
        if not isinstance(seen, int) or now - seen >= interval:
            session[SESSION_SEEN_KEY] = now
