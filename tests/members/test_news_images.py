"""Images in news articles: added by the article's union editors through the platform's image check,
stored encrypted without metadata, served exactly to those who may read the article (the subtree of
a subtree article, everyone — signed in or not — for a public one, only its editors for one not yet
published), shown in the article and the feed."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongjiang.core.errors import ApplicationError
from gongjiang.members import news
from gongjiang.members.models import ArticleImage

from ..access_helpers import check_access
from ..core.test_images import exif, png_header_only


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg(size: tuple[int, int] = (800, 600), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 200)).save(out, "JPEG", **save)
    return out.getvalue()


def upload(data: bytes, name: str = "a.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def articles(world: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "city": news.article_publish(
            actor=world.alice, organization=world.city_a, title="劳模表彰", body="正文"
        ),
        "public": news.article_publish(
            actor=world.bob,
            organization=world.province_b,
            title="面向社会公告",
            body="x",
            is_public=True,
        ),
        "inside_b": news.article_publish(
            actor=world.bob, organization=world.province_b, title="浙江内部通知", body="x"
        ),
        "later": news.article_publish(
            actor=world.alice,
            organization=world.city_a,
            title="明日发布",
            body="x",
            publish_at=now + dt.timedelta(days=1),
        ),
    }


def test_an_image_is_checked_stored_encrypted_and_served_like_its_article(
    client: Any, ms: Any, world: Any, articles: dict[str, Any], media: Any
) -> None:
    city = articles["city"]
    raw = jpeg((3200, 1600), exif=exif()) + b"<script>alert(1)</script>"
    image = news.article_image_add(
        actor=world.alice, article=city, file=upload(raw), caption="颁奖现场"
    )
    assert (image.width, image.height) == (1600, 800) and image.content_type == "image/jpeg"
    stored = image.image.open("rb").read()
    assert stored[:3] == b"\xff\xd8\xff" and b"<script>" not in stored
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()
    on_disk = next(media.rglob(f"{image.code}.jpg")).read_bytes()
    assert not on_disk.startswith(b"\xff\xd8\xff")  # encrypted at rest
    url = reverse("members:news_image", args=[city.code, image.code])
    response = check_access(client, url=url, in_scope=world.worker_a, out_of_scope=ms.worker_b)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored
    client.force_login(world.worker_a)
    page = client.get(reverse("members:news_detail", args=[city.code])).content.decode()
    assert url in page and "颁奖现场" in page and 'id="image-form"' not in page
    assert url in client.get(reverse("members:news_list")).content.decode()  # the feed
    assert url in client.get(reverse("members:home")).content.decode()  # the home's feed
    feed = client.get("/api/v1/members/news").json()
    assert next(a for a in feed if a["code"] == city.code)["images"][0]["url"] == url
    # an image's code through another article: 404
    other = news.article_publish(actor=world.alice, organization=world.city_a, title="y", body="y")
    assert (
        client.get(reverse("members:news_image", args=[other.code, image.code])).status_code == 404
    )


def test_public_subtree_and_scheduled_articles(
    client: Any, ms: Any, world: Any, articles: dict[str, Any]
) -> None:
    public = news.article_image_add(
        actor=world.bob, article=articles["public"], file=upload(jpeg())
    )
    inside = news.article_image_add(
        actor=world.bob, article=articles["inside_b"], file=upload(jpeg())
    )
    later = news.article_image_add(
        actor=world.alice, article=articles["later"], file=upload(jpeg())
    )

    def status(user: Any, article: str, image: Any) -> int:
        client.force_login(user)
        url = reverse("members:news_image", args=[articles[article].code, image.code])
        return client.get(url).status_code

    assert status(world.worker_a, "public", public) == 200  # a public article: every member
    assert status(world.worker_a, "inside_b", inside) == 404  # province B's own: not in A
    assert status(ms.worker_b, "inside_b", inside) == 200
    assert status(world.worker_a, "later", later) == 404  # not yet published
    assert status(world.alice, "later", later) == 200  # its publisher previews it
    # without signing in: a public article and its pictures are for everyone; any other article
    # sends to the login, and shows nothing of itself
    client.logout()
    url = reverse("members:news_image", args=[articles["public"].code, public.code])
    assert client.get(url).status_code == 200
    page = client.get(reverse("members:news_detail", args=[articles["public"].code]))
    assert page.status_code == 200 and url in page.content.decode()
    assert 'id="image-form"' not in page.content.decode()
    for name, image in (("inside_b", inside), ("later", later)):
        for target in (
            reverse("members:news_detail", args=[articles[name].code]),
            reverse("members:news_image", args=[articles[name].code, image.code]),
        ):
            r = client.get(target)
            assert r.status_code == 302 and r["Location"].startswith("/login/"), target
    assert not news.articles_managed(actor=world.bob).get(pk=articles["public"].pk).readers


def test_only_the_articles_editors_add_and_remove(
    client: Any, ms: Any, world: Any, articles: dict[str, Any]
) -> None:
    city = articles["city"]
    for user in (world.worker_a, world.bob, world.enterprise_officer_a):
        with pytest.raises(PermissionDenied):
            news.article_image_add(actor=user, article=city, file=upload(jpeg()))
    add = reverse("members:news_image_add", args=[city.code])
    client.force_login(ms.worker_b)  # cannot read the article: 404, not 403
    assert client.post(add, {"image": upload(jpeg())}).status_code == 404
    client.force_login(world.worker_a)
    assert client.post(add, {"image": upload(jpeg())}).status_code == 403
    client.force_login(world.alice)
    assert client.post(add, {"image": upload(jpeg()), "caption": "合影"}).status_code == 302
    image = ArticleImage.objects.get(article=city)
    assert image.caption == "合影"
    page = client.get(reverse("members:news_detail", args=[city.code])).content.decode()
    assert 'id="image-form"' in page
    remove = reverse("members:news_image_remove", args=[city.code, image.code])
    client.force_login(world.worker_a)
    assert client.post(remove).status_code == 403
    client.force_login(world.bob)
    assert client.post(remove).status_code == 404
    client.force_login(world.alice)
    assert client.post(remove).status_code == 302
    assert not ArticleImage.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "invalid_image"),
        (b"<html><script>alert(1)</script></html>", "invalid_image"),
        (b"\xff\xd8\xff" + b"not a jpeg", "invalid_image"),
        (png_header_only(30_000, 30_000), "too_many_pixels"),
        (b"", "empty"),
    ],
)
def test_hostile_uploads_are_refused_and_nothing_is_written(
    world: Any, articles: dict[str, Any], media: Any, data: bytes, code: str
) -> None:
    with pytest.raises(ApplicationError) as exc:
        news.article_image_add(actor=world.alice, article=articles["city"], file=upload(data))
    assert exc.value.code == code and exc.value.details[0]["field"] == "image"
    assert not ArticleImage.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_limits_and_the_api(
    client: Any, world: Any, articles: dict[str, Any], monkeypatch: Any
) -> None:
    city = articles["city"]
    monkeypatch.setattr(news, "MAX_IMAGES", 1)
    news.article_image_add(actor=world.alice, article=city, file=upload(jpeg()))
    with pytest.raises(ApplicationError) as exc:
        news.article_image_add(actor=world.alice, article=city, file=upload(jpeg()))
    assert exc.value.code == "too_many_images"
    with pytest.raises(ApplicationError) as exc:
        news.article_image_add(
            actor=world.alice, article=articles["later"], file=upload(jpeg()), caption="x" * 201
        )
    assert exc.value.details[0]["field"] == "caption"
    monkeypatch.setattr(news, "MAX_IMAGES", 10)
    url = f"/api/v1/members/news/{city.code}/images"
    client.force_login(world.alice)
    r = client.post(url, {"file": upload(jpeg((100, 80)), "x.jpg"), "caption": "现场"})
    assert r.status_code == 201, r.content
    assert r.json()["width"] == 100 and r.json()["url"].endswith(f"/{r.json()['code']}/")
    r = client.post(url, {"file": upload(b"<svg onload=alert(1)>", "x.jpg")})
    assert r.status_code == 422 and r.json()["code"] == "invalid_image"
    client.force_login(world.bob)
    assert client.post(url, {"file": upload(jpeg())}).status_code == 404
    client.force_login(world.worker_a)
    assert client.post(url, {"file": upload(jpeg())}).status_code == 403
