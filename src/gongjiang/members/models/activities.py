"""Activities (文体活动, training sessions, visits) with capacity, a waiting list and QR check-in."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.filecrypt import private_file_storage
from gongjiang.core.scoping import ScopedQuerySet


class Activity(models.Model):
    class Kind(models.TextChoices):
        SPORTS = "sports", _("sports and culture")
        TRAINING = "training", _("training session")
        VISIT = "visit", _("visit")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="member_activities",
        verbose_name=_("organiser"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SPORTS)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    # kept on the row under the row lock of every sign-up: the count of confirmed places
    confirmed = models.PositiveIntegerField(default=0, editable=False)
    checkin_secret = models.CharField(max_length=20, default=new_code, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed__lte=models.F("capacity")),
                name="members_activity_not_overbooked",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An activity ends after it starts.")})
        if self.capacity is not None and self.capacity < self.confirmed:
            raise ValidationError({"capacity": _("More people have places than that.")})

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


class ActivitySignup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("place confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    signed_up_at = models.DateTimeField(auto_now_add=True)
    # the order of the waiting list: the sign-up's sequence number within the activity
    sequence = models.PositiveIntegerField(default=0)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    SCOPE_PATH = "activity__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="members_signup_once")
        ]
        indexes = [models.Index(fields=["activity", "status", "sequence"], name="members_signup_q")]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.user_id} · {self.status}"


class ActivityFeedback(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "activity__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], name="members_activity_feedback_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.stars}"


class ActivityPhoto(models.Model):
    """A photo of an activity, re-encoded on upload (JPEG, at most ``MAX_SIDE`` pixels a side, no
    EXIF: the place a phone recorded is not published), stored encrypted at rest. Served only to those
    the activity is offered to, through the app's view — never from a public media URL."""

    MAX_SIDE = 1600

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        upload_to="members/photos/%Y/%m/", storage=private_file_storage, max_length=200
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATH = "activity__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.code}"
