"""Member services fixtures: stations around Nanjing, an activity, a running contest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.members import activities, campaigns, stations

from ..factories import UserFactory, member
from ..learning.factories import make_question

ALL_DAY = {
    d: ["00:00", "23:59"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday")
}
# 新街口, Nanjing
HERE = (32.041544, 118.784268)


@dataclass
class Members:
    station_near: Any  # ~1 km
    station_mid: Any  # ~5 km
    station_far: Any  # ~25 km
    station_closed: Any  # ~0.5 km, never open
    station_b: Any  # Hangzhou (province B)
    activity: Any  # enterprise A, capacity 2
    campaign: Any  # city A, running, 3 questions
    questions: list[Any]
    worker_b: Any  # worker at enterprise B


def make_station(actor: Any, org: Any, name: str, lat: float, lon: float, **kw: Any) -> Any:
    fields = {
        "name": name,
        "region_id": kw.pop("region", "320102"),
        "address": f"{name}路1号",
        "latitude": Decimal(str(lat)).quantize(Decimal("0.000001")),
        "longitude": Decimal(str(lon)).quantize(Decimal("0.000001")),
        "services": ["rest", "water", "charging"],
        "hours": kw.pop("hours", ALL_DAY),
        "phone": "025-12351",
    }
    fields.update(kw)
    return stations.station_save(actor=actor, organization=org, **fields)


@pytest.fixture
def ms(world: Any) -> Members:
    lat, lon = HERE
    near = make_station(world.alice, world.city_a, "新街口驿站", lat + 0.009, lon)  # ~1.0 km
    mid = make_station(world.alice, world.city_a, "鼓楼驿站", lat, lon + 0.053)  # ~5.0 km
    far = make_station(world.alice, world.city_a, "江宁驿站", lat - 0.225, lon)  # ~25 km
    closed = make_station(world.alice, world.city_a, "夜间关闭驿站", lat + 0.0045, lon, hours={})
    station_b = make_station(
        world.bob, world.city_b, "西湖驿站", 30.2741, 120.1551, region="330106"
    )
    now = timezone.now()
    activity = activities.activity_create(
        actor=world.enterprise_officer_a,
        organization=world.enterprise_a,
        title="职工羽毛球赛",
        place="体育馆",
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=2),
        capacity=2,
    )
    qs = [
        make_question(world.alice, world.province_a, "single", answer="B"),
        make_question(world.alice, world.province_a, "true_false", answer=True),
        make_question(world.alice, world.province_a, "multiple", answer=["A", "C"]),
    ]
    campaign = campaigns.campaign_create(
        actor=world.alice,
        organization=world.city_a,
        title="中国梦·大国工匠知识竞赛",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=6),
        question_codes=[q.code for q in qs],
    )
    worker_b = UserFactory(username="worker_b")
    member(worker_b, world.enterprise_b, "worker")
    return Members(near, mid, far, closed, station_b, activity, campaign, qs, worker_b)
