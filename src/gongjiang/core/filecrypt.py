"""Files encrypted at rest: the uploads and reports of background jobs (rosters hold citizen IDs).

A file is stored as ``GJF1`` + key id (4 bytes) + nonce prefix (8 random bytes), then chunks of at
most 64 KiB of plain text, each sealed with AES-256-GCM: ``length (4 bytes) + ciphertext + tag``.
The nonce of chunk *i* is the prefix + *i*; the associated data says whether the chunk is the last,
so chunks cannot be reordered, dropped or cut off unnoticed. Memory: one chunk at a time.

The keys are derived (HKDF-SHA256, their own label) from FIELD_ENCRYPTION_KEY, the keys of
:mod:`gongjiang.core.crypto`: the first key encrypts, every listed key decrypts (the key id says
which), so a file written before a key rotation is read as long as its key stays in the list.
Without FIELD_ENCRYPTION_KEY the key comes from SECRET_KEY (development and demo only).

:class:`EncryptedFileSystemStorage` is a FileSystemStorage that encrypts on save and decrypts on
open (into a spooled temporary file: memory up to 8 MiB, then an unlinked file on disk), and
writes files 0600 in directories 0700.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
import tempfile
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from . import crypto

MAGIC = b"GJF1"
CHUNK = 64 * 1024
_HEADER = len(MAGIC) + 4 + 8


class FileDecryptError(ValueError):
    """The file is damaged, cut off, or sealed with a key that is no longer configured."""


def _keys() -> tuple[tuple[bytes, AESGCM], ...]:
    """(key id, cipher) of every configured key, newest first: core.crypto's cached key material,
    derived for files once per set of keys (it was derived again for every file)."""
    return _keys_for(crypto.key_materials())


@functools.cache
def _keys_for(materials: tuple[bytes, ...]) -> tuple[tuple[bytes, AESGCM], ...]:
    out = []
    for material in materials:
        key = crypto.derive_key(material, b"file-encryption")
        out.append((hashlib.sha256(key).digest()[:4], AESGCM(key)))
    return tuple(out)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def encrypt_stream(source: IO[bytes], target: IO[bytes]) -> int:
    """Encrypt ``source`` (read to its end) into ``target``; returns the bytes written."""
    key_id, aead = _keys()[0]
    prefix = secrets.token_bytes(8)
    written = target.write(MAGIC + key_id + prefix) or 0
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        last = not following
        sealed = aead.encrypt(_nonce(prefix, index), chunk, b"last" if last else b"more")
        written += target.write(len(sealed).to_bytes(4, "big") + sealed) or 0
        if last:
            return written
        chunk = following
        index += 1
        if index >= 1 << 32:
            raise ValueError("file too large to encrypt")


def is_encrypted(head: bytes) -> bool:
    return head[: len(MAGIC)] == MAGIC


def decrypt_stream(source: IO[bytes], target: IO[bytes]) -> None:
    """Decrypt ``source`` into ``target``. A file without the header (stored before encryption
    at rest) is copied as it is. Raises FileDecryptError for a damaged or cut-off file or an
    unknown key."""
    head = source.read(_HEADER)
    if not is_encrypted(head):
        target.write(head)
        while chunk := source.read(CHUNK):
            target.write(chunk)
        return
    if len(head) < _HEADER:
        raise FileDecryptError("truncated header")
    key_id, prefix = head[4:8], head[8:16]
    aead = next((a for kid, a in _keys() if kid == key_id), None)
    if aead is None:
        raise FileDecryptError("the file's key is not among FIELD_ENCRYPTION_KEY")
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise FileDecryptError("the file is cut off")
        size = int.from_bytes(size_bytes, "big")
        if size > CHUNK + 16:
            raise FileDecryptError("damaged chunk length")
        sealed = source.read(size)
        nonce = _nonce(prefix, index)
        try:
            plain = aead.decrypt(nonce, sealed, b"more")
            last = False
        except InvalidTag:
            try:
                plain = aead.decrypt(nonce, sealed, b"last")
            except InvalidTag as exc:
                raise FileDecryptError("damaged chunk") from exc
            last = True
        target.write(plain)
        if last:
            if source.read(1):
                raise FileDecryptError("data after the last chunk")
            return
        index += 1


@deconstructible
class EncryptedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage (MEDIA_ROOT) whose files are encrypted at rest, 0600 in 0700 folders."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def _save(self, name: str, content: Any) -> str:
        if hasattr(content, "seek") and getattr(content, "seekable", lambda: True)():
            content.seek(0)
        sealed = tempfile.TemporaryFile()
        try:
            encrypt_stream(content, sealed)
            sealed.seek(0)
            return super()._save(name, File(sealed, name=name))
        finally:
            sealed.close()

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written with save(), not opened for writing")
        plain = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        with open(self.path(name), "rb") as raw:
            decrypt_stream(raw, plain)
        plain.seek(0)
        return File(plain, name=os.path.basename(name))


def job_file_storage() -> EncryptedFileSystemStorage:
    """The storage of job uploads and reports (a callable, so migrations name it, not its state)."""
    return _JOB_STORAGE


def private_file_storage() -> EncryptedFileSystemStorage:
    """The storage of any other upload that may hold personal data (reform evidence: minutes,
    scans, photos): encrypted at rest, 0600, the same keys as job files; kept as long as its
    record (job files alone are deleted after ``JOB_FILE_RETENTION_DAYS``)."""
    return _JOB_STORAGE


_JOB_STORAGE = EncryptedFileSystemStorage()
