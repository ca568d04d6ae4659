"""Rates per category: the contract endpoint keeps its shape with an optional ``category=``; a
separate endpoint breaks the rates down by category; the dashboard filters by category and shows
each category's rates with its median days to reply. Scoped: out of scope 404."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.congress import rates
from gongjiang.congress import services_proposals as P
from gongjiang.congress.models_proposals import Category, Proposal

from ..access_helpers import check_access
from .helpers import assigned, replied, submitted

pytestmark = pytest.mark.django_db

CONTRACT = {
    "submitted",
    "accepted",
    "replied",
    "closed",
    "rated",
    "satisfied",
    "acceptance_rate",
    "reply_rate",
    "closure_rate",
    "satisfaction_rate",
    "median_reply_days",
}


@pytest.fixture
def mixed(congress: Any) -> Any:
    a = replied(congress, 0, title="工资一", category="wages")
    P.proposal_rate(actor=congress.users[0], proposal=a, rating="satisfied")
    P.proposal_close(actor=congress.committee, proposal=a)
    assigned(congress, 1, title="工资二", category="wages")
    submitted(congress, 2, title="安全一", category="safety")
    b = replied(congress, 3, title="安全二", category="safety")
    P.proposal_rate(actor=congress.users[3], proposal=b, rating="basic")
    return congress


def test_the_contract_with_a_category(client: Any, world: Any, mixed: Any) -> None:
    base = f"/api/v1/congress/proposal-rates?organization={world.enterprise_a.code}"
    r = check_access(
        client, url=f"{base}&category=wages", in_scope=world.alice, out_of_scope=world.bob
    )
    body = r.json()
    assert set(body) == CONTRACT
    assert (body["submitted"], body["accepted"], body["replied"], body["closed"]) == (2, 2, 1, 1)
    assert body["closure_rate"] == 0.5 and body["satisfaction_rate"] == 1.0
    safety = client.get(f"{base}&category=safety").json()
    assert set(safety) == CONTRACT
    assert (safety["submitted"], safety["accepted"], safety["closed"]) == (2, 1, 0)
    assert safety["acceptance_rate"] == 0.5 and safety["closure_rate"] == 0.0
    # without the filter the contract is unchanged: the whole subtree
    whole = client.get(base).json()
    assert set(whole) == CONTRACT and whole["submitted"] == 4
    # a category with nothing: zero counts, null rates
    empty = client.get(f"{base}&category=training").json()
    assert empty["submitted"] == 0 and empty["acceptance_rate"] is None
    # an unknown category is refused, naming the field
    bad = client.get(f"{base}&category=salary")
    assert bad.status_code == 422 and "category" in bad.content.decode()


def test_rates_by_category(client: Any, world: Any, mixed: Any) -> None:
    url = f"/api/v1/congress/proposal-rates/by-category?organization={world.enterprise_a.code}"
    rows = check_access(client, url=url, in_scope=mixed.committee, out_of_scope=mixed.committee_b)
    rows = rows.json()
    assert [r["category"] for r in rows] == ["wages", "safety"]  # in the order of Category
    for row in rows:
        assert set(row) == CONTRACT | {"category", "label"}
        # each row equals the contract endpoint filtered by its category
        one = client.get(
            f"/api/v1/congress/proposal-rates?organization={world.enterprise_a.code}"
            f"&category={row['category']}"
        ).json()
        assert {k: row[k] for k in CONTRACT} == one
    # a session filter; out of scope and unknown: 404
    r = client.get(f"{url}&session={mixed.session.code}")
    assert r.status_code == 200
    client.force_login(world.bob)
    assert client.get(url).status_code == 404
    client.force_login(world.alice)
    assert client.get(f"{url}&session=nosuchsession").status_code == 404


def test_by_category_equals_a_recount(mixed: Any) -> None:
    qs = Proposal.objects.all()
    rows = {r["category"]: r for r in rates.rates_by_category(qs)}
    for value in Category.values:
        subset = list(qs.filter(category=value))
        if not subset:
            assert value not in rows
            continue
        accepted = [p for p in subset if p.status in Proposal.ACCEPTED_STATES]
        assert rows[value]["submitted"] == sum(p.status != "draft" for p in subset)
        assert rows[value]["accepted"] == len(accepted)
        assert rows[value]["closed"] == sum(p.status == "closed" for p in subset)
        assert (
            rows[value]["median_reply_days"]
            == rates.rates(qs.filter(category=value))["median_reply_days"]
        )


def test_the_dashboard_by_category(client: Any, world: Any, mixed: Any) -> None:
    client.force_login(mixed.committee)
    page = client.get("/congress/proposals/rates/").content.decode()
    assert 'data-category="wages"' in page and 'data-category="safety"' in page
    assert 'id="rates-category"' in page
    # filtered: the totals are the category's, and every click-through carries it
    page = client.get("/congress/proposals/rates/?category=safety").content.decode()
    assert 'data-category="wages"' not in page
    assert "status=submitted&amp;category=safety" in page
    listed = client.get("/congress/proposals/?status=submitted&category=safety").content.decode()
    assert "安全一" in listed and "工资一" not in listed
    page = client.get("/congress/proposals/rates/?category=nonsense").content.decode()
    assert "alert-danger" in page or "alert" in page
    # out of scope: another enterprise's committee sees none of these proposals
    client.force_login(mixed.committee_b)
    page = client.get("/congress/proposals/rates/").content.decode()
    assert 'data-category="wages"' not in page
