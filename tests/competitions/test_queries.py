"""Lists and dashboards read in a constant number of queries, however many entrants there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongjiang.competitions import results

from .factories import assign_judges, confirmed_entry, make_worker, score_entry

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_do_not_grow_with_entrants(client, world, comp, workers):
    c, stage, trade = comp["competition"], comp["stages"][0], comp["trade"]
    assign_judges(world.alice, stage, comp["criteria"], comp["judges"])
    urls = [
        reverse("competitions:entries", args=[c.code]),
        reverse("competitions:analytics", args=[c.code]),
        reverse("competitions:stage_results", args=[c.code, stage.code]),
        reverse("competitions:public_results", args=[c.code]),
        reverse("competitions:detail", args=[c.code]),
    ]

    def add(n):
        stage.published_at = None  # check in, mark, recompute, then show on the public page again
        stage.save()
        for w in [make_worker(world.alice, world.enterprise_a) for _ in range(n)]:
            score_entry(confirmed_entry(world.alice, stage, trade, w, theory=80), comp["judges"], 2)
        results.results_compute(actor=world.alice, stage=stage, trade=trade)
        stage.published_at = timezone.now()
        stage.save()

    add(2)
    client.force_login(world.alice)
    client.get(urls[0])  # the first request of a session marks it active (one extra write)
    small = [_count(client, u) for u in urls]
    add(5)
    client.force_login(world.alice)
    client.get(urls[0])
    assert [_count(client, u) for u in urls] == small
