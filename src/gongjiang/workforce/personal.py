"""Personal data of workers: encryption, keyed hashes and masks, cheap enough for bulk imports.

``core.crypto`` encrypts with Fernet (AES-128-CBC + HMAC-SHA256), which costs about 19 µs per value
on the benchmark machine: two values per row (citizen ID and phone) would eat most of the budget of
a 30,000 rows/s import. Workers' fields are therefore encrypted here with AES-256-GCM
(``cryptography``'s ``AESGCM``, a random 12-byte nonce per value, about 6 µs). The key is derived
from the same material as core.crypto (the first FIELD_ENCRYPTION_KEY, else SECRET_KEY) with HKDF
and its own ``info`` label, so rotating the configured key works the same way: the first key
encrypts, every configured key decrypts. Tokens look like ``g1:<base64(nonce + ciphertext)>``;
:func:`decrypt` also reads plain core.crypto (Fernet) tokens, so either kind can be stored.

The lookup/uniqueness hash of the citizen ID is ``core.crypto.keyed_hash`` (HMAC-SHA256) so every
app finds a worker by the same hash. The phone digest is a keyed BLAKE2b (only used to tell whether
a phone number changed).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from gongjiang.core import crypto as core_crypto
from gongjiang.core.validators import mask_citizen_id, mask_phone

PREFIX = "g1:"

__all__ = [
    "citizen_id_hash",
    "decrypt",
    "encrypt",
    "mask_citizen_id",
    "mask_phone",
    "phone_digest",
    "reset_caches",
]


def _materials() -> list[bytes]:
    configured = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    return [k.encode() for k in configured] or [settings.SECRET_KEY.encode()]


@functools.cache
def _ciphers() -> list[AESGCM]:
    return [AESGCM(core_crypto._derive(m, b"workforce-aes-gcm")) for m in _materials()]


@functools.cache
def _digest_key() -> bytes:
    return core_crypto._derive(_materials()[-1], b"workforce-phone-digest")


_local = threading.local()
_NONCES_PER_DRAW = 4096


def _nonce() -> bytes:
    """12 random bytes; drawn from the OS 48 KB at a time (one system call per 4,096 values)."""
    pool = getattr(_local, "pool", None)
    if pool is None or _local.pos >= len(pool):
        _local.pool = pool = os.urandom(12 * _NONCES_PER_DRAW)
        _local.pos = 0
    start = _local.pos
    _local.pos = start + 12
    return pool[start : start + 12]


def encrypt(value: str) -> str:
    """AES-256-GCM with a random nonce ("" stays "")."""
    if not value:
        return ""
    nonce = _nonce()
    return (
        PREFIX
        + base64.b64encode(nonce + _ciphers()[0].encrypt(nonce, value.encode(), None)).decode()
    )


def decrypt(token: str) -> str:
    """Plain text of a token written by :func:`encrypt` or by ``core.crypto.encrypt``."""
    if not token:
        return ""
    if not token.startswith(PREFIX):
        return core_crypto.decrypt(token)
    raw = base64.b64decode(token[len(PREFIX) :])
    for cipher in _ciphers():
        try:
            return cipher.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            continue
    raise ValueError("cannot decrypt field: wrong FIELD_ENCRYPTION_KEY?")


def citizen_id_hash(citizen_id: str) -> str:
    return core_crypto.keyed_hash(citizen_id)


def phone_digest(phone: str) -> str:
    if not phone:
        return ""
    return hashlib.blake2b(phone.encode(), key=_digest_key(), digest_size=16).hexdigest()


def reset_caches() -> None:
    _ciphers.cache_clear()
    _digest_key.cache_clear()
