"""Blind-judging endpoints (mounted into the competitions router): the organiser's draw at
check-in, and the judge's queue — entrants by draw number only while judging is blind."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from . import selectors
from .draw import stage_draw
from .models import Entry

router = Router(tags=["competitions"])


class DrawnOut(Schema):
    entry: str
    trade: str
    draw_number: int
    name: str


class DrawOut(Schema):
    drawn: int
    entries: list[DrawnOut]


@router.post(
    "/stages/{code}/draw",
    response=DrawOut,
    summary="Draw lots at check-in: a random draw number for every checked-in entrant without one",
)
def stage_draw_lots(request: HttpRequest, code: str) -> Any:
    stage = selectors.stage_get(actor=request.user, code=code)
    selectors.competition_get_for_change(actor=request.user, code=stage.competition.code)
    drawn = stage_draw(actor=request.user, stage=stage)
    entries = (
        Entry.objects.filter(stage=stage, draw_number__isnull=False)
        .select_related("worker", "trade")
        .order_by("trade_id", "draw_number")
    )
    return {
        "drawn": drawn,
        "entries": [
            {
                "entry": e.code,
                "trade": e.trade.code,
                "draw_number": e.draw_number,
                "name": e.worker.name,
            }
            for e in entries
        ],
    }


class QueueOut(Schema):
    entry: str
    label: str
    draw_number: int | None
    name: str | None = None
    sending_org: str | None = None
    done: int
    total: int
    conflict: str | None = None


@router.get(
    "/judging/assignments/{code}/queue",
    response=list[QueueOut],
    summary="My entrants for one assignment (by draw number while judging is blind)",
)
def judge_queue_list(request: HttpRequest, code: str) -> Any:
    assignment = selectors.assignment_get(actor=request.user, code=code)
    out = []
    for q in selectors.judge_queue(assignment=assignment):
        entry = q["entry"]
        row: dict[str, Any] = {
            "entry": entry.code,
            "label": q["label"],
            "draw_number": entry.draw_number,
            "done": q["done"],
            "total": q["total"],
        }
        if not q["blind"]:
            row.update(
                name=entry.worker.name,
                sending_org=entry.sending_org.name,
                conflict=q["conflict"] or None,
            )
        out.append(row)
    return out
