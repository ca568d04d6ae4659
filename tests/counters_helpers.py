"""What the worker does every 5 s (``core.counters_fold``), on demand: fold the counter increments
that answers queued into their rollups (core/counters.py). A test calls it before it reads
results, as a person reads them a few seconds after the answers."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command


def fold() -> str:
    """``gongjiang counters-fold``: folds until nothing is left; returns what it printed."""
    out = StringIO()
    call_command("counters-fold", stdout=out)
    return out.getvalue()
