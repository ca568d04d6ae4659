"""Service stations: the directory, the nearest open stations, check-ins, feedback, Excel import.

The directory is public to every signed-in person (a delivery rider stops at any city's station);
keeping it, and reading a station's check-ins and feedback, is for the union that runs it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, FloatField, QuerySet
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit
from gongjiang.core.crypto import hash_key
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import Organization, Region
from gongjiang.core.spreadsheets import cell_text, find_header, is_blank, read_rows

from .models import Station, StationCheckIn, StationFeedback
from .models.stations import WEEKDAYS, Service

MANAGE = "members.manage_station"
EARTH_RADIUS_KM = 6371.0088
MAX_RADIUS_KM = 200


# --------------------------------------------------------------------------------- reads
def stations_directory(*, region: str = "", q: str = "") -> QuerySet[Station]:
    qs = Station.objects.filter(is_active=True).select_related("region", "organization")
    if region:
        qs = qs.filter(region__code__startswith=region.rstrip("0") or region)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(address__icontains=q)
    return qs.order_by("region_id", "name")


def station_get(*, code: str) -> Station:
    station = Station.objects.filter(code=code, is_active=True).select_related("region").first()
    if station is None:
        raise Http404("station")
    return station


def stations_managed(*, actor: Any) -> QuerySet[Station]:
    return Station.objects.visible_to(actor, MANAGE).select_related("region", "organization")


def station_managed_get(*, actor: Any, code: str) -> Station:
    return access.get_visible_or_404(Station.objects.all(), actor, MANAGE, code=code)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _listed_holiday(day: dt.date) -> bool:
    from gongjiang.core.notices.models import CalendarDay

    return CalendarDay.objects.filter(date=day, working=False).exists()


def stations_nearest(
    *,
    latitude: float,
    longitude: float,
    radius_km: float = 30,
    limit: int = 10,
    open_only: bool = True,
    now: dt.datetime | None = None,
) -> list[Station]:
    """The stations within ``radius_km``, nearest first, by great-circle (haversine) distance
    computed in the database after a bounding-box filter on the (latitude, longitude) index.
    ``open_only`` keeps those open now (holiday hours on the calendar's public holidays)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ApplicationError(_("That is not a place on Earth."), code="invalid_location")
    radius_km = min(max(radius_km, 0.1), MAX_RADIUS_KM)
    dlat = radius_km / 111.0
    dlon = radius_km / max(111.0 * math.cos(math.radians(latitude)), 0.01)
    lat, lon = Radians(latitude), Radians(longitude)
    slat, slon = Radians(F("latitude")), Radians(F("longitude"))
    a = Power(Sin((slat - lat) / 2), 2) + Cos(lat) * Cos(slat) * Power(Sin((slon - lon) / 2), 2)
    qs = (
        Station.objects.filter(
            is_active=True,
            latitude__range=(Decimal(str(latitude - dlat)), Decimal(str(latitude + dlat))),
            longitude__range=(Decimal(str(longitude - dlon)), Decimal(str(longitude + dlon))),
        )
        .annotate(distance_km=2 * EARTH_RADIUS_KM * ASin(Sqrt(a, output_field=FloatField())))
        .filter(distance_km__lte=radius_km)
        .select_related("region")
        .order_by("distance_km", "id")
    )
    if not open_only:
        return list(qs[:limit])
    now = timezone.localtime(now or timezone.now())
    holiday = _listed_holiday(now.date())
    out: list[Station] = []
    for station in qs[:500].iterator(200):
        if station.is_open_at(now, holiday):
            out.append(station)
            if len(out) == limit:
                break
    return out


# ------------------------------------------------------------------------------- QR codes
def checkin_token(station: Station) -> str:
    """The secret printed in the station's QR code (a keyed digest of its code)."""
    return hmac.new(hash_key(), f"station:{station.code}".encode(), hashlib.sha256).hexdigest()[:16]


# ------------------------------------------------------------------------------ services
def station_save(
    *,
    actor: Any,
    organization: Organization,
    station: Station | None = None,
    **fields: Any,
) -> Station:
    access.require(actor, MANAGE, organization)
    with transaction.atomic():
        if station is None:
            station = Station(organization=organization)
        else:
            access.require(actor, MANAGE, station.organization)
            station.organization = organization
        for name, value in fields.items():
            setattr(station, name, value)
        station.full_clean()
        station.save()
        audit(actor=actor, action="members.station_save", obj=station)
    return station


def station_checkin(*, actor: Any, station: Station, token: str) -> tuple[StationCheckIn, bool]:
    """Check in by the QR code; once per person, station and day (a second scan the same day
    returns the first check-in and False)."""
    if not access.can(actor, "members.use"):
        raise PermissionDenied
    if not hmac.compare_digest(token, checkin_token(station)):
        raise ApplicationError(_("This QR code is not this station's."), code="bad_qr_code")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            checkin = StationCheckIn.objects.create(station=station, user=actor, day=today)
            audit(actor=actor, action="members.station_checkin", obj=station)
            return checkin, True
    except IntegrityError:
        return StationCheckIn.objects.get(station=station, user=actor, day=today), False


def station_feedback_add(
    *, actor: Any, station: Station, kind: str, stars: int | None = None, text: str = ""
) -> StationFeedback:
    if not access.can(actor, "members.use"):
        raise PermissionDenied
    with transaction.atomic():
        item = StationFeedback(
            station=station,
            organization=station.organization,
            user=actor,
            kind=kind,
            stars=stars,
            text=text,
        )
        item.full_clean()
        item.save()
        audit(actor=actor, action="members.station_feedback", obj=item, details={"kind": kind})
    return item


def station_feedback_for(*, actor: Any) -> QuerySet[StationFeedback]:
    """Ratings and problem reports routed to the unions the actor manages."""
    return StationFeedback.objects.visible_to(actor, MANAGE).select_related("station")


def checkins_per_day(*, actor: Any, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Check-ins counted per station and day, for the stations the actor manages."""
    return list(
        StationCheckIn.objects.visible_to(actor, MANAGE)
        .filter(day__gte=since, day__lte=until)
        .values("station__code", "station__name", "day")
        .annotate(visits=Count("id"))
        .order_by("-day", "station__name")
    )


# ------------------------------------------------------------------------------ import
IMPORT_COLUMNS = {
    "name": ["驿站名称", "name"],
    "region": ["行政区划代码", "region"],
    "address": ["地址", "address"],
    "latitude": ["纬度", "latitude"],
    "longitude": ["经度", "longitude"],
    "services": ["服务项目", "services"],
    "weekdays": ["工作日开放时间", "weekday hours"],
    "weekends": ["周末开放时间", "weekend hours"],
    "holidays": ["节假日开放时间", "holiday hours"],
    "contact": ["联系人", "contact"],
    "phone": ["联系电话", "phone"],
}
REQUIRED = ["name", "region", "address", "latitude", "longitude"]
SERVICE_WORDS = {str(label): key for key, label in Service.choices} | {
    "休息": "rest",
    "饮水": "water",
    "热饭": "heating",
    "充电": "charging",
    "如厕": "toilet",
    "急救": "first_aid",
    "法律咨询": "legal",
    "阅读": "reading",
}
MAX_IMPORT_ROWS = 5000


def _span(text: str) -> list[str] | None:
    text = text.replace("～", "-").replace("~", "-").replace("—", "-").replace("：", ":")
    if not text or text in {"不开放", "关闭", "closed"}:
        return None
    parts = [p.strip() for p in text.split("-")]
    if len(parts) != 2:
        raise ValidationError(_("Write hours as 08:00-20:00."))
    return [dt.time.fromisoformat(p.zfill(5)).strftime("%H:%M") for p in parts]


def stations_import(
    *, actor: Any, organization: Organization, source: IO[bytes], filename: str
) -> int:
    """Import stations for ``organization`` from a spreadsheet: all rows or none; every error names
    its row and column."""
    access.require(actor, MANAGE, organization)
    rows = read_rows(source, filename)
    try:
        _header, mapping, headers, body = find_header(rows, IMPORT_COLUMNS, REQUIRED)
        regions = set(Region.objects.values_list("code", flat=True))
        errors: list[dict[str, str]] = []
        stations: list[Station] = []
        for number, row in body:
            if is_blank(row):
                continue
            if len(stations) >= MAX_IMPORT_ROWS:
                raise ApplicationError(
                    _("At most %(n)d stations at a time.") % {"n": MAX_IMPORT_ROWS}, code="too_many"
                )
            value = {f: cell_text(row[i]) if i < len(row) else "" for f, i in mapping.items()}

            def fail(field: str, message: str, number: int = number) -> None:
                errors.append(
                    {
                        "field": _("row %(row)d, column %(column)s")
                        % {"row": number, "column": headers[mapping[field]]},
                        "error": message,
                    }
                )

            station = Station(organization=organization, is_active=True)
            station.name, station.address = value["name"], value["address"]
            station.contact, station.phone = value.get("contact", ""), value.get("phone", "")
            if value["region"] not in regions:
                fail("region", _("Unknown region code."))
            else:
                station.region_id = value["region"]
            for axis in ("latitude", "longitude"):
                try:
                    setattr(station, axis, Decimal(value[axis]).quantize(Decimal("0.000001")))
                except ArithmeticError:
                    fail(axis, _("Not a number."))
            words = [
                w
                for w in value.get("services", "")
                .replace("，", "、")
                .replace(",", "、")
                .split("、")
                if w
            ]
            unknown = [w for w in words if w not in SERVICE_WORDS and w not in Service.values]
            if unknown:
                fail("services", _("Unknown services: %s") % "、".join(unknown))
            station.services = sorted({SERVICE_WORDS.get(w, w) for w in words} - set(unknown))
            hours: dict[str, list[str]] = {}
            for field, days in (
                ("weekdays", WEEKDAYS[:5]),
                ("weekends", WEEKDAYS[5:]),
                ("holidays", ("holiday",)),
            ):
                if field not in mapping:
                    continue
                try:
                    span = _span(value[field])
                except (ValidationError, ValueError):
                    fail(field, _("Write hours as 08:00-20:00."))
                    continue
                if span:
                    hours.update(dict.fromkeys(days, span))
            station.hours = hours
            try:
                station.full_clean(exclude=["region"] if not station.region_id else None)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    key = field if field in mapping else "name"
                    fail(key, " ".join(messages))
            stations.append(station)
    finally:
        rows.close()
    if errors:
        raise ApplicationError(
            _("The file has errors; nothing was imported."), code="import_errors", details=errors
        )
    with transaction.atomic():
        Station.objects.bulk_create(stations, batch_size=500)
        audit(
            actor=actor,
            action="members.station_import",
            organization=organization,
            details={"stations": len(stations), "file": filename[:100]},
        )
    return len(stations)


def station_feedback_resolve(*, actor: Any, item: StationFeedback) -> StationFeedback:
    """Mark a problem report dealt with (the union that runs the station)."""
    access.require(actor, MANAGE, item.organization)
    with transaction.atomic():
        if item.resolved_at is None:
            item.resolved_at = timezone.now()
            item.save(update_fields=["resolved_at"])
            audit(actor=actor, action="members.station_feedback_resolve", obj=item)
    return item
