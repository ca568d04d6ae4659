"""Check (or rebuild) a contest's rollups against a recount of its entries."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongjiang.core.actors import SYSTEM
from gongjiang.members.campaign_tallies import campaign_tallies_rebuild, campaign_tallies_verify
from gongjiang.members.models import Campaign


class Command(BaseCommand):
    help = (
        "Compare a campaign's tallies with a recount of its entries; --rebuild writes them afresh."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code", help="the campaign's code")
        parser.add_argument("--rebuild", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(code=options["code"][:20]).first()
        if campaign is None:
            raise CommandError(f"no campaign {options['code'][:20]!r}")
        if options["rebuild"]:
            done = campaign_tallies_rebuild(actor=SYSTEM, campaign=campaign)
            self.stdout.write(
                f"rebuilt: {done['unit_rows']} unit rows, {done['area_rows']} area rows"
            )
        result = campaign_tallies_verify(campaign=campaign)
        shown = {**result, "mismatches": result["mismatches"][:20]}
        self.stdout.write(json.dumps(shown, ensure_ascii=False, default=str))
        if result["mismatches"]:
            raise CommandError(f"{len(result['mismatches'])} tallies differ from the recount")
