"""Field-encryption key rotation: data written under one key is read and found under the rotated
set (newest first), `rotate-keys` moves it to the newest key, then the old key can go."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command

from gongjiang.core import crypto
from gongjiang.workforce import personal
from gongjiang.workforce.models import Worker
from gongjiang.workforce.roster.importer import roster_import
from gongjiang.workforce.selectors import WorkerFilters, worker_list

from .helpers import make_worker, unique_id, write_roster

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _keys(settings: Any, *keys: str) -> None:
    settings.FIELD_ENCRYPTION_KEYS = list(keys)
    settings.FIELD_ENCRYPTION_KEY = ",".join(keys)
    crypto.reset_caches()


def test_tokens_name_their_key_and_legacy_tokens_are_read(settings: Any) -> None:
    _keys(settings, OLD)
    token = personal.encrypt("110105197001010150")
    core_token = crypto.encrypt("13800000000")
    assert token.startswith(f"g2:{crypto.newest_key_id()}:")
    assert core_token.startswith(f"f1.{crypto.newest_key_id()}.")
    legacy = Fernet(OLD.encode()).encrypt(b"legacy").decode()  # written before key ids
    _keys(settings, NEW, OLD)
    assert personal.decrypt(token) == "110105197001010150"
    assert crypto.decrypt(core_token) == "13800000000"
    assert personal.decrypt(legacy) == "legacy"
    assert not personal.is_current(token)
    _keys(settings, NEW)
    with pytest.raises(ValueError):
        personal.decrypt(token)


def test_data_written_under_one_key_is_found_under_the_rotated_set(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    _keys(settings, OLD)
    worker = make_worker(world.enterprise_a, 11, phone="13912345678")
    other = make_worker(world.enterprise_a, 12)
    old_hash = worker.citizen_id_hash

    _keys(settings, NEW, OLD)  # the new key first, the old one still listed
    assert personal.citizen_id_hash(unique_id(11)) != old_hash
    # read, searched by the full ID, and still one record per person
    worker.refresh_from_db()
    assert personal.decrypt(worker.citizen_id_encrypted) == unique_id(11)
    found = worker_list(world.alice, WorkerFilters(q=unique_id(11)))
    assert list(found) == [worker]
    with pytest.raises(ValidationError) as exc:
        make_worker(world.enterprise_a, 11)
    assert "citizen_id" in exc.value.message_dict
    # a roster row of the same person updates the record instead of registering a second one
    path = write_roster(tmp_path / "r.csv", [["张十一", unique_id(11), "", "", "13700000000"]])
    result = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert (result.created, result.updated) == (0, 1)
    assert Worker.objects.count() == 2

    out = io.StringIO()
    call_command("rotate-keys", "--batch-size", "1", stdout=out)
    assert "2 checked, 2 rewritten" in out.getvalue()
    for w in (worker, other):
        w.refresh_from_db()
        assert personal.is_current(w.citizen_id_encrypted)
        assert personal.is_current(w.phone_encrypted)
    assert worker.citizen_id_hash == personal.citizen_id_hash(unique_id(11))
    again = io.StringIO()
    call_command("rotate-keys", stdout=again)  # idempotent: nothing left to do
    assert "2 checked, 0 rewritten" in again.getvalue()

    _keys(settings, NEW)  # the old key removed
    worker.refresh_from_db()
    assert personal.decrypt(worker.citizen_id_encrypted) == unique_id(11)
    assert personal.decrypt(worker.phone_encrypted) == "13700000000"
    assert worker.phone_hash == personal.phone_digest("13700000000")
    assert list(worker_list(world.alice, WorkerFilters(q=unique_id(11)))) == [worker]
    with pytest.raises(ValidationError):
        make_worker(world.enterprise_a, 11)


def test_rotation_resumes_after_a_given_worker(world: Any, settings: Any) -> None:
    _keys(settings, OLD)
    first = make_worker(world.enterprise_a, 21)
    second = make_worker(world.enterprise_a, 22)
    _keys(settings, NEW, OLD)
    call_command("rotate-keys", "--start-after", str(first.pk), stdout=io.StringIO())
    first.refresh_from_db()
    second.refresh_from_db()
    assert not personal.is_current(first.citizen_id_encrypted)
    assert personal.is_current(second.citizen_id_encrypted)
