"""The careers forms name an organisation by its code (issue #17), no longer by a select list of
the first 200/300 in scope: any organisation in scope is accepted, also one past the old 200th;
an organisation out of scope is refused with the same 404 as a code that does not exist."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from gongjiang.careers.models_honours import HonourRound
from gongjiang.careers.models_programmes import Programme, ProgrammePlaces

from ..factories import OrganizationFactory
from .programme_helpers import make_programme

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    """The page without what differs on every answer (the CSP nonce, the masked CSRF token)."""
    text = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def _round(org: str) -> dict[str, str]:
    return {
        "organization": org,
        "title": "评选",
        "honour_title": "五一劳动奖章",
        "honour_level": "city",
        "year": "2026",
        "places": "5",
        "notice_days": "5",
    }


def test_round_organiser_past_the_old_200th_is_accepted(client: Any, world: Any) -> None:
    cities = [
        OrganizationFactory(parent=world.province_a, name=f"市{i:03}", kind="city", region="320100")
        for i in range(201)
    ]
    last = cities[-1]  # after the 200 the select list showed (ordered by path)
    client.force_login(world.alice)
    page = client.get(reverse("careers:honours")).content.decode()
    assert '<select class="form-select" id="r-org"' not in page
    assert 'id="r-org" name="organization"' in page and 'list="r-org-suggestions"' in page
    r = client.post(reverse("careers:honour_round_create"), _round(last.code))
    assert r.status_code == 302
    assert HonourRound.objects.get(organization=last).title == "评选"


def test_out_of_scope_and_unknown_are_the_same_404(client: Any, world: Any) -> None:
    p = make_programme(world)
    client.force_login(world.alice)
    posts = [
        (reverse("careers:honour_round_create"), "organization", _round),
        (
            reverse("careers:programme_create"),
            "organization",
            lambda code: {
                "organization": code,
                "title": "金蓝领",
                "kind": "gold_collar",
                "year": "2026",
                "budget": "1000",
            },
        ),
        (
            reverse("careers:programme_manage", args=[p.code]),
            "unit",
            lambda code: {"what": "places", "unit": code, "places": "3"},
        ),
        (
            reverse("careers:apprentice_institution_create"),
            "organization",
            lambda code: {"organization": code, "name": "技师学院", "kind": "technical"},
        ),
        (
            reverse("careers:apprentice_pilot_create"),
            "enterprise",
            lambda code: {"enterprise": code, "since": "2025-01-01"},
        ),
    ]
    for url, _field, data in posts:
        outside = client.post(url, data(world.enterprise_b.code))
        unknown = client.post(url, data("NO-SUCH-ORG"))
        too_long = client.post(url, data(world.city_a.code + "X" * 30))  # never cut to a match
        assert outside.status_code == unknown.status_code == too_long.status_code == 404, url
        assert world.enterprise_b.name not in outside.content.decode()
        assert _text(outside) == _text(unknown), url  # the same page, nonce aside
    assert not HonourRound.objects.exists()
    assert Programme.objects.count() == 1
    assert not ProgrammePlaces.objects.filter(organization=world.enterprise_b).exists()
    # in scope, the same forms go through
    r = client.post(
        reverse("careers:programme_manage", args=[p.code]),
        {"what": "places", "unit": world.city_a.code, "places": "3"},
    )
    assert r.status_code == 302
    assert ProgrammePlaces.objects.get(programme=p, organization=world.city_a).places == 3


def test_rules_page_picks_the_organisation_by_code(client: Any, world: Any) -> None:
    url = reverse("careers:apprentice_rules")
    client.force_login(world.alice)
    page = client.get(url, {"organization": world.city_a.code})
    assert page.status_code == 200 and 'id="ru-org"' in page.content.decode()
    assert f'value="{world.city_a.code}"' in page.content.decode()
    assert client.get(url, {"organization": world.enterprise_b.code}).status_code == 404
    assert client.get(url, {"organization": "NO-SUCH-ORG"}).status_code == 404
