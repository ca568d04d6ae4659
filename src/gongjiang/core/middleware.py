"""Per-request context: the client address for the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

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
    """

    KEY = "_gj_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.interval = int(getattr(settings, "SESSION_TOUCH_INTERVAL", 60))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            import time

            now = int(time.time())
            seen = session.get(self.KEY, 0)
            if not isinstance(seen, int) or now - seen >= self.interval:
                session[self.KEY] = now
        return self.get_response(request)
