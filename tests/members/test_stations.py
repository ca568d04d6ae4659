"""Service stations: distance ordering, open hours with holidays, check-in once a day, feedback
routed to the station's union, the Excel import (all or nothing, errors by row and column)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from gongjiang.core.audit import AuditEvent
from gongjiang.core.errors import ApplicationError
from gongjiang.core.notices.models import CalendarDay
from gongjiang.members import stations
from gongjiang.members.models import Station, StationCheckIn

from .conftest import HERE, make_station


def test_nearest_sorted_by_haversine_distance(ms: Any) -> None:
    lat, lon = HERE
    found = stations.stations_nearest(latitude=lat, longitude=lon, radius_km=50, open_only=False)
    names = [s.name for s in found]
    assert names == ["夜间关闭驿站", "新街口驿站", "鼓楼驿站", "江宁驿站"]
    for s in found:  # the database's distance is the great-circle distance
        expected = stations.haversine_km(lat, lon, float(s.latitude), float(s.longitude))
        assert s.distance_km == pytest.approx(expected, rel=1e-6)
    assert [round(s.distance_km, 1) for s in found] == [0.5, 1.0, 5.0, 25.0]
    # the radius bounds it; Hangzhou is never in Nanjing's list
    assert [
        s.name
        for s in stations.stations_nearest(
            latitude=lat, longitude=lon, radius_km=10, open_only=False
        )
    ] == names[:3]


def test_nearest_open_only_leaves_closed_stations_out(ms: Any) -> None:
    lat, lon = HERE
    found = stations.stations_nearest(latitude=lat, longitude=lon, radius_km=50)
    assert [s.name for s in found] == ["新街口驿站", "鼓楼驿站", "江宁驿站"]
    with pytest.raises(ApplicationError):
        stations.stations_nearest(latitude=91, longitude=0)


def test_opening_hours_follow_the_holiday_calendar(ms: Any, world: Any) -> None:
    weekday_only = make_station(
        world.alice,
        world.city_a,
        "工作日驿站",
        HERE[0],
        HERE[1] + 0.001,
        hours={d: ["08:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    tz = timezone.get_current_timezone()
    wednesday = dt.datetime(2026, 10, 7, 10, 0, tzinfo=tz)  # a Wednesday in the National Day week
    assert weekday_only.is_open_at(wednesday, holiday=False)
    lat, lon = HERE
    near = stations.stations_nearest(latitude=lat, longitude=lon, radius_km=2, now=wednesday)
    assert "工作日驿站" in [s.name for s in near]
    CalendarDay.objects.create(date=wednesday.date(), name="国庆节", working=False)
    near = stations.stations_nearest(latitude=lat, longitude=lon, radius_km=2, now=wednesday)
    assert "工作日驿站" not in [s.name for s in near]  # no holiday hours: closed on the holiday
    assert "新街口驿站" in [s.name for s in near]  # open on holidays too
    evening = wednesday.replace(day=8, hour=19)
    assert not weekday_only.is_open_at(evening, holiday=False)


def test_checkin_once_per_worker_per_station_per_day(ms: Any, world: Any) -> None:
    station = ms.station_near
    token = stations.checkin_token(station)
    first, created = stations.station_checkin(actor=world.worker_a, station=station, token=token)
    assert created
    again, created_again = stations.station_checkin(
        actor=world.worker_a, station=station, token=token
    )
    assert not created_again and again.pk == first.pk
    # another station the same day counts; another worker counts
    stations.station_checkin(
        actor=world.worker_a, station=ms.station_mid, token=stations.checkin_token(ms.station_mid)
    )
    stations.station_checkin(actor=ms.worker_b, station=station, token=token)
    # the next day counts again
    StationCheckIn.objects.filter(pk=first.pk).update(day=first.day - dt.timedelta(days=1))
    stations.station_checkin(actor=world.worker_a, station=station, token=token)
    assert StationCheckIn.objects.filter(station=station, user=world.worker_a).count() == 2
    today = timezone.localdate()
    rows = stations.checkins_per_day(
        actor=world.alice, since=today - dt.timedelta(days=7), until=today
    )
    counted = {(r["station__name"], r["day"]): r["visits"] for r in rows}
    assert counted[("新街口驿站", today)] == 2
    assert counted[("新街口驿站", today - dt.timedelta(days=1))] == 1
    assert counted[("鼓楼驿站", today)] == 1
    assert stations.checkins_per_day(actor=world.bob, since=today, until=today) == []
    with pytest.raises(ApplicationError) as exc:
        stations.station_checkin(
            actor=world.worker_a, station=station, token=stations.checkin_token(ms.station_mid)
        )
    assert exc.value.code == "bad_qr_code"


def test_feedback_goes_to_the_union_of_the_station(ms: Any, world: Any) -> None:
    rating = stations.station_feedback_add(
        actor=world.worker_a, station=ms.station_near, kind="rating", stars=5
    )
    problem = stations.station_feedback_add(
        actor=ms.worker_b, station=ms.station_near, kind="problem", text="饮水机坏了"
    )
    assert rating.organization == problem.organization == world.city_a
    assert set(stations.station_feedback_for(actor=world.alice)) == {rating, problem}
    assert not stations.station_feedback_for(actor=world.bob).exists()
    assert not stations.station_feedback_for(actor=world.worker_a).exists()
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        stations.station_feedback_add(
            actor=world.worker_a, station=ms.station_near, kind="problem", text=""
        )
    with pytest.raises(PermissionDenied):
        stations.station_feedback_resolve(actor=world.bob, item=problem)
    stations.station_feedback_resolve(actor=world.alice, item=problem)
    assert AuditEvent.objects.filter(action="members.station_feedback_resolve").count() == 1


def _sheet(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "驿站名称",
            "行政区划代码",
            "地址",
            "纬度",
            "经度",
            "服务项目",
            "工作日开放时间",
            "周末开放时间",
            "节假日开放时间",
            "联系人",
            "联系电话",
        ]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_import_all_or_nothing_with_errors_by_row_and_column(world: Any) -> None:
    good = [
        "玄武驿站",
        "320102",
        "北京东路1号",
        32.06,
        118.80,
        "休息、饮水、充电",
        "08:00-20:00",
        "09:00-17:00",
        "",
        "王师傅",
        "025-1",
    ]
    bad_region = ["坏驿站", "999999", "某路", 32.0, 118.0, "休息", "08:00-20:00", "", "", "", ""]
    bad_hours = ["坏时间", "320102", "某路", 32.0, 118.0, "按摩", "8点到20点", "", "", "", ""]
    with pytest.raises(ApplicationError) as exc:
        stations.stations_import(
            actor=world.alice,
            organization=world.city_a,
            source=_sheet([good, bad_region, bad_hours]),
            filename="stations.xlsx",
        )
    where = {(d["field"], d["error"]) for d in exc.value.details}
    fields = [d["field"] for d in exc.value.details]
    assert any("3" in f and "行政区划代码" in f for f in fields)
    assert any("4" in f and "工作日开放时间" in f for f in fields)
    assert any("4" in f and "服务项目" in f for f in fields)
    assert where
    assert not Station.objects.exists()  # nothing imported
    n = stations.stations_import(
        actor=world.alice,
        organization=world.city_a,
        source=_sheet([good]),
        filename="stations.xlsx",
    )
    assert n == 1
    s = Station.objects.get()
    assert s.services == ["charging", "rest", "water"]
    assert s.hours["mon"] == ["08:00", "20:00"] and s.hours["sun"] == ["09:00", "17:00"]
    assert "holiday" not in s.hours
    assert s.latitude == Decimal("32.060000")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        stations.stations_import(
            actor=world.bob, organization=world.city_a, source=_sheet([good]), filename="s.xlsx"
        )
