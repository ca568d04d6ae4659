"""Background tasks (thin: they call services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from gongjiang.core.schedule import periodic

from .analytics.rollups import rollups_rebuild as _rebuild


@periodic("workforce.rollups_rebuild", at=dt.time(2, 30))
@task()
def rollups_rebuild() -> dict[str, Any]:
    """Recount the skill-structure rollups (run nightly by the worker's scheduler; the same as
    ``gongjiang rollups rebuild``)."""
    meta = _rebuild()
    return {"as_of": meta.as_of.isoformat(), "seconds": round(meta.seconds, 3)}
