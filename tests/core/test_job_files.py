"""Job files: encrypted at rest (chunked AES-GCM), 0600, readable after a key rotation, refused when
damaged; deleted after JOB_FILE_RETENTION_DAYS by the periodic entry."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.utils import timezone

from gongjiang.core import crypto, filecrypt
from gongjiang.core.jobs import job_files_prune
from gongjiang.core.models import Job

SECRET = "姓名,身份证号\n张三,110105199001050019\n".encode()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(
    "size", [0, 1, filecrypt.CHUNK - 1, filecrypt.CHUNK, 3 * filecrypt.CHUNK + 5]
)
def test_round_trip_at_chunk_boundaries(size: int) -> None:
    plain = os.urandom(size)
    sealed = io.BytesIO()
    filecrypt.encrypt_stream(io.BytesIO(plain), sealed)
    assert size < 16 or plain not in sealed.getvalue()
    out = io.BytesIO()
    filecrypt.decrypt_stream(io.BytesIO(sealed.getvalue()), out)
    assert out.getvalue() == plain


def test_cut_off_reordered_or_altered_files_are_refused() -> None:
    sealed = io.BytesIO()
    filecrypt.encrypt_stream(io.BytesIO(os.urandom(3 * filecrypt.CHUNK)), sealed)
    data = sealed.getvalue()
    record = 4 + filecrypt.CHUNK + 16
    head = 16
    cut = data[: head + record]  # the first chunk only: no chunk says "last"
    swapped = data[:head] + data[head + record : head + 2 * record] + data[head : head + record]
    flipped = bytearray(data)
    flipped[head + 100] ^= 1
    for bad in (cut, swapped + data[head + 2 * record :], bytes(flipped)):
        with pytest.raises(filecrypt.FileDecryptError):
            filecrypt.decrypt_stream(io.BytesIO(bad), io.BytesIO())


def _keys(settings: Any, *keys: str) -> None:
    settings.FIELD_ENCRYPTION_KEYS = list(keys)
    settings.FIELD_ENCRYPTION_KEY = ",".join(keys)
    crypto.reset_caches()  # as a restart does: the key material is read once


def test_files_written_before_a_key_rotation_are_read(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _keys(settings, old)
    sealed = io.BytesIO()
    filecrypt.encrypt_stream(io.BytesIO(SECRET), sealed)
    _keys(settings, new, old)
    out = io.BytesIO()
    filecrypt.decrypt_stream(io.BytesIO(sealed.getvalue()), out)
    assert out.getvalue() == SECRET
    _keys(settings, new)  # the old key dropped: the file can no longer be read
    with pytest.raises(filecrypt.FileDecryptError):
        filecrypt.decrypt_stream(io.BytesIO(sealed.getvalue()), io.BytesIO())


def test_file_keys_are_derived_once_per_set_of_keys(settings: Any) -> None:
    # filecrypt derived every key again (HKDF) for each file; it now uses core.crypto's cached
    # key material, so the same keys give the very same ciphers
    _keys(settings, Fernet.generate_key().decode())
    assert filecrypt._keys() is filecrypt._keys()
    # and the file keys follow FIELD_ENCRYPTION_KEYS, the setting core.crypto reads
    assert list(crypto.key_materials()) == [settings.FIELD_ENCRYPTION_KEYS[0].encode()]


@pytest.mark.django_db
def test_job_files_are_encrypted_and_private(settings: Any) -> None:
    job = Job(kind="tests.count")
    job.input_file.save("roster.csv", ContentFile(SECRET), save=False)
    job.output_file.save("report.csv", ContentFile(SECRET), save=False)
    job.save()
    for field in (job.input_file, job.output_file):
        path = Path(settings.MEDIA_ROOT) / field.name
        raw = path.read_bytes()
        assert b"110105199001050019" not in raw and raw.startswith(filecrypt.MAGIC)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        with field.open("rb") as fh:
            assert fh.read() == SECRET


def _finished(days_ago: float, **files: str) -> Job:
    job = Job(kind="tests.count", status=Job.Status.SUCCEEDED)
    for field, name in files.items():
        getattr(job, field).save(name, ContentFile(SECRET), save=False)
    job.save()
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=days_ago))
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_files_are_deleted_after_the_retention_period(settings: Any) -> None:
    settings.JOB_FILE_RETENTION_DAYS = 7
    root = Path(settings.MEDIA_ROOT)
    old = _finished(8, input_file="old.csv", output_file="old-report.xlsx")
    recent = _finished(1, input_file="recent.csv")
    shared = _finished(9, input_file="shared.csv")
    again = _finished(2)  # "check again" on the shared upload, two days ago
    Job.objects.filter(pk=again.pk).update(input_file=shared.input_file.name)
    orphan = root / "jobs" / "in" / "orphan.csv"
    orphan.write_bytes(b"x")
    os.utime(orphan, (0, 0))
    old_names = [old.input_file.name, old.output_file.name]

    from gongjiang.core.tasks import job_files_prune as task

    assert task.call() == 3  # the old job's two files and the orphan

    for name in old_names:
        assert not (root / name).exists()
    old.refresh_from_db()
    assert not old.input_file and not old.output_file
    assert (root / recent.input_file.name).exists()
    assert (root / shared.input_file.name).exists()  # a newer job still uses it
    shared.refresh_from_db()
    assert shared.input_file
    assert not orphan.exists()
    assert job_files_prune() == 0
