"""Background tasks (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from gongjiang.core.schedule import periodic

from .exams.services import exam_autosubmit_due as _autosubmit


@periodic("learning.exam_autosubmit", every=30)
@task()
def exam_autosubmit_due() -> int:
    """Submit every attempt still open at its deadline (run by the worker's scheduler every 30 s,
    or by ``gongjiang exam-autosubmit``)."""
    return _autosubmit()
