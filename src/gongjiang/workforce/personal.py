"""Personal data of workers: encryption, keyed hashes and masks, cheap enough for bulk imports.

``core.crypto`` encrypts with Fernet (AES-128-CBC + HMAC-SHA256), which costs about 19 µs per value
on the benchmark machine: two values per row (citizen ID and phone) would eat most of the budget of
a 30,000 rows/s import. Workers' fields are therefore encrypted here with AES-256-GCM
(``cryptography``'s ``AESGCM``, a random 12-byte nonce per value, about 6 µs). Each key of
``FIELD_ENCRYPTION_KEYS`` (newest first; see core.crypto) gives an AES key through HKDF with its own
``info`` label: the newest encrypts, every listed key decrypts. Tokens look like
``g2:<key id>:<base64(nonce + ciphertext)>``, so the key is found without trying each; older
``g1:`` tokens (no key id) and plain core.crypto (Fernet) tokens are still read.

The lookup/uniqueness hash of the citizen ID is ``core.crypto.keyed_hash`` (HMAC-SHA256, newest key)
so every app finds a worker by the same hash; :func:`citizen_id_hashes` gives it under every key for
lookups during a rotation. The phone digest is a keyed BLAKE2b (only used to tell whether a phone
number changed). ``gongjiang rotate-keys`` rewrites all of them under the newest key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gongjiang.core import crypto as core_crypto
from gongjiang.core.validators import mask_citizen_id, mask_phone

PREFIX = "g2:"
LEGACY_PREFIX = "g1:"

__all__ = [
    "citizen_id_hash",
    "citizen_id_hashes",
    "decrypt",
    "encrypt",
    "mask_citizen_id",
    "mask_phone",
    "phone_digest",
    "reset_caches",
]


def _ciphers() -> dict[str, AESGCM]:
    """AES-GCM cipher of every key by key id, newest first."""
    return _ciphers_for(core_crypto.key_materials())


@functools.cache
def _ciphers_for(materials: tuple[bytes, ...]) -> dict[str, AESGCM]:
    out: dict[str, AESGCM] = {}
    for material in materials:
        out.setdefault(
            core_crypto.key_id(material),
            AESGCM(core_crypto.derive_key(material, b"workforce-aes-gcm")),
        )
    return out


def _digest_key() -> bytes:
    return _digest_key_for(core_crypto.key_materials()[0])


@functools.cache
def _digest_key_for(material: bytes) -> bytes:
    return core_crypto.derive_key(material, b"workforce-phone-digest")


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
    """AES-256-GCM with a random nonce under the newest key ("" stays "")."""
    if not value:
        return ""
    nonce = _nonce()
    kid = core_crypto.newest_key_id()
    sealed = _ciphers()[kid].encrypt(nonce, value.encode(), None)
    return f"{PREFIX}{kid}:{base64.b64encode(nonce + sealed).decode()}"


def is_current(token: str) -> bool:
    """Whether a token is written under the newest key ("" is)."""
    if not token:
        return True
    return token.startswith(f"{PREFIX}{core_crypto.newest_key_id()}:")


def decrypt(token: str) -> str:
    """Plain text of a token written by :func:`encrypt` (any listed key) or ``core.crypto``."""
    if not token:
        return ""
    if token.startswith(PREFIX):
        kid, _, body = token[len(PREFIX) :].partition(":")
        cipher = _ciphers().get(kid)
        candidates = [cipher] if cipher is not None else []
    elif token.startswith(LEGACY_PREFIX):
        body = token[len(LEGACY_PREFIX) :]
        candidates = list(_ciphers().values())
    else:
        return core_crypto.decrypt(token)
    raw = base64.b64decode(body)
    for candidate in candidates:
        try:
            return candidate.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            continue
    raise ValueError("cannot decrypt field: wrong FIELD_ENCRYPTION_KEYS?")


def citizen_id_hash(citizen_id: str) -> str:
    return core_crypto.keyed_hash(citizen_id)


def citizen_id_hashes(citizen_id: str) -> list[str]:
    """The hash under every configured key (newest first): match any during a key rotation."""
    return core_crypto.keyed_hashes(citizen_id)


def phone_digest(phone: str) -> str:
    if not phone:
        return ""
    return hashlib.blake2b(phone.encode(), key=_digest_key(), digest_size=16).hexdigest()


def reset_caches() -> None:
    _ciphers_for.cache_clear()
    _digest_key_for.cache_clear()
