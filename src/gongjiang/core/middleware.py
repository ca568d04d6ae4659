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


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has neither).

    Every asset is served from this site, so the policy allows scripts only from it: no inline
    script, no ``on…=`` attribute, no ``eval`` (page behaviours live in static files, e.g.
    ``gongjiang/behaviours.js``). Styles allow inline ``style`` attributes (charts and progress bars
    size themselves with them). Both policies come from settings (``CONTENT_SECURITY_POLICY``,
    ``PERMISSIONS_POLICY``); a response that already sets a header keeps its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": settings.CONTENT_SECURITY_POLICY,
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value and name not in response:
                response[name] = value
        return response
