"""Background tasks (thin: they call services)."""

from __future__ import annotations

from django_tasks import task

from .exams import exam_autosubmit_due as _autosubmit


@task()
def exam_autosubmit_due() -> int:
    """Submit every attempt still open at its deadline (run by the worker or ``gongjiang exam-autosubmit``)."""
    return _autosubmit()
