"""The organiser's pages for composition rules and places, and a worker's disqualifying records:
the same services as the API (audited), 404 outside the scope, every bad value named by its field,
and the list judged against the rules saved on the page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongjiang.careers import honours
from gongjiang.careers.models import CompositionRule, DisqualifyingRecord, HonourQuota
from gongjiang.core.models import AuditEvent

from ..access_helpers import check_access
from .honours_helpers import nominate, run_to_notice

pytestmark = pytest.mark.django_db

API = "/api/v1/careers/honours"


def _rules_post(rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"form": "rules", "rows": str(len(rows))}
    for i, row in enumerate(rows):
        data[f"categories-{i}"] = row.get("categories", [])
        data[f"bound-{i}"] = row.get("bound", "min")
        data[f"percent-{i}"] = row.get("percent", "")
        data[f"source-{i}"] = row.get("source", "")
    return data


def test_settings_page_is_the_organisers_only(client: Any, hon: Any, world: Any) -> None:
    url = f"/careers/honours/{hon.round.code}/settings/"
    response = check_access(client, url=url, in_scope=hon.organiser, out_of_scope=world.bob)
    html = response.content.decode()
    assert "一线职工" in html or "frontline" in html
    assert f'name="places-{world.enterprise_a.code}"' in html
    # the nominating unit sees the round but does not manage it: 404, as for a stranger
    client.force_login(hon.nominator)
    assert client.get(url).status_code == 404
    assert client.post(url, _rules_post([])).status_code == 404


def test_rules_saved_on_the_page_through_the_service(client: Any, hon: Any, world: Any) -> None:
    client.force_login(hon.organiser)
    url = f"/careers/honours/{hon.round.code}/settings/"
    rows = [
        {"categories": ["frontline"], "bound": "min", "percent": "50", "source": "2026年通知"},
        {},  # a blank row is dropped
        {"categories": ["leader", "technician"], "bound": "max", "percent": "30"},
    ]
    response = client.post(url, _rules_post(rows))
    assert response.status_code == 302
    saved = list(CompositionRule.objects.filter(round=hon.round).order_by("id"))
    assert [(r.categories, r.bound, r.percent, r.source) for r in saved] == [
        ("frontline", "min", 50, "2026年通知"),
        ("leader,technician", "max", 30, ""),
    ]
    event = AuditEvent.objects.filter(action="careers.honour_rules_set").latest("id")
    assert event.actor_id == hon.organiser.pk and event.object_code == hon.round.code
    # the bars of the unit follow the new rules at once: one leader is 100 % > 30 %
    nominate(hon, world, hon.workers["leader"][0])
    page = client.get(f"/careers/honours/{hon.round.code}/").content.decode()
    assert page.count("rule-broken") >= 2


def test_bad_rule_names_the_field_and_saves_nothing(client: Any, hon: Any, world: Any) -> None:
    client.force_login(hon.organiser)
    url = f"/careers/honours/{hon.round.code}/settings/"
    before = list(CompositionRule.objects.filter(round=hon.round).values_list("pk", flat=True))
    cases = [
        ({"categories": ["leader"], "bound": "max", "percent": "abc"}, "rules[1].percent"),
        ({"categories": ["leader"], "bound": "max", "percent": "101"}, "rules[1].percent"),
        ({"categories": [], "bound": "max", "percent": "10"}, "rules[1].categories"),
        ({"categories": ["chief"], "bound": "max", "percent": "10"}, "rules[1].categories"),
        ({"categories": ["leader"], "bound": "xx", "percent": "10"}, "rules[1].bound"),
        ({"categories": ["leader"], "bound": "max", "percent": "9" * 30}, "rules[1].percent"),
    ]
    for bad, field in cases:
        good = {"categories": ["frontline"], "bound": "min", "percent": "60"}
        response = client.post(url, _rules_post([good, bad]))
        html = response.content.decode()
        assert response.status_code == 422, bad
        assert f'data-field="{field}"' in html, (bad, html[:300])
        assert "第2条" in html or "Rule 2" in html
        assert 'id="p-1"' in html  # the typed rows are shown again
    after = list(CompositionRule.objects.filter(round=hon.round).values_list("pk", flat=True))
    assert after == before


def test_places_on_the_page(client: Any, hon: Any, world: Any) -> None:
    client.force_login(hon.organiser)
    url = f"/careers/honours/{hon.round.code}/settings/"
    key = f"places-{world.enterprise_a.code}"
    assert client.post(url, {"form": "quotas", key: "3"}).status_code == 302
    assert HonourQuota.objects.get(round=hon.round, organization=world.enterprise_a).places == 3
    assert AuditEvent.objects.filter(
        action="careers.honour_quota_set", actor_id=hon.organiser.pk
    ).exists()
    for bad in ("-1", "x", "100001"):
        response = client.post(url, {"form": "quotas", key: bad})
        assert response.status_code == 422
        html = response.content.decode()
        assert f'data-field="{key}"' in html and world.enterprise_a.name in html
    assert HonourQuota.objects.get(round=hon.round, organization=world.enterprise_a).places == 3
    # a unit outside the organiser's subtree (another province's enterprise) is not offered: 404
    response = client.post(url, {"form": "quotas", f"places-{world.enterprise_b.code}": "2"})
    assert response.status_code == 404
    assert not HonourQuota.objects.filter(round=hon.round, organization=world.enterprise_b).exists()


def test_settings_are_frozen_after_nominations_close(client: Any, hon: Any, world: Any) -> None:
    run_to_notice(hon, world, hon.workers["frontline"][:1])
    client.force_login(hon.organiser)
    url = f"/careers/honours/{hon.round.code}/settings/"
    html = client.get(url).content.decode()
    assert 'id="save-rules"' not in html
    response = client.post(
        url, _rules_post([{"categories": ["leader"], "bound": "max", "percent": "5"}])
    )
    assert response.status_code == 422
    assert not CompositionRule.objects.filter(round=hon.round, percent=5).exists()


def test_records_page(client: Any, hon: Any, world: Any) -> None:
    worker = hon.workers["frontline"][0]
    url = f"/careers/honours/workers/{worker.code}/records/"
    check_access(client, url=url, in_scope=hon.organiser, out_of_scope=world.bob)
    # the find form: the picker's code opens the page; a stranger's worker is 404
    client.force_login(world.bob)
    assert client.get("/careers/honours/records/", {"worker": worker.code}).status_code == 404
    client.force_login(hon.organiser)
    response = client.get("/careers/honours/records/", {"worker": worker.code})
    assert response.status_code == 302 and response["Location"].endswith(url)
    # add: bad values name the field, nothing saved
    for data, field in (
        ({"kind": "sanction", "date": ""}, "date"),
        ({"kind": "sanction", "date": "2025-13-01"}, "date"),
        ({"kind": "nope", "date": "2025-01-01"}, "kind"),
        ({"kind": "sanction", "date": "2025-01-01", "until": "2024-01-01"}, "until"),
    ):
        response = client.post(url, dict(data, form="add"))
        assert response.status_code == 422, data
        assert f'data-field="{field}"' in response.content.decode()
    assert not DisqualifyingRecord.objects.filter(worker=worker).exists()
    response = client.post(
        url, {"form": "add", "kind": "sanction", "date": "2025-01-01", "note": "警告处分"}
    )
    assert response.status_code == 302
    record = DisqualifyingRecord.objects.get(worker=worker)
    assert record.until is None and record.recorded_by_id == hon.organiser.pk
    # the record bars a nomination
    with pytest.raises(honours.ApplicationError):
        nominate(hon, world, worker)
    # ending it in the past frees the worker; audited with the old end
    response = client.post(
        url, {"form": "end", "record": record.code, "until": "2025-06-30", "note": "期满"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.until == dt.date(2025, 6, 30) and record.note == "期满"
    event = AuditEvent.objects.get(action="careers.disqualifying_record_end")
    assert event.actor_id == hon.organiser.pk
    nominate(hon, world, worker)
    response = client.post(url, {"form": "end", "record": record.code, "until": "2024-01-01"})
    assert response.status_code == 422
    assert 'data-field="until"' in response.content.decode()
    # the nominating unit's officer (no honours_manage on the worker? he has it in his enterprise)
    # sees the record page of his own worker, but another province's officer never does
    client.force_login(world.bob)
    response = client.post(url, {"form": "end", "record": record.code, "until": ""})
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.until == dt.date(2025, 6, 30)


def test_records_api(client: Any, hon: Any, world: Any) -> None:
    worker = hon.workers["frontline"][0]
    record = honours.disqualifying_record_add(
        actor=hon.organiser, worker=worker, kind="safety", date=dt.date(2025, 3, 1)
    )
    response = check_access(
        client,
        url=f"{API}/workers/{worker.code}/records",
        in_scope=hon.organiser,
        out_of_scope=world.bob,
    )
    assert [r["code"] for r in response.json()] == [record.code]
    url = f"{API}/records/{record.code}/end"
    response = check_access(
        client,
        url=url,
        method="post",
        data={"until": "2025-12-31"},
        in_scope=hon.organiser,
        out_of_scope=world.bob,
    )
    assert response.json()["until"] == "2025-12-31"
    response = client.post(
        url, data=json.dumps({"until": "2020-01-01"}), content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.json()["details"][0]["field"] == "until"


def test_places_table_pages_its_units(client: Any, hon: Any, world: Any) -> None:
    """Regression (#17): the table showed the first 300 units below the organiser and a save
    refused any other; now 100 a page, and a unit on page 2 takes its places."""
    from ..factories import OrganizationFactory

    for i in range(100):  # with enterprise A and its team: 102 units below the city union
        OrganizationFactory(parent=world.city_a, name=f"区{i:03}", kind="county", region="320102")
    client.force_login(hon.organiser)
    url = f"/careers/honours/{hon.round.code}/settings/"
    first = client.get(url).content.decode()
    second = client.get(url, {"units": 2}).content.decode()
    named = [f'name="places-{c}"' for c in _unit_codes(world)]
    assert len(named) == 102
    assert sum(n in first for n in named) == 100 and sum(n in second for n in named) == 2
    assert 'data-param="units"' in first
    last = next(c for c in _unit_codes(world) if f'name="places-{c}"' in second)
    assert (
        client.post(f"{url}?units=2", {"form": "quotas", f"places-{last}": "2"}).status_code == 302
    )
    assert HonourQuota.objects.get(round=hon.round, organization__code=last).places == 2
    # a unit of another province is still refused (404), also with "?units=2"
    bad = {"form": "quotas", f"places-{world.enterprise_b.code}": "2"}
    assert client.post(f"{url}?units=2", bad).status_code == 404


def _unit_codes(world: Any) -> list[str]:
    from gongjiang.core.models import Organization

    city = world.city_a
    return list(
        Organization.objects.filter(
            path__startswith=city.path, depth__gt=city.depth, depth__lte=city.depth + 2
        ).values_list("code", flat=True)
    )
