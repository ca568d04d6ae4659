"""Listeners told about every change to workers, inside the transaction that makes it.

The analytics rollups (and any other derived table) register here instead of reading signals::

    from gongjiang.workforce.hooks import register_worker_listener

    @register_worker_listener
    def on_workers_changed(changes: list[WorkerChange]) -> None: ...

Each :class:`WorkerChange` holds the worker id and a snapshot of the fields derived tables need
before and after the change (``None`` before for a new worker). Services call :func:`notify` with
one change; the importer calls it once per committed batch with thousands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SNAPSHOT_FIELDS = (
    "organization_id",
    "skill_level_id",
    "occupation_id",
    "gender",
    "birth_date",
    "employment_type",
    "status",
    "hire_date",
)


@dataclass(frozen=True, slots=True)
class WorkerChange:
    worker_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    date: dt.date | None = None  # when a skill level changed: the date of the change


Listener = Callable[[list[WorkerChange]], None]
_LISTENERS: list[Listener] = []


def register_worker_listener(func: Listener) -> Listener:
    if func not in _LISTENERS:
        _LISTENERS.append(func)
    return func


def unregister_worker_listener(func: Listener) -> None:
    if func in _LISTENERS:
        _LISTENERS.remove(func)


def snapshot(worker: Any) -> dict[str, Any]:
    return {f: getattr(worker, f) for f in SNAPSHOT_FIELDS}


def notify(changes: list[WorkerChange]) -> None:
    if changes:
        for listener in list(_LISTENERS):
            listener(changes)
