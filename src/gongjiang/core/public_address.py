"""The platform's public address: what a QR code on paper or a link in a PDF points at.

It comes from the ``PUBLIC_BASE_URL`` setting (environment variable of the same name), never from
the request: a certificate printed today must open the verification page for years, whatever host
name or proxy the officer who downloaded it happened to use. Only when the setting is empty (a
deployment that has not configured it; ``gongjiang check --deploy`` warns) does the address of the
request stand in.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def public_base_url() -> str:
    """The configured public address without a trailing slash, or "" when none is set."""
    return (getattr(settings, "PUBLIC_BASE_URL", "") or "").strip().rstrip("/")


def public_url(path: str, request: HttpRequest | None = None) -> str:
    """Absolute URL of ``path`` (starting with "/") at the public address."""
    base = public_base_url()
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    raise ValueError("PUBLIC_BASE_URL is not set and there is no request to stand in for it")
