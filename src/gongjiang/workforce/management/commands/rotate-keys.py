"""``gongjiang rotate-keys``: rewrite every worker's encrypted fields and keyed hashes under the
newest field-encryption key.

Put the new key first in ``FIELD_ENCRYPTION_KEYS`` (keep the old ones after it), restart, run this
command, then remove the old keys. Batched by primary key (one transaction per batch), with progress;
idempotent (rows already under the newest key are skipped) and resumable (``--start-after ID``, or
simply run it again). The workers keep being served during the run: every key decrypts and a lookup
matches the hash under any key (core.crypto).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from gongjiang.core import crypto
from gongjiang.workforce import personal
from gongjiang.workforce.models import Worker

FIELDS = ("citizen_id_encrypted", "citizen_id_hash", "phone_encrypted", "phone_hash")


def rotate_batch(rows: list[Worker]) -> int:
    """Rewrite the rows not yet under the newest key; returns how many were rewritten."""
    changed = []
    for worker in rows:
        citizen_id = personal.decrypt(worker.citizen_id_encrypted)
        phone = personal.decrypt(worker.phone_encrypted)
        new_hash = personal.citizen_id_hash(citizen_id)
        new_phone_hash = personal.phone_digest(phone)
        if (
            personal.is_current(worker.citizen_id_encrypted)
            and personal.is_current(worker.phone_encrypted)
            and worker.citizen_id_hash == new_hash
            and worker.phone_hash == new_phone_hash
        ):
            continue
        worker.citizen_id_encrypted = personal.encrypt(citizen_id)
        worker.citizen_id_hash = new_hash
        worker.phone_encrypted = personal.encrypt(phone)
        worker.phone_hash = new_phone_hash
        changed.append(worker)
    Worker.objects.bulk_update(changed, FIELDS)
    return len(changed)


def rotate_keys(
    *, batch_size: int = 2000, start_after: int = 0, progress: Any = None
) -> tuple[int, int]:
    """Rotate all workers with a primary key above ``start_after``; returns (seen, rewritten)."""
    seen = rewritten = 0
    last = start_after
    while True:
        with transaction.atomic():
            rows = list(
                Worker.objects.filter(pk__gt=last)
                .order_by("pk")
                .select_for_update()
                .only("pk", *FIELDS)[:batch_size]
            )
            if not rows:
                break
            rewritten += rotate_batch(rows)
        seen += len(rows)
        last = rows[-1].pk
        if progress is not None:
            progress(seen, rewritten, last)
    return seen, rewritten


class Command(BaseCommand):
    help = (
        "Re-encrypt and re-hash every worker's personal fields under the newest key of "
        "FIELD_ENCRYPTION_KEYS (batched, resumable, idempotent)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--start-after", type=int, default=0, help="resume after this worker id"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            self.stderr.write("--batch-size must be at least 1")
            raise SystemExit(2)
        total = Worker.objects.filter(pk__gt=options["start_after"]).count()
        self.stdout.write(
            f"Newest key {crypto.newest_key_id()}; {len(crypto.key_materials())} key(s) configured; "
            f"{total} worker(s) to check."
        )

        def progress(seen: int, rewritten: int, last: int) -> None:
            self.stdout.write(
                f"{seen}/{total} checked, {rewritten} rewritten (resume with --start-after {last})"
            )

        seen, rewritten = rotate_keys(
            batch_size=options["batch_size"],
            start_after=options["start_after"],
            progress=progress,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {seen} checked, {rewritten} rewritten. Once every instance runs with the "
                "newest key first, the older keys may be removed from FIELD_ENCRYPTION_KEYS."
            )
        )
