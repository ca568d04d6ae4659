"""Field encryption and keyed hashes for personal data (citizen ID numbers, phones).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). Lookups and uniqueness use an
HMAC-SHA256 keyed hash, so the database never needs the plain text. Keys come from
FIELD_ENCRYPTION_KEY (a Fernet key, or several separated by commas for rotation: the first encrypts,
all decrypt); without it a key is derived from SECRET_KEY (development and demo only; `check --deploy`
warns).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gongjiang", info=info).derive(material)


@functools.cache
def _fernet() -> MultiFernet:
    configured = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    if configured:
        keys = [Fernet(k.encode()) for k in configured]
    else:
        derived = _derive(settings.SECRET_KEY.encode(), b"field-encryption")
        keys = [Fernet(base64.urlsafe_b64encode(derived))]
    return MultiFernet(keys)


@functools.cache
def _hash_key() -> bytes:
    configured = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    material = configured[-1].encode() if configured else settings.SECRET_KEY.encode()
    return _derive(material, b"lookup-hash")


def encrypt(value: str) -> str:
    if value == "":
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt field: wrong FIELD_ENCRYPTION_KEY?") from exc


def keyed_hash(value: str) -> str:
    """Deterministic HMAC-SHA256 (hex) of a normalised value, for lookup and uniqueness."""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def reset_caches() -> None:
    _fernet.cache_clear()
    _hash_key.cache_clear()
