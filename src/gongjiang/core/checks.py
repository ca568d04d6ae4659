"""System checks for deployment (``gongjiang check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def field_encryption_key_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Outside DEBUG the settings refuse to start without a key; this warns a DEBUG instance."""
    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY.",
            hint="Generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'",
            id="gongjiang.W001",
        )
    ]


@register(Tags.database, deploy=True)
def database_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.IS_POSTGRES:
        return []
    return [
        Warning(
            "The database is SQLite: fine for a demo or a small union, use PostgreSQL in production.",
            hint="Set DATABASE_URL=postgres://user:password@host:5432/name",
            id="gongjiang.W002",
        )
    ]


@register(Tags.security, deploy=True)
def public_base_url_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "PUBLIC_BASE_URL", ""):
        return []
    return [
        Warning(
            "PUBLIC_BASE_URL is not set: QR codes and links in PDFs use the address of each request.",
            hint="Set PUBLIC_BASE_URL=https://gongjiang.example.cn (the address the public reaches).",
            id="gongjiang.W003",
        )
    ]
