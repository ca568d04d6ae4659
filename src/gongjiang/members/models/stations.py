"""工惠驿站 service stations: a directory per region, check-ins by QR, ratings and problem reports."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet


class Service(models.TextChoices):
    REST = "rest", _("rest")
    WATER = "water", _("drinking water")
    HEATING = "heating", _("heating food")
    CHARGING = "charging", _("charging")
    TOILET = "toilet", _("toilets")
    FIRST_AID = "first_aid", _("first aid")
    LEGAL = "legal", _("legal advice")
    READING = "reading", _("reading corner")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def validate_hours(value: object) -> None:
    """``{"mon": ["08:00", "20:00"], …, "holiday": ["09:00", "17:00"]}``; a missing day is closed."""
    if not isinstance(value, dict):
        raise ValidationError(_("Opening hours must be a table of days."))
    for day, span in value.items():
        if day not in (*WEEKDAYS, "holiday"):
            raise ValidationError(_("Unknown day %(day)s.") % {"day": day})
        if not (isinstance(span, list) and len(span) == 2):
            raise ValidationError(_("Each day needs an opening and a closing time."))
        try:
            start, end = (dt.time.fromisoformat(str(t)) for t in span)
        except ValueError as exc:
            raise ValidationError(_("Times are written as HH:MM.")) from exc
        if start >= end:
            raise ValidationError(_("A station closes after it opens."))


class Station(models.Model):
    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="member_stations",
        verbose_name=_("union"),
    )
    name = models.CharField(_("station name"), max_length=120)
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    services = models.JSONField(_("services"), default=list, blank=True)
    hours = models.JSONField(
        _("opening hours"), default=dict, blank=True, validators=[validate_hours]
    )
    contact = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("in service"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        indexes = [models.Index(fields=["latitude", "longitude"], name="members_station_geo")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.services or []) - set(Service.values)
        if unknown:
            raise ValidationError(
                {"services": _("Unknown services: %s") % "、".join(sorted(unknown))}
            )

    def span_on(self, day: dt.date, holiday: bool) -> tuple[dt.time, dt.time] | None:
        key = "holiday" if holiday else WEEKDAYS[day.weekday()]
        span = (self.hours or {}).get(key)
        if not span:
            return None
        return dt.time.fromisoformat(span[0]), dt.time.fromisoformat(span[1])

    def is_open_at(self, when: dt.datetime, holiday: bool) -> bool:
        span = self.span_on(when.date(), holiday)
        return span is not None and span[0] <= when.time() < span[1]

    def service_labels(self) -> list[str]:
        labels = dict(Service.choices)
        return [str(labels[s]) for s in self.services or [] if s in labels]


class StationCheckIn(models.Model):
    """One worker's visit, by scanning the station's QR code: at most one per station and day."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="checkins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("date"))
    at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "station__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "user", "day"], name="members_checkin_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["station", "day"], name="members_checkin_day")]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.user_id} · {self.day}"


class StationFeedback(models.Model):
    """A rating or a problem report, routed to the union that runs the station."""

    class Kind(models.TextChoices):
        RATING = "rating", _("rating")
        PROBLEM = "problem", _("problem report")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="feedback")
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("union")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    stars = models.PositiveSmallIntegerField(
        _("stars"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.CharField(_("text"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("station feedback")
        verbose_name_plural = _("station feedback")

    def __str__(self) -> str:
        return f"{self.station_id} · {self.kind}"

    def clean(self) -> None:
        if self.kind == self.Kind.RATING and not self.stars:
            raise ValidationError({"stars": _("Give one to five stars.")})
        if self.kind == self.Kind.PROBLEM and not self.text:
            raise ValidationError({"text": _("Describe the problem.")})
