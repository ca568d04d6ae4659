"""Photos of activities: images only, size and pixel limits, re-encoded (no metadata, nothing
appended survives), served to the activity's audience only; attendance per union."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongjiang.core.errors import ApplicationError
from gongjiang.members import activities, photos
from gongjiang.members.models import ActivityFeedback, ActivityPhoto, ActivitySignup

from ..access_helpers import check_access
from ..factories import UserFactory, member


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), exif: bool = False) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {1: "N", 2: (32.0, 2.0, 30.0)}  # GPS info
        img.save(out, fmt, exif=data)
    else:
        img.save(out, fmt)
    return out.getvalue()


def upload(data: bytes, name: str = "p.png", ctype: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=ctype)


def test_a_photo_is_re_encoded_and_served_to_the_audience_only(
    client: Any, ms: Any, world: Any, media: Any
) -> None:
    a = ms.activity
    jpeg = image_bytes("JPEG", (2400, 1200), exif=True) + b"<script>alert(1)</script>"
    photo = photos.photo_add(
        actor=world.enterprise_officer_a, activity=a, file=upload(jpeg, "x.jpg"), caption="开幕式"
    )
    assert (photo.width, photo.height) == (1600, 800)  # at most MAX_SIDE a side
    stored = photo.image.read()
    assert stored[:3] == b"\xff\xd8\xff" and b"<script>" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()  # no make, no GPS
    url = reverse("members:activity_photo", args=[a.code, photo.code])
    response = check_access(client, url=url, in_scope=world.worker_a, out_of_scope=ms.worker_b)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored
    page = client.get(reverse("members:activity_detail", args=[a.code])).content.decode()
    assert url in page and "开幕式" in page
    assert 'id="photo-form"' not in page  # a worker does not upload
    # a code of another activity's photo through this activity: 404
    other = activities.activity_create(
        actor=world.alice,
        organization=world.city_a,
        title="参观",
        place="博物馆",
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        capacity=5,
    )
    assert (
        client.get(reverse("members:activity_photo", args=[other.code, photo.code])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"GIF89a" + b"\x00" * 64, "a.gif", "invalid_image"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "a.svg",
            "invalid_image",
        ),
        (b"<html><script>alert(1)</script></html>", "a.jpg", "invalid_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "broken.png", "invalid_image"),
        (b"", "empty.png", "empty"),
    ],
)
def test_what_is_not_a_photo_is_refused(
    ms: Any, world: Any, media: Any, data: bytes, name: str, code: str
) -> None:
    if name == "a.gif":
        data = image_bytes("GIF")
    with pytest.raises(ApplicationError) as exc:
        photos.photo_add(
            actor=world.enterprise_officer_a, activity=ms.activity, file=upload(data, name)
        )
    assert exc.value.code == code
    assert exc.value.details[0]["field"] == "image"
    assert not ActivityPhoto.objects.exists()
    assert not list(media.rglob("*.jpg"))  # nothing half-written


def test_limits_and_who_may_upload(ms: Any, world: Any, settings: Any, monkeypatch: Any) -> None:
    a = ms.activity
    settings.MEMBERS_PHOTO_MAX_BYTES = 1024
    with pytest.raises(ApplicationError) as exc:
        photos.photo_add(
            actor=world.enterprise_officer_a,
            activity=a,
            file=upload(image_bytes("PNG", (400, 400)) + b"\x00" * 2048),
        )
    assert exc.value.code == "too_large"
    settings.MEMBERS_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    settings.MEMBERS_PHOTO_MAX_PIXELS = 100 * 100
    with pytest.raises(ApplicationError) as exc:
        photos.photo_add(
            actor=world.enterprise_officer_a,
            activity=a,
            file=upload(image_bytes("PNG", (200, 100))),
        )
    assert exc.value.code == "too_many_pixels"
    settings.MEMBERS_PHOTO_MAX_PIXELS = 40_000_000
    with pytest.raises(PermissionDenied):
        photos.photo_add(actor=world.worker_a, activity=a, file=upload(image_bytes()))
    with pytest.raises(ApplicationError) as exc:
        photos.photo_add(
            actor=world.enterprise_officer_a,
            activity=a,
            file=upload(image_bytes()),
            caption="x" * 201,
        )
    assert exc.value.details[0]["field"] == "caption"
    monkeypatch.setattr(photos, "MAX_PER_ACTIVITY", 2)
    for _ in range(2):
        photos.photo_add(
            actor=world.enterprise_officer_a, activity=a, file=upload(image_bytes("WEBP"), "a.webp")
        )
    with pytest.raises(ApplicationError) as exc:
        photos.photo_add(actor=world.enterprise_officer_a, activity=a, file=upload(image_bytes()))
    assert exc.value.code == "too_many_photos"
    assert ActivityPhoto.objects.filter(activity=a).count() == 2


def test_upload_and_remove_on_the_page(
    client: Any, ms: Any, world: Any, media: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a = ms.activity
    add = reverse("members:activity_photo_add", args=[a.code])
    # out of scope: the activity is not offered to worker B → 404; a worker in scope → 403
    client.force_login(ms.worker_b)
    assert client.post(add, {"image": upload(image_bytes())}).status_code == 404
    client.force_login(world.worker_a)
    assert client.post(add, {"image": upload(image_bytes())}).status_code == 403
    client.force_login(world.enterprise_officer_a)
    response = client.post(add, {"image": upload(b"not an image", "x.png")}, follow=True)
    assert (
        "JPEG, PNG or WebP" in response.content.decode() or "JPEG、PNG" in response.content.decode()
    )
    assert not ActivityPhoto.objects.exists()
    response = client.post(add, {"image": upload(image_bytes()), "caption": "合影"})
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    path = media / photo.image.name
    assert path.exists()
    remove = reverse("members:activity_photo_remove", args=[a.code, photo.code])
    client.force_login(world.worker_a)
    assert client.post(remove).status_code == 403
    client.force_login(world.bob)
    assert client.post(remove).status_code == 404
    client.force_login(world.enterprise_officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remove).status_code == 302
    assert not ActivityPhoto.objects.exists() and not path.exists()


def test_attendance_per_union(ms: Any, world: Any) -> None:
    a = ms.activity  # enterprise A, capacity 2
    people = [world.worker_a]
    for i in range(2):
        u = UserFactory(username=f"att{i}")
        member(u, world.enterprise_a, "worker")
        people.append(u)
    for u in people:
        activities.activity_signup(actor=u, activity=a)  # the third waits
    ActivitySignup.objects.filter(activity=a, user=world.worker_a).update(checked_in_at=a.starts_at)
    ActivityFeedback.objects.create(activity=a, user=world.worker_a, stars=4)
    city = activities.activity_create(
        actor=world.alice,
        organization=world.city_a,
        title="城市徒步",
        place="玄武湖",
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        capacity=10,
    )
    activities.activity_signup(actor=people[1], activity=city)
    rows = {r["union"]: r for r in activities.attendance_by_union(actor=world.alice)}
    ent = rows[world.enterprise_a.name]
    assert (ent["activities"], ent["signed"], ent["attended"], ent["rate"]) == (1, 2, 1, 50)
    assert (ent["feedback"], ent["rating"]) == (1, 4.0)
    assert rows[world.city_a.name]["signed"] == 1 and rows[world.city_a.name]["attended"] == 0
    # the enterprise's officer sees their union only; province B sees nothing of province A
    mine = activities.attendance_by_union(actor=world.enterprise_officer_a)
    assert [r["union"] for r in mine] == [world.enterprise_a.name]
    assert activities.attendance_by_union(actor=world.bob) == []
