"""The scheduler (core/schedule.py): next runs, the exactly-once claim, settings, the worker's
periodic work and the ``schedule`` command. Time is injected (``now=``); nothing sleeps."""

from __future__ import annotations

import datetime as dt
import json
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import task

from gongjiang.core import schedule
from gongjiang.core.models import ScheduledRun
from gongjiang.core.schedule import (
    Entry,
    Scheduler,
    next_daily,
    schedule_claim,
    schedule_entries,
    schedule_run_now,
    schedule_tick,
)
from gongjiang.learning.exams.services import exam_attempt_start
from gongjiang.learning.models import Attempt

from ..learning.factories import make_bank, make_session

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

RUNS: list[str] = []
_RUNS_LOCK = threading.Lock()


@task()
def count_run() -> None:
    """A task that only counts its runs (the tests' backend runs it when it is enqueued)."""
    with _RUNS_LOCK:
        RUNS.append("run")


COUNT = f"{__name__}.count_run"


@pytest.fixture(autouse=True)
def _clean_runs() -> None:
    RUNS.clear()


def every(seconds: int, name: str = "test.every") -> Entry:
    return Entry(name=name, task=COUNT, every=seconds)


def daily(at: dt.time, name: str = "test.daily") -> Entry:
    return Entry(name=name, task=COUNT, at=at)


def t(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- next runs


def test_interval_first_run_is_now_and_next_stays_on_the_grid() -> None:
    e = every(30)
    now = t(2025, 5, 1, 8, 0, 0)
    assert e.first_run(now) == now
    assert e.next_after(now, slot=now) == now + dt.timedelta(seconds=30)
    # claimed 4 s late: the next run keeps to the grid, it does not drift
    assert e.next_after(now + dt.timedelta(seconds=4), slot=now) == now + dt.timedelta(seconds=30)
    # exactly on a later slot: the next one after it
    assert e.next_after(now + dt.timedelta(seconds=60), slot=now) == now + dt.timedelta(seconds=90)
    assert e.spec == "every 30s"


def test_interval_after_a_long_outage_runs_next_within_one_interval() -> None:
    e = every(30)
    slot = t(2025, 5, 1, 8, 0, 0)
    now = slot + dt.timedelta(days=3, seconds=7)
    nxt = e.next_after(now, slot=slot)
    assert now < nxt <= now + dt.timedelta(seconds=30)
    assert (nxt - slot) % dt.timedelta(seconds=30) == dt.timedelta(0)


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_daily_time_is_local_in_asia_shanghai() -> None:
    e = daily(dt.time(2, 30))
    assert e.spec == "daily 02:30"
    # 01:00 in Shanghai (17:00 UTC the day before): today's 02:30 local is 18:30 UTC
    assert e.next_after(t(2025, 3, 1, 17, 0)) == t(2025, 3, 1, 18, 30)
    # 03:00 in Shanghai: tomorrow's
    assert e.next_after(t(2025, 3, 1, 19, 0)) == t(2025, 3, 2, 18, 30)
    # exactly at the time: the next day's (strictly after)
    assert e.next_after(t(2025, 3, 1, 18, 30)) == t(2025, 3, 2, 18, 30)
    # a daily entry seen for the first time waits for its time of day
    assert e.first_run(t(2025, 3, 1, 19, 0)) == t(2025, 3, 2, 18, 30)
    assert e.next_after(t(2025, 3, 1, 19, 0)).astimezone(SHANGHAI).time() == dt.time(2, 30)


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_daily_time_across_midnight_and_the_year_end() -> None:
    seven = daily(dt.time(7, 0))
    # 23:59 local on 31 December → 07:00 local on 1 January (23:00 UTC on 31 December)
    late = dt.datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI)
    assert seven.next_after(late) == t(2025, 12, 31, 23, 0)
    # UTC is still on the 31st but Shanghai is on 1 January, 07:30: the next is 2 January 07:00
    assert seven.next_after(t(2025, 12, 31, 23, 30)) == t(2026, 1, 1, 23, 0)
    midnight = daily(dt.time(0, 0))
    assert midnight.next_after(dt.datetime(2025, 6, 1, 23, 30, tzinfo=SHANGHAI)) == t(
        2025, 6, 1, 16, 0
    )
    assert midnight.next_after(dt.datetime(2025, 6, 2, 0, 0, tzinfo=SHANGHAI)) == t(
        2025, 6, 2, 16, 0
    )


def test_daily_time_on_a_daylight_saving_day_runs_once() -> None:
    new_york = ZoneInfo("America/New_York")
    # 9 March 2025: 02:00 → 03:00, so 02:30 does not exist; it runs once that day, an hour late
    before = dt.datetime(2025, 3, 9, 0, 0, tzinfo=new_york)
    first = next_daily(dt.time(2, 30), after=before, tz=new_york)
    assert first.astimezone(new_york).date() == dt.date(2025, 3, 9)
    second = next_daily(dt.time(2, 30), after=first, tz=new_york)
    assert second.astimezone(new_york) == dt.datetime(2025, 3, 10, 2, 30, tzinfo=new_york)


def test_an_entry_needs_exactly_one_rule() -> None:
    with pytest.raises(ValueError):
        Entry(name="x", task=COUNT)
    with pytest.raises(ValueError):
        Entry(name="x", task=COUNT, every=30, at=dt.time(1, 0))
    with pytest.raises(ValueError):
        Entry(name="x", task=COUNT, every=0)


# --------------------------------------------------------------------------- registry and settings


def test_the_default_entries() -> None:
    entries = {e.name: e for e in schedule_entries(overrides={})}
    assert {k: (v.task, v.spec, v.enabled) for k, v in entries.items()} == {
        "assistance.anonymise": (
            "gongjiang.assistance.tasks.assistance_anonymise",
            "daily 03:30",
            True,
        ),
        "assistance.remind": ("gongjiang.assistance.tasks.assistance_remind", "daily 07:10", True),
        "congress.proposal_remind": (
            "gongjiang.congress.tasks.proposal_remind",
            "daily 07:15",
            True,
        ),
        "core.counters_fold": ("gongjiang.core.tasks.counters_fold", "every 5s", True),
        "core.job_files_prune": ("gongjiang.core.tasks.job_files_prune", "daily 03:45", True),
        "core.jobs_fail_stale": ("gongjiang.core.tasks.jobs_fail_stale", "every 60s", True),
        "core.prune_task_results": (
            "gongjiang.core.tasks.prune_task_results",
            "daily 03:30",
            True,
        ),
        "learning.exam_autosubmit": (
            "gongjiang.learning.tasks.exam_autosubmit_due",
            "every 30s",
            True,
        ),
        "members.help_escalate": (
            "gongjiang.members.tasks.help_escalate_overdue",
            "every 600s",
            True,
        ),
        "members.library_settle": (
            "gongjiang.members.tasks.library_settle",
            "every 900s",
            True,
        ),
        "reform.remind": ("gongjiang.reform.tasks.reform_remind", "daily 07:00", True),
        "workforce.rollups_rebuild": (
            "gongjiang.workforce.tasks.rollups_rebuild",
            "daily 02:30",
            True,
        ),
    }


def test_settings_switch_entries_off_and_change_them() -> None:
    entries = {
        e.name: e
        for e in schedule_entries(
            overrides={
                "reform.remind": "off",
                "workforce.rollups_rebuild": "03:15",
                "learning.exam_autosubmit": "1m",
            }
        )
    }
    assert not entries["reform.remind"].enabled
    assert entries["workforce.rollups_rebuild"].spec == "daily 03:15"
    assert entries["learning.exam_autosubmit"].spec == "every 60s"
    for bad in ("sometimes", "25:00", "0s", ""):
        with pytest.raises(ImproperlyConfigured, match="reform.remind"):
            schedule_entries(overrides={"reform.remind": bad})
    with pytest.raises(ImproperlyConfigured, match="unknown"):
        schedule_entries(overrides={"reform.remnid": "off"})


def test_periodic_goes_above_task() -> None:
    with pytest.raises(TypeError):
        schedule.periodic("test.wrong", every=30)(lambda: None)  # type: ignore[type-var]


# --------------------------------------------------------------------------- the claim


def test_two_claimers_at_the_same_instant_one_wins(db: None) -> None:
    e = every(30)
    now = t(2025, 5, 1, 8, 0, 0)
    schedule._rows([e], now)
    seen = ScheduledRun.objects.get(name=e.name).next_run_at  # both workers read the same row
    first = schedule_claim(e, seen=seen, now=now)
    second = schedule_claim(e, seen=seen, now=now)
    assert first is not None and second is None
    assert RUNS == ["run"]
    row = ScheduledRun.objects.get(name=e.name)
    assert row.next_run_at == now + dt.timedelta(seconds=30)
    assert row.last_run_at == now and row.last_task_id == first


def test_two_workers_ticking_at_the_same_instant_enqueue_once(db: None) -> None:
    e = every(30)
    now = t(2025, 5, 1, 8, 0, 0)
    assert set(schedule_tick(now=now, entries=[e]).enqueued) == {e.name}
    assert schedule_tick(now=now, entries=[e]).enqueued == {}
    assert schedule_tick(now=now + dt.timedelta(seconds=10), entries=[e]).enqueued == {}
    tick = schedule_tick(now=now + dt.timedelta(seconds=30), entries=[e])
    assert set(tick.enqueued) == {e.name}
    assert tick.next_at == now + dt.timedelta(seconds=60)
    assert len(RUNS) == 2


def test_a_claim_is_not_taken_before_the_run_is_due(db: None) -> None:
    e = every(30)
    now = t(2025, 5, 1, 8, 0, 0)
    schedule_tick(now=now, entries=[e])
    seen = ScheduledRun.objects.get(name=e.name).next_run_at
    assert schedule_claim(e, seen=seen, now=seen - dt.timedelta(seconds=1)) is None
    assert len(RUNS) == 1


def test_a_missed_interval_run_runs_once(db: None) -> None:
    e = every(30)
    start = t(2025, 5, 1, 8, 0, 0)
    schedule_tick(now=start, entries=[e])
    later = start + dt.timedelta(days=3, seconds=5)  # the workers were down for three days
    tick = schedule_tick(now=later, entries=[e])
    assert set(tick.enqueued) == {e.name}
    assert schedule_tick(now=later + dt.timedelta(seconds=1), entries=[e]).enqueued == {}
    assert len(RUNS) == 2
    assert (
        later
        < ScheduledRun.objects.get(name=e.name).next_run_at
        <= later + dt.timedelta(seconds=30)
    )


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_a_missed_daily_run_runs_once_then_at_its_time(db: None) -> None:
    e = daily(dt.time(7, 0))
    monday_6 = t(2025, 5, 4, 22, 0)  # Monday 5 May, 06:00 in Shanghai
    assert schedule_tick(now=monday_6, entries=[e]).enqueued == {}  # first seen: waits for 07:00
    assert ScheduledRun.objects.get(name=e.name).next_run_at == t(2025, 5, 4, 23, 0)
    thursday_noon = t(2025, 5, 8, 4, 0)  # Thursday 12:00: three 07:00 runs were missed
    assert set(schedule_tick(now=thursday_noon, entries=[e]).enqueued) == {e.name}
    assert schedule_tick(now=thursday_noon, entries=[e]).enqueued == {}
    assert len(RUNS) == 1
    assert ScheduledRun.objects.get(name=e.name).next_run_at == t(2025, 5, 8, 23, 0)  # Fri 07:00


def test_a_changed_rule_is_rescheduled_from_now(db: None) -> None:
    now = t(2025, 5, 1, 8, 0, 0)
    schedule_tick(now=now, entries=[daily(dt.time(7, 0), name="test.x")])
    assert RUNS == []
    # the operator turns the daily entry into an interval: it runs at once, then every 60 s
    tick = schedule_tick(now=now, entries=[every(60, name="test.x")])
    assert set(tick.enqueued) == {"test.x"}
    row = ScheduledRun.objects.get(name="test.x")
    assert row.schedule == "every 60s" and row.next_run_at == now + dt.timedelta(seconds=60)


def test_a_failed_enqueue_gives_the_claim_back(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    e = every(30)
    now = t(2025, 5, 1, 8, 0, 0)
    schedule._rows([e], now)

    def broken(entry: Entry) -> object:
        class Broken:
            def enqueue(self) -> None:
                raise RuntimeError("queue unavailable")

        return Broken()

    monkeypatch.setattr(schedule, "_task", broken)
    assert schedule_tick(now=now, entries=[e]).enqueued == {}  # logged, not raised
    assert ScheduledRun.objects.get(name=e.name).next_run_at == now  # still due
    monkeypatch.undo()
    assert set(schedule_tick(now=now, entries=[e]).enqueued) == {e.name}


def test_disabled_entries_do_not_run(db: None) -> None:
    now = t(2025, 5, 1, 8, 0, 0)
    off = Entry(name="test.off", task=COUNT, every=30, enabled=False)
    assert schedule_tick(now=now, entries=[off, every(30)]).enqueued.keys() == {"test.every"}
    assert not ScheduledRun.objects.filter(name="test.off").exists()
    with override_settings(
        SCHEDULE={
            "learning.exam_autosubmit": "off",
            "core.counters_fold": "off",
            "core.jobs_fail_stale": "off",
            "members.help_escalate": "off",
            "members.library_settle": "off",
        }
    ):
        tick = schedule_tick(now=now)  # the registered entries: the daily ones are not due yet
    assert tick.enqueued == {}
    assert set(ScheduledRun.objects.values_list("name", flat=True)) == {
        "test.every",
        "assistance.anonymise",
        "assistance.remind",
        "congress.proposal_remind",
        "core.job_files_prune",
        "core.prune_task_results",
        "reform.remind",
        "workforce.rollups_rebuild",
    }


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="concurrent connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_on_postgresql_one_wins() -> None:
    e = every(30)
    now = timezone.now()
    schedule._rows([e], now)
    seen = ScheduledRun.objects.get(name=e.name).next_run_at
    barrier = threading.Barrier(4)
    results: list[str | None] = []

    def claim() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(schedule_claim(e, seen=seen, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 4 and sum(r is not None for r in results) == 1
    assert RUNS == ["run"]


# --------------------------------------------------------------------------- the worker


@pytest.fixture
def overdue_attempt(world):  # type: ignore[no-untyped-def]
    questions = make_bank(world.alice, world.province_a)
    session = make_session(
        world.alice, world.province_a, questions, candidate_organizations=[world.enterprise_a]
    )
    attempt = exam_attempt_start(actor=world.worker_a, session=session)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    return attempt


# db_worker commits and checks its connection as in production (close_old_connections): these
# tests run outside the test transaction.
# the counter fold runs every 5 s: hourly here, so that "straight after" holds on a loaded machine
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS, SCHEDULE={"core.counters_fold": "1h"})
def test_worker_batch_enqueues_the_due_autosubmit_and_runs_it(overdue_attempt: Attempt) -> None:
    from django_tasks_db.models import DBTaskResult

    call_command("worker", "--batch", "--interval", "0", stdout=StringIO())
    overdue_attempt.refresh_from_db()
    assert overdue_attempt.status != "in_progress" and overdue_attempt.auto_submitted
    row = ScheduledRun.objects.get(name="learning.exam_autosubmit")
    result = DBTaskResult.objects.get(id=row.last_task_id)
    assert result.status == "SUCCESSFUL" and result.return_value == 1
    # the daily entries were seen and wait for their time; besides the five interval entries
    # (exam auto-submission, the job-lease check, the help desk's escalation, the e-library's
    # loans, the counter fold) nothing was queued
    stale = ScheduledRun.objects.get(name="core.jobs_fail_stale")
    assert DBTaskResult.objects.get(id=stale.last_task_id).status == "SUCCESSFUL"
    fold = ScheduledRun.objects.get(name="core.counters_fold")
    assert DBTaskResult.objects.get(id=fold.last_task_id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.count() == 5
    assert ScheduledRun.objects.get(name="reform.remind").next_run_at > timezone.now()
    # a second worker straight after finds nothing due
    call_command("worker", "--batch", "--interval", "0", stdout=StringIO())
    assert DBTaskResult.objects.count() == 5


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_worker_no_schedule_runs_only_the_queue(overdue_attempt: Attempt) -> None:
    call_command("worker", "--batch", "--no-schedule", "--interval", "0", stdout=StringIO())
    overdue_attempt.refresh_from_db()
    assert overdue_attempt.status == "in_progress"
    assert not ScheduledRun.objects.exists()


def test_worker_refuses_a_bad_schedule_setting(db: None) -> None:
    with override_settings(SCHEDULE={"reform.remind": "often"}), pytest.raises(CommandError):
        call_command("worker", "--batch", "--interval", "0")


def test_scheduler_step_waits_for_the_next_run_and_survives_errors(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = Scheduler(poll=15)
    now = timezone.now()
    monkeypatch.setattr(
        schedule,
        "schedule_tick",
        lambda now=None: schedule.Tick(next_at=timezone.now() + dt.timedelta(seconds=5)),
    )
    assert 4 < scheduler.step(now=now) <= 5

    def failing(now: dt.datetime | None = None) -> schedule.Tick:
        raise RuntimeError("database restarting")

    monkeypatch.setattr(schedule, "schedule_tick", failing)
    assert scheduler.step(now=now) == 15


# --------------------------------------------------------------------------- the command


@override_settings(TIME_ZONE="Asia/Shanghai", SCHEDULE={"reform.remind": "off"})
def test_schedule_command_lists_entries(db: None) -> None:
    now = t(2025, 5, 1, 0, 0, 0)  # 08:00 in Shanghai
    schedule_tick(now=now)
    out = StringIO()
    call_command("schedule", stdout=out)
    text = out.getvalue()
    lines = {line.split()[0]: line for line in text.splitlines()}
    assert "every 30s" in lines["learning.exam_autosubmit"]
    assert "2025-05-01 08:00:00" in lines["learning.exam_autosubmit"]  # last run
    assert "2025-05-01 08:00:30" in lines["learning.exam_autosubmit"]  # next run
    assert "off (daily 07:00)" in lines["reform.remind"]
    assert "daily 02:30" in lines["workforce.rollups_rebuild"]
    assert "2025-05-02 02:30:00" in lines["workforce.rollups_rebuild"]
    assert "Asia/Shanghai" in text

    out = StringIO()
    call_command("schedule", "--json", stdout=out)
    data = {row["name"]: row for row in json.loads(out.getvalue())}
    assert set(data) == {
        "assistance.anonymise",
        "assistance.remind",
        "congress.proposal_remind",
        "core.counters_fold",
        "core.job_files_prune",
        "core.jobs_fail_stale",
        "core.prune_task_results",
        "learning.exam_autosubmit",
        "members.help_escalate",
        "members.library_settle",
        "reform.remind",
        "workforce.rollups_rebuild",
    }
    auto = data["learning.exam_autosubmit"]
    assert auto["task"] == "gongjiang.learning.tasks.exam_autosubmit_due"
    assert auto["enabled"] is True and auto["schedule"] == "every 30s"
    assert auto["last_run_at"] == "2025-05-01T08:00:00+08:00"
    assert auto["next_run_at"] == "2025-05-01T08:00:30+08:00"
    assert auto["last_task_id"]
    assert (
        data["reform.remind"]["enabled"] is False and data["reform.remind"]["next_run_at"] is None
    )
    assert data["workforce.rollups_rebuild"]["next_run_at"] == "2025-05-02T02:30:00+08:00"


def test_schedule_run_enqueues_now_without_moving_the_next_run(overdue_attempt: Attempt) -> None:
    out = StringIO()
    call_command("schedule", "run", "learning.exam_autosubmit", stdout=out)
    assert out.getvalue().startswith("learning.exam_autosubmit: enqueued task ")
    overdue_attempt.refresh_from_db()
    assert overdue_attempt.auto_submitted  # the tests' task backend runs it at once
    row = ScheduledRun.objects.get(name="learning.exam_autosubmit")
    assert row.last_task_id and row.next_run_at <= timezone.now()  # still due for the scheduler
    task_id = schedule_run_now("reform.remind")
    assert ScheduledRun.objects.get(name="reform.remind").last_task_id == task_id
    with pytest.raises(CommandError, match="learning.exam_autosubmit"):
        call_command("schedule", "run", "no.such.entry")


@override_settings(TASKS=DB_TASKS)
def test_finished_task_rows_older_than_two_weeks_are_pruned(db) -> None:
    from django_tasks_db.models import DBTaskResult

    from gongjiang.core.tasks import prune_task_results
    from gongjiang.learning.tasks import exam_autosubmit_due

    old, recent, queued = (exam_autosubmit_due.enqueue() for _ in range(3))
    now = timezone.now()
    DBTaskResult.objects.filter(id__in=[old.id, recent.id]).update(
        status="SUCCESSFUL", finished_at=now - dt.timedelta(days=1)
    )
    DBTaskResult.objects.filter(id=old.id).update(finished_at=now - dt.timedelta(days=15))
    prune_task_results.call()
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert str(old.id) not in {str(i) for i in left}
    assert {str(recent.id), str(queued.id)} <= {str(i) for i in left}
