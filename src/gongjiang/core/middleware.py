"""Per-request context: the client address for the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)


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
