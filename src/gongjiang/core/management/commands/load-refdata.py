"""``gongjiang load-refdata``: (re)load the shipped reference data; idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongjiang.core.refdata import load_reference_data


class Command(BaseCommand):
    help = "Load administrative divisions, occupations, industries and skill levels (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_reference_data()
        self.stdout.write(", ".join(f"{k}: {v} new" for k, v in created.items()))
