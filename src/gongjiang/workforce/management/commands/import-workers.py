"""``gongjiang import-workers FILE [--org CODE] [--dry-run] [--report OUT.xlsx] [--json] [--user NAME]``.

Imports a worker roster (.xlsx, .xls, .csv in UTF-8 or GBK) into the enterprise ``--org`` through
the same engine as the import page (:mod:`gongjiang.workforce.roster.importer`). ``--dry-run`` validates
only (no ``--org`` needed). ``--report`` writes a copy of the file with bad cells highlighted and a
reason column (citizen IDs masked unless the acting user may see full IDs; the system may). ``--json`` prints one JSON object:
``{"rows", "valid", "rejected", "created", "updated", "unchanged", "errors": [...], "warnings": [...]}``.
Exit status: 0 no row rejected, 1 some rejected, 2 the file cannot be read (message on stderr).
The command acts as the system (superuser-equivalent) unless ``--user`` names a user.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjiang.core import access
from gongjiang.core.actors import SystemActor
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization
from gongjiang.core.spreadsheets import read_rows
from gongjiang.workforce.roster.importer import roster_import


class Command(BaseCommand):
    help = "Import (or with --dry-run validate) a worker roster into an enterprise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".xlsx, .xls or .csv roster")
        parser.add_argument(
            "--org", help="code of the enterprise to import into (not needed with --dry-run)"
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
        parser.add_argument("--report", help="write the validation report (.xlsx) here")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument("--user", help="act as this user (default: the system)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"cannot read {path}: no such file", returncode=2)
        actor: Any = SystemActor("import-workers")
        if options.get("user"):
            actor = (
                get_user_model().objects.filter(username=options["user"], is_active=True).first()
            )
            if actor is None:
                raise CommandError(f"no active user {options['user']!r}", returncode=2)
        organization = None
        if options.get("org"):
            organization = Organization.objects.filter(code=options["org"]).first()
            if organization is None:
                raise CommandError(f"no organisation with code {options['org']!r}", returncode=2)
        elif not options["dry_run"]:
            raise CommandError("--org CODE is required unless --dry-run is given", returncode=2)
        try:
            result = roster_import(
                actor=actor,
                source=path,
                organization=organization,
                dry_run=options["dry_run"],
                source_ref=f"cli:{path.name}"[:60],
            )
        except ApplicationError as exc:
            raise CommandError(f"{path}: {exc.message}", returncode=2) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{path}: permission denied ({exc})", returncode=2) from exc
        if options.get("report"):
            from gongjiang.workforce.roster.report import write_report

            may_see = access.can(actor, "core.view_full_citizen_id", organization)
            write_report(result, read_rows(path), options["report"], mask_ids=not may_see)
        if options["json"]:
            sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, default=str) + "\n")
        else:
            verb = "checked" if options["dry_run"] else "imported"
            self.stdout.write(
                f"{path.name}: {result.rows} rows {verb} in {result.seconds:.1f} s — {result.valid} valid, "
                f"{result.rejected} rejected; {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged; {len(result.warnings)} warnings"
            )
            for e in result.errors[:50]:
                self.stdout.write(f"  row {e.row}, {e.column} “{e.value}”: {e.message}")
            if len(result.errors) > 50:
                self.stdout.write(
                    f"  … {len(result.errors) - 50} more errors (use --report or --json)"
                )
        sys.stdout.flush()
        if result.rejected:
            sys.exit(1)
