"""To-dos of assistance officers: counted in scope, nothing out of scope or for ordinary officers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.assistance import services
from gongjiang.assistance.todos import assistance_todos
from gongjiang.core.notices.models import PublicNotice

from .conftest import end_notice, household

pytestmark = pytest.mark.django_db


def _counts(user: Any) -> dict[str, int | None]:
    return {t.url.rsplit("=", 1)[-1]: t.count for t in assistance_todos(user)}


def test_todos_count_in_scope_only(assist: Any) -> None:
    a = assist
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household("800.00"), consent=True
    )
    assert _counts(a.ent_helper)["check"] == 1
    assert _counts(a.other_city_helper)["check"] == 0
    assert assistance_todos(a.officer) == []
    file = services.file_check(actor=a.ent_helper, file=file)
    assert _counts(a.ent_helper)["notices"] == 0  # five working days: not ending yet
    PublicNotice.objects.filter(pk=file.notice_id).update(
        ends_on=timezone.localdate() + dt.timedelta(days=1)
    )
    assert _counts(a.ent_helper)["notices"] == 1
    assert _counts(a.other_city_helper)["notices"] == 0
    end_notice(file)
    assert _counts(a.city_helper)["approve"] == 1
    assert _counts(a.other_city_helper)["approve"] == 0
