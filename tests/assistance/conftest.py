"""Assistance fixtures on top of ``world``: assistance officers at enterprise A (checks), city A
(approves) and city B (another city); a worker of enterprise A with a login; this year's
minimum-living standard of city A (Nanjing) and province B."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.assistance import services
from gongjiang.assistance.models import HardshipFile, Standard
from gongjiang.core.actors import SYSTEM
from gongjiang.core.notices.models import PublicNotice

from ..factories import UserFactory, member
from ..workforce.helpers import make_worker


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Assist:
    world: Any
    ent_helper: Any  # assistance officer of enterprise A's union
    city_helper: Any  # assistance officer of city A (the level above)
    other_city_helper: Any  # assistance officer of city B
    officer: Any  # an ordinary officer of enterprise A's union
    worker: Any  # the Worker of world.worker_a
    standard: Standard
    year: int


def household(income: str = "1000.00", members: int = 2, **extra: Any) -> dict[str, Any]:
    """A household whose income per head is ``income`` (the worker earns it all)."""
    total = Decimal(income) * members
    rows = [{"relation": "本人", "monthly_income": str(total), "works": True, "health": "高血压"}]
    rows += [
        {"relation": "子女", "monthly_income": "0", "birth_date": "2012-03-01", "health": "健康"}
        for _ in range(members - 1)
    ]
    return {"members": rows, "housing": "租住", "debts": "0", "causes": ["illness"], **extra}


@pytest.fixture
def assist(world: Any) -> Assist:
    year = timezone.localdate().year
    ent_helper = UserFactory(username="ent_helper")
    city_helper = UserFactory(username="city_helper")
    other = UserFactory(username="other_helper")
    member(ent_helper, world.enterprise_a, "assistance")
    member(city_helper, world.city_a, "assistance")
    member(other, world.city_b, "assistance")
    worker = make_worker(world.enterprise_a, 1, name="王小明")
    worker.user = world.worker_a
    worker.save(update_fields=["user"])
    standard = Standard.objects.create(
        region_id="320100", year=year, monthly_minimum=Decimal("1150.00"), source="test"
    )
    Standard.objects.create(
        region_id="330000", year=year, monthly_minimum=Decimal("1200.00"), source="test"
    )
    return Assist(
        world, ent_helper, city_helper, other, world.enterprise_officer_a, worker, standard, year
    )


def end_notice(file: HardshipFile) -> None:
    """Let the file's public notice run out (as if its working days had passed)."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    PublicNotice.objects.filter(pk=file.notice_id).update(
        starts_on=yesterday - dt.timedelta(days=7), ends_on=yesterday
    )
    file.refresh_from_db()


def filed_file(a: Assist, income: str = "1000.00", **extra: Any) -> HardshipFile:
    """A file through the whole flow: the worker applies, the enterprise checks, the city approves."""
    file = services.file_apply(
        actor=a.world.worker_a, worker=a.worker, household=household(income, **extra), consent=True
    )
    file = services.file_check(actor=a.ent_helper, file=file)
    end_notice(file)
    return services.file_approve(actor=a.city_helper, file=file)


__all__ = ["SYSTEM", "Assist", "end_notice", "filed_file", "household"]
