"""Periodic work that runs by itself under ``gongjiang worker``.

An app declares an entry in its ``tasks.py``, right above the django-tasks task it runs::

    @periodic("learning.exam_autosubmit", every=30)  # every 30 seconds
    @task()
    def exam_autosubmit_due() -> int: ...

    @periodic("reform.remind", at=dt.time(7, 0))  # daily at 07:00 in settings.TIME_ZONE

The entries are collected by importing the ``tasks`` module of every Gongjiang app.

Exactly once across any number of workers: each entry has a ``ScheduledRun`` row. A worker that
finds the row due claims the run with one compare-and-set UPDATE,
``SET next_run_at = <next> WHERE name = … AND next_run_at = <the value it read> AND next_run_at <= now``,
and enqueues the task only if that UPDATE changed the row, in the same transaction (so a failed
enqueue gives the claim back). Two workers that see the same due run both try the UPDATE: the first
changes the row, the second matches nothing and enqueues nothing. The next run is the first slot
after *now*, so runs missed while no worker was up (for hours or days) run once, not once a slot.
Worker clocks should agree to well under the shortest interval (NTP).

``settings.SCHEDULE`` (environment ``SCHEDULE``) switches entries off or changes them:
``SCHEDULE="reform.remind=off,workforce.rollups_rebuild=03:15,learning.exam_autosubmit=60s"``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.module_loading import import_string, module_has_submodule
from django_tasks.base import Task

if TYPE_CHECKING:
    from .models import ScheduledRun

logger = logging.getLogger(__name__)

POLL_SECONDS = 15.0  # the scheduler thread looks at the table at least this often

TaskT = TypeVar("TaskT", bound=Task[Any, Any])


@dataclass(frozen=True)
class Entry:
    """One periodic entry: run the django-tasks task at dotted path ``task`` every ``every``
    seconds, or daily at local time ``at`` (settings.TIME_ZONE)."""

    name: str
    task: str
    every: int | None = None
    at: dt.time | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if (self.every is None) == (self.at is None):
            raise ValueError(f"schedule entry {self.name!r}: give either every= or at=")
        if self.every is not None and self.every < 1:
            raise ValueError(f"schedule entry {self.name!r}: every= must be at least 1 second")

    @property
    def spec(self) -> str:
        """The rule as text (``every 30s``, ``daily 07:00``); stored with the row's next run."""
        if self.every is not None:
            return f"every {self.every}s"
        assert self.at is not None
        return f"daily {self.at:%H:%M:%S}" if self.at.second else f"daily {self.at:%H:%M}"

    def first_run(self, now: dt.datetime) -> dt.datetime:
        """When an entry never seen before runs first: an interval entry at once, a daily one at
        its next time of day."""
        return now if self.every is not None else self.next_after(now)

    def next_after(self, now: dt.datetime, *, slot: dt.datetime | None = None) -> dt.datetime:
        """The first run strictly after ``now``. An interval entry stays on the grid of its last
        due ``slot`` (slot + k × every): however many slots were missed, the next one is in the
        future."""
        if self.every is not None:
            step = dt.timedelta(seconds=self.every)
            if slot is None or slot > now:
                return now + step
            return slot + step * ((now - slot) // step + 1)
        assert self.at is not None
        return next_daily(self.at, after=now)


def next_daily(at: dt.time, *, after: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The first instant strictly after ``after`` whose local time (``tz``, default
    settings.TIME_ZONE) is ``at``, in UTC. A local time skipped by a daylight-saving change runs
    shifted by the change; a repeated one runs at its first occurrence."""
    tz = tz or timezone.get_default_timezone()
    after_utc = after.astimezone(dt.UTC)
    day = after_utc.astimezone(tz).date()
    for offset in range(3):
        candidate = dt.datetime.combine(day + dt.timedelta(days=offset), at, tzinfo=tz)
        candidate_utc = candidate.astimezone(dt.UTC)
        if candidate_utc > after_utc:
            return candidate_utc
    raise AssertionError("unreachable: a time of day recurs within two days")


# --------------------------------------------------------------------------- the registry

_REGISTRY: dict[str, Entry] = {}


def schedule_register(entry: Entry) -> Entry:
    """Add an entry to the registry (what ``@periodic`` does)."""
    known = _REGISTRY.get(entry.name)
    if known is not None and known.task != entry.task:
        raise ImproperlyConfigured(
            f"two schedule entries are named {entry.name!r}: {known.task} and {entry.task}"
        )
    _REGISTRY[entry.name] = entry
    return entry


def periodic(
    name: str, *, every: int | None = None, at: dt.time | None = None
) -> Callable[[TaskT], TaskT]:
    """Run the decorated django-tasks task periodically (put it above ``@task()``)."""

    def register(task_: TaskT) -> TaskT:
        if not isinstance(task_, Task):
            raise TypeError(f"@periodic({name!r}) goes above @task(), on a django-tasks task")
        schedule_register(Entry(name=name, task=task_.module_path, every=every, at=at))
        return task_

    return register


def _discover() -> None:
    """Import the ``tasks`` module of every Gongjiang app, where the entries are declared."""
    for config in apps.get_app_configs():
        if config.name.startswith("gongjiang.") and module_has_submodule(config.module, "tasks"):
            import_module(f"{config.name}.tasks")


_DISABLE = {"off", "no", "false", "disabled"}
_ENABLE = {"on", "yes", "true", "enabled"}
_INTERVAL = re.compile(r"^(\d+)\s*([smh]?)$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def _override(entry: Entry, value: str) -> Entry:
    text = value.strip().lower()
    if text in _DISABLE:
        return replace(entry, enabled=False)
    if text in _ENABLE:
        return entry
    if m := _INTERVAL.match(text):
        every = int(m[1]) * _UNITS[m[2]]
        if every >= 1:
            return replace(entry, every=every, at=None)
    if m := _TIME.match(text):
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            return replace(entry, every=None, at=dt.time(hour, minute, second))
    raise ImproperlyConfigured(
        f"SCHEDULE: {entry.name}={value!r}: give off, on, a daily local time HH:MM, "
        "or an interval such as 30s, 10m, 1h"
    )


def schedule_entries(*, overrides: dict[str, str] | None = None) -> list[Entry]:
    """Every registered entry, by name, with ``settings.SCHEDULE`` (or ``overrides``) applied.
    Raises ImproperlyConfigured for a setting that names an unknown entry or a bad value."""
    _discover()
    overrides = getattr(settings, "SCHEDULE", {}) if overrides is None else overrides
    unknown = sorted(set(overrides) - set(_REGISTRY))
    if unknown:
        raise ImproperlyConfigured(
            f"SCHEDULE names unknown entries {', '.join(unknown)}; "
            f"the entries are {', '.join(sorted(_REGISTRY))}"
        )
    return [
        _override(entry, overrides[name]) if name in overrides else entry
        for name, entry in sorted(_REGISTRY.items())
    ]


def schedule_entry(name: str) -> Entry:
    """One entry by name (settings applied); KeyError if there is none."""
    for entry in schedule_entries():
        if entry.name == name:
            return entry
    raise KeyError(name)


def _task(entry: Entry) -> Task[Any, Any]:
    task_ = import_string(entry.task)
    if not isinstance(task_, Task):
        raise ImproperlyConfigured(f"schedule entry {entry.name!r}: {entry.task} is not a task")
    return task_


# --------------------------------------------------------------------------- claiming and running


def _rows(entries: list[Entry], now: dt.datetime) -> dict[str, ScheduledRun]:
    """The rows of these entries, creating the missing ones (first run per ``Entry.first_run``)."""
    from .models import ScheduledRun

    names = [e.name for e in entries]
    rows = {r.name: r for r in ScheduledRun.objects.filter(name__in=names)}
    missing = [
        ScheduledRun(name=e.name, schedule=e.spec, next_run_at=e.first_run(now))
        for e in entries
        if e.name not in rows
    ]
    if missing:
        # another worker may create the same rows at the same moment: theirs or ours, one stays
        ScheduledRun.objects.bulk_create(missing, ignore_conflicts=True)
        rows = {r.name: r for r in ScheduledRun.objects.filter(name__in=names)}
    return rows


def schedule_claim(entry: Entry, *, seen: dt.datetime, now: dt.datetime) -> str | None:
    """Claim the run of ``entry`` due at ``seen`` (the ``next_run_at`` this worker read) and enqueue
    its task. Returns the task result id, or None when the run was not due or another worker
    claimed it first."""
    from .models import ScheduledRun

    task_ = _task(entry)
    with transaction.atomic():
        won = ScheduledRun.objects.filter(
            name=entry.name, next_run_at=seen, next_run_at__lte=now
        ).update(next_run_at=entry.next_after(now, slot=seen), last_run_at=now)
        if not won:
            return None
        result = task_.enqueue()
        ScheduledRun.objects.filter(name=entry.name).update(last_task_id=str(result.id))
    return str(result.id)


@dataclass
class Tick:
    """What one pass of the scheduler did."""

    enqueued: dict[str, str] = field(default_factory=dict)  # entry name → task result id
    next_at: dt.datetime | None = None  # the earliest next run of an enabled entry


def schedule_tick(*, now: dt.datetime | None = None, entries: list[Entry] | None = None) -> Tick:
    """Enqueue every enabled entry that is due at ``now`` and that this worker wins the claim of.
    An entry whose rule changed (settings or code) is rescheduled from ``now`` first."""
    from .models import ScheduledRun

    now = now or timezone.now()
    enabled = [e for e in (schedule_entries() if entries is None else entries) if e.enabled]
    if not enabled:
        return Tick()
    rows = _rows(enabled, now)
    tick = Tick()
    for entry in enabled:
        row = rows[entry.name]
        try:
            if row.schedule != entry.spec:
                ScheduledRun.objects.filter(pk=row.pk, schedule=row.schedule).update(
                    schedule=entry.spec, next_run_at=entry.first_run(now)
                )
                row.refresh_from_db()
                if row.schedule != entry.spec:
                    continue  # another worker runs a different rule for this entry
            if row.next_run_at <= now:
                task_id = schedule_claim(entry, seen=row.next_run_at, now=now)
                if task_id is not None:
                    tick.enqueued[entry.name] = task_id
        except Exception:  # one broken entry must not stop the others; its run stays due
            logger.exception("schedule entry %s could not be run", entry.name)
    tick.next_at = ScheduledRun.objects.filter(name__in=[e.name for e in enabled]).aggregate(
        at=Min("next_run_at")
    )["at"]
    return tick


def schedule_run_now(name: str, *, now: dt.datetime | None = None) -> str:
    """Enqueue the task of entry ``name`` at once (``gongjiang schedule run NAME``), whether the
    entry is due or even enabled; its next scheduled run is unchanged. Returns the task result id."""
    from .models import ScheduledRun

    now = now or timezone.now()
    entry = schedule_entry(name)
    with transaction.atomic():
        _rows([entry], now)
        result = _task(entry).enqueue()
        ScheduledRun.objects.filter(name=name).update(last_run_at=now, last_task_id=str(result.id))
    return str(result.id)


def _task_statuses(ids: Iterable[str]) -> dict[str, str]:
    """The status of these task results in the database backend (empty for other backends)."""
    ids = [i for i in ids if i]
    if not ids or not apps.is_installed("django_tasks_db"):
        return {}
    from django_tasks_db.models import DBTaskResult

    try:
        found = DBTaskResult.objects.filter(id__in=ids).values_list("id", "status")
        return {str(pk): str(status) for pk, status in found}
    except Exception:  # e.g. ids of another backend that are no UUIDs
        return {}


def schedule_status(*, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every entry with its rule, last run, last task (and its status) and next run, for
    ``gongjiang schedule``. Reads only: an entry no worker has seen yet shows the run it would get."""
    from .models import ScheduledRun

    now = now or timezone.now()
    entries = schedule_entries()
    rows = {r.name: r for r in ScheduledRun.objects.filter(name__in=[e.name for e in entries])}
    statuses = _task_statuses(r.last_task_id for r in rows.values())
    out = []
    for entry in entries:
        row = rows.get(entry.name)
        if not entry.enabled:
            next_run_at = None
        elif row is None or row.schedule != entry.spec:
            next_run_at = entry.first_run(now)
        else:
            next_run_at = row.next_run_at
        out.append(
            {
                "name": entry.name,
                "task": entry.task,
                "schedule": entry.spec,
                "enabled": entry.enabled,
                "last_run_at": row.last_run_at if row else None,
                "last_task_id": row.last_task_id if row else "",
                "last_task_status": statuses.get(row.last_task_id, "") if row else "",
                "next_run_at": next_run_at,
            }
        )
    return out


# --------------------------------------------------------------------------- the worker's thread


class Scheduler(threading.Thread):
    """The loop ``gongjiang worker`` runs beside db_worker: a tick, then a wait until the next run
    is due (at most ``poll`` seconds, so runs claimed or changed elsewhere are noticed)."""

    def __init__(self, *, poll: float = POLL_SECONDS) -> None:
        super().__init__(name="gongjiang-scheduler", daemon=True)
        self.poll = poll
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._stopping.wait(self.step())
        finally:
            connections.close_all()  # this thread's own connections

    def step(self, *, now: dt.datetime | None = None) -> float:
        """One tick; returns the seconds to wait before the next. Errors (the database restarting,
        SQLite busy) are logged and retried after ``poll`` seconds."""
        close_old_connections()
        try:
            tick = schedule_tick(now=now)
        except Exception:
            logger.exception("the scheduler's tick failed; retrying in %s s", self.poll)
            return self.poll
        for name, task_id in tick.enqueued.items():
            logger.info("scheduled %s: enqueued task %s", name, task_id)
        if tick.next_at is None:
            return self.poll
        wait = (tick.next_at - timezone.now()).total_seconds()
        return min(self.poll, max(0.2, wait))
