"""The reward funds' list is paged on the page and in the API (no list cut silently): the page
through ``core.views.page`` and ``_pagination.html``, ``GET /api/v1/innovation/funds`` by
``page`` with the whole count in ``X-Total-Count``."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.core.ledger.services import fund_create
from gongjiang.innovation import api_funds, views_funds
from gongjiang.innovation.fund_budgets import fund_budget_propose, payment_year

pytestmark = pytest.mark.django_db


def _reward_funds(world: Any, n: int) -> list[Any]:
    funds = []
    for i in range(n):
        fund = fund_create(actor=world.alice, organization=world.enterprise_a, name=f"基金{i}")
        fund_budget_propose(actor=world.alice, fund=fund, year=payment_year(), amount="10.00")
        funds.append(fund)
    return funds


def test_page_lists_every_fund_a_page_at_a_time(client: Any, world: Any, monkeypatch: Any) -> None:
    funds = _reward_funds(world, 3)
    monkeypatch.setattr(views_funds, "FUND_PAGE", 2)
    client.force_login(world.alice)
    first = client.get("/innovation/funds/")
    second = client.get("/innovation/funds/", {"page": 2})
    seen = [r["fund"].code for r in first.context["rows"] + second.context["rows"]]
    assert sorted(seen) == sorted(f.code for f in funds)
    assert len(first.context["rows"]) == 2 and "page=2" in first.content.decode()


def test_api_pages_the_funds_and_tells_the_count(client: Any, world: Any, monkeypatch: Any) -> None:
    funds = _reward_funds(world, 3)
    monkeypatch.setattr(api_funds, "FUND_PAGE", 2)
    client.force_login(world.alice)
    first = client.get("/api/v1/innovation/funds")
    second = client.get("/api/v1/innovation/funds", {"page": 2})
    assert first["X-Total-Count"] == second["X-Total-Count"] == "3"
    seen = [f["code"] for f in first.json() + second.json()]
    assert len(first.json()) == 2 and sorted(seen) == sorted(f.code for f in funds)
    assert client.get("/api/v1/innovation/funds", {"page": 3}).json() == []
    assert client.get("/api/v1/innovation/funds", {"page": 0}).status_code == 422
    client.force_login(world.bob)
    r = client.get("/api/v1/innovation/funds")
    assert r.json() == [] and r["X-Total-Count"] == "0"


def _pages(client: Any, url: str) -> tuple[list[Any], list[Any], str]:
    first, second = client.get(url), client.get(url, {"page": 2})
    assert first.status_code == second.status_code == 200, first.content
    assert first["X-Total-Count"] == second["X-Total-Count"]
    assert client.get(url, {"page": 0}).status_code == 422
    return first.json(), second.json(), first["X-Total-Count"]


def test_award_rounds_studios_and_alliances_api_lists_are_paged(
    client: Any, world: Any, team: Any, monkeypatch: Any
) -> None:
    from gongjiang.innovation import api_awards, api_studios, awards, studios

    from .test_studios import honour, propose

    for year in (2024, 2025, 2026):
        awards.award_round_create(
            actor=world.alice, organization=world.province_a, year=year, title=f"{year}年度创新奖"
        )
    honour(team.workers[0])
    honour(team.workers[1])
    made = [
        propose(world, team, name="李斌劳模创新工作室"),
        propose(world, team, name="王芳工匠创新工作室", leader=team.workers[1], members=[]),
    ]
    for s in made:
        studios.studio_approve(actor=world.alice, studio=s)
    for name in ("联盟甲", "联盟乙"):
        studios.alliance_create(
            actor=world.alice, organization=world.province_a, name=name, studios=made
        )
    monkeypatch.setattr(api_awards, "ROUND_PAGE", 2)
    monkeypatch.setattr(api_studios, "STUDIO_PAGE", 1)
    client.force_login(world.alice)
    first, second, total = _pages(client, "/api/v1/innovation/awards")
    assert total == "3" and [r["year"] for r in first + second] == [2026, 2025, 2024]
    first, second, total = _pages(client, "/api/v1/innovation/studios")
    assert total == "2" and len(first) == len(second) == 1
    assert {s["code"] for s in first + second} == {s.code for s in made}
    first, second, total = _pages(client, "/api/v1/innovation/alliances")
    assert total == "2" and len(first) == len(second) == 1
    assert {a["name"] for a in first + second} == {"联盟甲", "联盟乙"}
    client.force_login(world.bob)  # province B: nothing of these, the count says 0
    for url in ("/api/v1/innovation/studios", "/api/v1/innovation/alliances"):
        r = client.get(url)
        assert r.json() == [] and r["X-Total-Count"] == "0"
