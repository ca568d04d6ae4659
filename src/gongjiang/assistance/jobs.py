"""Background work of the assistance app (core.jobs): re-assessment after a standard changes,
erasure after consent is withdrawn."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import SystemActor
from gongjiang.core.jobs import Progress, job_handler
from gongjiang.core.models import Job


@job_handler("assistance.reassess")
def run_reassess(job: Job, progress: Progress) -> dict[str, Any]:
    from .models import Standard
    from .standards import reassess_for

    standard = Standard.objects.get(code=job.params["standard"])
    progress(0, 1)
    listed = reassess_for(standard, actor=job.created_by or SystemActor("assistance.reassess"))
    progress(1, 1)
    return {"listed": listed}


@job_handler("assistance.erase")
def run_erase(job: Job, progress: Progress) -> dict[str, Any]:
    from .privacy import erase_withdrawn

    progress(0, 1)
    result = erase_withdrawn(actor=SystemActor("assistance.erase"), code=job.params["file"])
    progress(1, 1)
    return result
