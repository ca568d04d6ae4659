"""Blind judging: draw numbers (检录号/工位号) assigned by lot at check-in.

While a competition judges blind (``Competition.blind_judging``, the default) and a stage's results
are not yet published, judges see an entrant only as "No. 7": their queue, marking sheet, the chief
judge's view and the judging API never carry a name or an organisation. The organiser sees both.
Conflict checks still run on the real identity, server-side.

The draw is a cryptographically random permutation (:class:`secrets.SystemRandom`) of the numbers
1…n over the stage's confirmed (checked-in) entrants of one trade. An entrant confirmed after the
draw (a substitute) draws among the next free numbers; numbers already drawn never change. Every
draw is audited with the numbers it gave.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongjiang.core.audit import audit_record
from gongjiang.core.errors import ApplicationError

from .models import Entry, Stage, Trade
from .services import require_organiser


@transaction.atomic
def draw_lots(*, actor: Any, stage: Stage, trade: Trade) -> dict[str, int]:
    """Give every checked-in entrant of ``stage`` × ``trade`` without a number one, by lot.
    Answers ``{entry code: number}`` for the numbers drawn now."""
    require_organiser(actor, stage.competition)
    if trade.competition_id != stage.competition_id:
        raise ApplicationError(_("The trade belongs to another competition."), code="bad_trade")
    if stage.published_at:
        raise ApplicationError(
            _("These results are already published: the draw is closed."), code="published"
        )
    entries = list(
        Entry.objects.select_for_update()
        .filter(stage=stage, trade=trade, status=Entry.Status.CONFIRMED, draw_number__isnull=True)
        .order_by("id")
    )
    if not entries:
        return {}
    highest = (
        Entry.objects.filter(stage=stage, trade=trade).aggregate(m=Max("draw_number"))["m"] or 0
    )
    numbers = list(range(highest + 1, highest + 1 + len(entries)))
    secrets.SystemRandom().shuffle(numbers)
    for entry, number in zip(entries, numbers, strict=True):
        entry.draw_number = number
    Entry.objects.bulk_update(entries, ["draw_number"])
    drawn = {e.code: e.draw_number for e in entries}
    audit_record(
        actor=actor,
        action="competition.draw",
        obj=stage.competition,
        details={"stage": stage.name, "trade": trade.name, "numbers": drawn},
    )
    return drawn


def stage_draw(*, actor: Any, stage: Stage) -> int:
    """Draw lots for every trade of the stage; answers how many entrants got a number."""
    require_organiser(actor, stage.competition)
    return sum(
        len(draw_lots(actor=actor, stage=stage, trade=trade))
        for trade in stage.competition.trades.all()
    )


def not_drawn_error() -> ApplicationError:
    return ApplicationError(
        _(
            "This entrant has no draw number yet: judging is blind, so the organiser draws lots "
            "at check-in before marking starts."
        ),
        code="not_drawn",
        status=409,
    )
