"""Field encryption and keyed hashes for personal data (citizen ID numbers, phones).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). Lookups and uniqueness use an
HMAC-SHA256 keyed hash, so the database never needs the plain text.

Keys come from ``FIELD_ENCRYPTION_KEYS`` (settings; from the environment variable of that name, or
``FIELD_ENCRYPTION_KEY``): one or more Fernet keys, **newest first**. The newest key encrypts and
hashes; every listed key decrypts, and during a rotation a lookup matches the hash under any listed
key (:func:`keyed_hashes`). Each ciphertext names its key (``f1.<key id>.<token>``), so decryption
does not try keys in turn; tokens written before key ids existed (no prefix) are still read by trial.
``gongjiang rotate-keys`` rewrites every stored value under the newest key, after which the old keys
can be removed.

Without any key (DEBUG or the test suite only: settings refuse to start otherwise) one key is
derived from SECRET_KEY.
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

PREFIX = "f1."


def derive_key(material: bytes, info: bytes) -> bytes:
    """A 32-byte key for one use (``info``) from a key's material (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gongjiang", info=info).derive(material)


def configured_keys() -> list[str]:
    """The configured Fernet keys, newest first (may be empty outside production)."""
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None)
    if keys is None:
        keys = settings.FIELD_ENCRYPTION_KEY.split(",")
    return [k.strip() for k in keys if k and k.strip()]


@functools.cache
def key_materials() -> tuple[bytes, ...]:
    """Key material of every key, newest first: the configured keys, else SECRET_KEY's."""
    configured = configured_keys()
    if configured:
        return tuple(k.encode() for k in configured)
    return (settings.SECRET_KEY.encode(),)


@functools.lru_cache(maxsize=64)
def key_id(material: bytes) -> str:
    """A short, stable, non-secret name of a key (8 hex characters of a hash of its material).
    Cached: every encryption names its key, and a roster import encrypts two values a row."""
    return hashlib.sha256(b"gongjiang-key-id:" + material).hexdigest()[:8]


def newest_key_id() -> str:
    return key_id(key_materials()[0])


@functools.cache
def _fernets() -> dict[str, Fernet]:
    out: dict[str, Fernet] = {}
    for material in key_materials():
        if configured_keys():
            fernet = Fernet(material)
        else:
            fernet = Fernet(base64.urlsafe_b64encode(derive_key(material, b"field-encryption")))
        out.setdefault(key_id(material), fernet)
    return out


@functools.cache
def _hash_keys() -> tuple[bytes, ...]:
    seen: list[bytes] = []
    for material in key_materials():
        derived = derive_key(material, b"lookup-hash")
        if derived not in seen:
            seen.append(derived)
    return tuple(seen)


def hash_key() -> bytes:
    """The HMAC key of the newest key (what new values are hashed with)."""
    return _hash_keys()[0]


def encrypt(value: str) -> str:
    if value == "":
        return ""
    kid = newest_key_id()
    return f"{PREFIX}{kid}.{_fernets()[kid].encrypt(value.encode()).decode()}"


def token_key_id(token: str) -> str | None:
    """The key id a token names (None for a legacy token without one)."""
    if token.startswith(PREFIX):
        return token[len(PREFIX) : len(PREFIX) + 8]
    return None


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        if token.startswith(PREFIX):
            kid, _, body = token[len(PREFIX) :].partition(".")
            fernet = _fernets().get(kid)
            if fernet is None:
                raise InvalidToken
            return fernet.decrypt(body.encode()).decode()
        return MultiFernet(list(_fernets().values())).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt field: wrong FIELD_ENCRYPTION_KEYS?") from exc


def keyed_hash(value: str) -> str:
    """Deterministic HMAC-SHA256 (hex) of a normalised value under the newest key."""
    return hmac.new(hash_key(), value.encode(), hashlib.sha256).hexdigest()


def keyed_hashes(value: str) -> list[str]:
    """The value's hash under every configured key, newest first: a lookup matches any of them,
    so records not yet rewritten by ``rotate-keys`` are still found."""
    return [hmac.new(k, value.encode(), hashlib.sha256).hexdigest() for k in _hash_keys()]


def reset_caches() -> None:
    key_materials.cache_clear()
    _fernets.cache_clear()
    _hash_keys.cache_clear()
