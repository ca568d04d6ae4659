"""Photos of activities: checked and re-encoded on upload, served to the activity's audience only.

The checks are the platform's one image check (``core.images.image_check``): at most
``MEMBERS_PHOTO_MAX_BYTES`` (default 5 MB, never more than ``MAX_UPLOAD_SIZE``), a JPEG, PNG or WebP
told by content that Pillow decodes completely, at most ``MEMBERS_PHOTO_MAX_PIXELS`` (default 40
megapixels, checked before decoding); here also at most ``MAX_PER_ACTIVITY`` photos an activity.
What is stored is a fresh JPEG drawn from the decoded pixels — nothing of the uploaded bytes
(metadata, a script appended to the file, a second format hidden in it) survives."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.actors import audit, user_or_none
from gongjiang.core.errors import ApplicationError
from gongjiang.core.images import image_check

from .models import Activity, ActivityPhoto

MANAGE = "members.manage_activity"
MAX_PER_ACTIVITY = 30


def max_bytes() -> int:
    limit = int(getattr(settings, "MEMBERS_PHOTO_MAX_BYTES", 5 * 1024 * 1024))
    return min(limit, settings.MAX_UPLOAD_SIZE)


def max_pixels() -> int:
    return int(getattr(settings, "MEMBERS_PHOTO_MAX_PIXELS", 40_000_000))


def image_checked(file: Any) -> tuple[bytes, int, int]:
    """The uploaded photo through the platform's image check (core.images), stored as a JPEG of at
    most MAX_SIDE a side; refuses anything else with an error naming the field."""
    checked = image_check(
        file,
        field="image",
        max_bytes=max_bytes(),
        max_pixels=max_pixels(),
        max_side=ActivityPhoto.MAX_SIDE,
        output="JPEG",
    )
    return checked.data, checked.width, checked.height


def photos_of(*, activity: Activity) -> QuerySet[ActivityPhoto]:
    """The photos of an activity already fetched through ``activity_get`` (its audience)."""
    return ActivityPhoto.objects.filter(activity=activity).order_by("created_at", "id")


def photo_get(*, activity: Activity, code: str) -> ActivityPhoto:
    photo = photos_of(activity=activity).filter(code=code[:20]).first()
    if photo is None:
        raise Http404("photo")
    return photo


def photo_add(*, actor: Any, activity: Activity, file: Any, caption: str = "") -> ActivityPhoto:
    access.require(actor, MANAGE, activity.organization)
    if len(caption) > 200:
        raise ApplicationError(
            _("A caption is at most 200 characters."),
            code="caption",
            details=[{"field": "caption", "error": _("at most 200 characters")}],
        )
    data, width, height = image_checked(file)
    with transaction.atomic():
        Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if ActivityPhoto.objects.filter(activity=activity).count() >= MAX_PER_ACTIVITY:
            raise ApplicationError(
                _("An activity has at most %(n)d photos.") % {"n": MAX_PER_ACTIVITY},
                code="too_many_photos",
            )
        photo = ActivityPhoto(
            activity=activity,
            caption=caption,
            width=width,
            height=height,
            size=len(data),
            uploaded_by=user_or_none(actor),
        )
        photo.image.save(f"{photo.code}.jpg", ContentFile(data), save=False)
        stored = photo.image.name
        # the file is written before the row: if the transaction fails, remove it again
        try:
            photo.full_clean()
            photo.save()
        except Exception:
            photo.image.storage.delete(stored)
            raise
        audit(
            actor=actor,
            action="members.activity_photo_add",
            obj=activity,
            organization=activity.organization,
            details={"photo": photo.code, "bytes": len(data)},
        )
    return photo


def photo_remove(*, actor: Any, photo: ActivityPhoto) -> None:
    activity = photo.activity
    if not access.can(actor, MANAGE, activity.organization):
        raise PermissionDenied(MANAGE)
    name = photo.image.name
    storage = photo.image.storage
    with transaction.atomic():
        photo.delete()
        audit(
            actor=actor,
            action="members.activity_photo_remove",
            obj=activity,
            organization=activity.organization,
            details={"photo": photo.code},
        )
        transaction.on_commit(lambda: storage.delete(name))
