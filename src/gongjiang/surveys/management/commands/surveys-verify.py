"""``gongjiang surveys-verify [CODE ...] [--rebuild]``: compare each survey's rollups with a
recount of its answers (all surveys that have answers when no code is given); exit status 1 when
one differs. ``--rebuild`` replaces differing rollups by the recount (after a bulk load)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check that survey rollups equal a recount of the answers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("codes", nargs="*", help="Survey codes (default: every survey).")
        parser.add_argument("--rebuild", action="store_true", help="Rebuild rollups that differ.")

    def handle(self, *args: Any, **options: Any) -> None:
        from gongjiang.surveys import rollups
        from gongjiang.surveys.models import Survey

        surveys = Survey.objects.all()
        if options["codes"]:
            surveys = surveys.filter(code__in=options["codes"])
            missing = set(options["codes"]) - set(surveys.values_list("code", flat=True))
            if missing:
                raise CommandError(f"no such survey: {', '.join(sorted(missing))}")
        else:
            surveys = surveys.exclude(status=Survey.Status.DRAFT)
        failed = 0
        for survey in surveys.order_by("id"):
            result = rollups.verify(survey)
            if not result["equal"] and options["rebuild"]:
                rollups.rebuild(survey)
                result = {**rollups.verify(survey), "rebuilt": True}
            failed += not result["equal"]
            self.stdout.write(json.dumps({"survey": survey.code, **result}, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} survey(s) differ from a recount")
