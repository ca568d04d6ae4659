"""Reminders actually sent by the scheduled task: re-verifications due and public notices ending,
to the officers in scope (and the worker for their own file), once each, with no household data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.assistance import services
from gongjiang.assistance.models import HardshipFile
from gongjiang.assistance.reminders import reminders_send
from gongjiang.assistance.tasks import assistance_remind
from gongjiang.members.models import Notification

from .conftest import filed_file, household

pytestmark = pytest.mark.django_db


def _notes(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


def test_reverification_reminders(assist: Any, settings: Any) -> None:
    settings.MEMBERS_SENDER = "gongjiang.members.notify.ConsoleSender"
    a = assist
    file = filed_file(a, "800.00")
    today = timezone.localdate()
    # not due for a year: nothing is sent
    assert reminders_send(on=today)["verify_files"] == 0
    assert not Notification.objects.exists()
    HardshipFile.objects.filter(pk=file.pk).update(verify_due_on=today + dt.timedelta(days=10))
    result = reminders_send(on=today)
    assert result["verify_files"] == 1
    # the enterprise's and the city's assistance officers (assistance.check in scope), the worker
    for user in (a.ent_helper, a.city_helper):
        (note,) = _notes(user)
        assert "复核" in note.title and "1" in note.title
        assert note.url == "/assistance/files/?view=verify"
    (own,) = _notes(a.world.worker_a)
    assert own.url == f"/assistance/me/{file.code}/"
    # nobody else: the ordinary officer, another city's assistance officer
    assert not _notes(a.officer) and not _notes(a.other_city_helper)
    # no household data in any message
    for note in Notification.objects.all():
        text = note.title + note.body
        assert "高血压" not in text and "800" not in text and "王" not in text
    # running again sends nothing new
    assert reminders_send(on=today)["verify_files"] == 0
    assert Notification.objects.count() == 3
    # after the re-verification the next due date is reminded in its turn
    file.refresh_from_db()
    file = services.file_verify(actor=a.ent_helper, file=file)
    assert reminders_send(on=today)["verify_files"] == 0
    assert reminders_send(on=file.verify_due_on)["verify_files"] == 1
    assert len(_notes(a.ent_helper)) == 2


def test_notice_ending_reminders_through_the_task(assist: Any) -> None:
    a = assist
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household("800.00"), consent=True
    )
    file = services.file_check(actor=a.ent_helper, file=file)
    ends = file.notice.ends_on
    before = ends - dt.timedelta(days=10)
    assert assistance_remind.call(on=before.isoformat())["notice_files"] == 0
    result = assistance_remind.call(on=(ends - dt.timedelta(days=1)).isoformat())
    assert result["notice_files"] == 1
    for user in (a.ent_helper, a.city_helper):
        (note,) = _notes(user)
        assert "公示" in note.title and note.url == "/assistance/files/?view=notices"
    assert not _notes(a.officer) and not _notes(a.other_city_helper)
    assert not _notes(a.world.worker_a)
    # once per notice
    assert assistance_remind.call(on=ends.isoformat())["notice_files"] == 0
