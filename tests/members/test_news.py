"""News and notices: scheduled publishing, the audience, the public, read counts once per person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gongjiang.members import news

from ..access_helpers import check_access


def test_scheduled_audience_public_and_read_counts(client: Any, ms: Any, world: Any) -> None:
    now = timezone.now()
    city = news.article_publish(
        actor=world.alice, organization=world.city_a, title="南京市总工会春送岗位", body="正文"
    )
    later = news.article_publish(
        actor=world.alice,
        organization=world.city_a,
        title="明日发布",
        body="x",
        publish_at=now + dt.timedelta(days=1),
    )
    public = news.article_publish(
        actor=world.bob,
        organization=world.province_b,
        title="浙江省总面向社会公告",
        body="x",
        is_public=True,
    )
    zj_only = news.article_publish(
        actor=world.bob,
        organization=world.province_b,
        title="浙江内部通知",
        body="x",
        kind="notice",
    )
    with pytest.raises(PermissionDenied):
        news.article_publish(
            actor=world.worker_a, organization=world.enterprise_a, title="x", body="x"
        )
    feed = list(news.feed(actor=world.worker_a))
    assert city in feed and public in feed and later not in feed and zj_only not in feed
    with pytest.raises(Http404):
        news.article_get(actor=world.worker_a, code=later.code)
    assert (
        news.article_get(actor=world.alice, code=later.code) == later
    )  # its publisher previews it
    assert news.article_read(actor=world.worker_a, article=city) is True
    assert news.article_read(actor=world.worker_a, article=city) is False  # once a person
    news.article_read(actor=world.enterprise_officer_a, article=city)
    assert news.articles_managed(actor=world.alice).get(pk=city.pk).readers == 2
    assert not news.articles_managed(actor=world.bob).filter(pk=city.pk).exists()

    check_access(
        client, url=reverse("members:news_list"), in_scope=world.worker_a, out_of_scope=None
    )
    r = check_access(
        client,
        url=reverse("members:news_detail", args=[city.code]),
        in_scope=world.worker_a,
        out_of_scope=ms.worker_b,
    )
    assert "春送岗位" in r.content.decode()
    check_access(
        client,
        url=reverse("members:news_detail", args=[later.code]),
        in_scope=world.alice,
        out_of_scope=world.worker_a,
    )
    check_access(
        client, url=reverse("members:news_manage"), in_scope=world.alice, out_of_scope=None
    )
    data = {
        "organization": world.city_a.code,
        "kind": "news",
        "title": "表彰大会",
        "body": "内容",
        "publish_at": timezone.localtime(now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    check_access(
        client,
        url=reverse("members:news_manage"),
        method="post",
        data=data,
        in_scope=world.alice,
        out_of_scope=world.bob,
        ok=302,
    )
    assert news.articles_managed(actor=world.alice).filter(title="表彰大会").exists()
    r = check_access(client, url="/api/v1/members/news", in_scope=world.worker_a, out_of_scope=None)
    assert {a["title"] for a in r.json()} == {"南京市总工会春送岗位", "浙江省总面向社会公告"}
    client.force_login(world.worker_a)
    assert (
        "春送岗位" in client.get(reverse("members:home")).content.decode()
    )  # the feed on the home
