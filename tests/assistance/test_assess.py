"""The category calculator: the exact rule at every boundary (Hypothesis over households), the
rounding half up to the fen, the nearest enclosing region's standard, the 422 when none applies,
and a standard that changes."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gongjiang.assistance.assess import Member, categorise, enclosing_regions
from gongjiang.assistance.models import Standard

FEN = Decimal("0.01")

money = st.integers(min_value=0, max_value=5_000_000).map(lambda fen: Decimal(fen) / 100)
standards = st.integers(min_value=1, max_value=300_000).map(lambda fen: Decimal(fen) / 100)
multiples = st.integers(min_value=100, max_value=300).map(lambda c: Decimal(c) / 100)


def reference(
    incomes: list[Decimal], costs: list[Decimal], standard: Decimal, multiple: Decimal, sudden: bool
) -> str:
    """The rule restated with exact fractions (independent of the implementation)."""
    n = len(incomes)
    per_head = Fraction(sum(incomes)) / n
    per_head = Decimal(per_head.numerator) / Decimal(per_head.denominator)
    per_head = per_head.quantize(FEN, rounding=ROUND_HALF_UP)
    edge = (standard * multiple).quantize(FEN, rounding=ROUND_HALF_UP)
    if per_head < standard:
        return "deep"
    if per_head < edge:
        return "relative"
    if sudden and Fraction(sum(incomes) - sum(costs)) / n < Fraction(edge):
        return "sudden"
    return "none"


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    incomes=st.lists(money, min_size=1, max_size=8),
    costs=st.lists(money, min_size=8, max_size=8),
    standard=standards,
    multiple=multiples,
    sudden=st.booleans(),
)
def test_category_follows_the_rule(
    incomes: list[Decimal], costs: list[Decimal], standard: Decimal, multiple: Decimal, sudden: bool
) -> None:
    members = [
        Member("成员", income, illness_costs_monthly=cost)
        for income, cost in zip(incomes, costs, strict=False)
    ]
    result = categorise(members, standard=standard, edge_multiple=multiple, sudden_event=sudden)
    assert result.category == reference(incomes, costs[: len(incomes)], standard, multiple, sudden)
    assert result.income_per_head == result.income_per_head.quantize(FEN)
    assert result.edge_line == (standard * multiple).quantize(FEN, rounding=ROUND_HALF_UP)
    assert result.reasons


@settings(max_examples=120)
@given(
    standard=standards,
    multiple=multiples,
    n=st.integers(min_value=1, max_value=6),
    offset=st.sampled_from([-1, 0, 1]),
    at=st.sampled_from(["standard", "edge"]),
)
@example(standard=Decimal("1150.00"), multiple=Decimal("1.50"), n=3, offset=0, at="edge")
def test_every_boundary(standard: Decimal, multiple: Decimal, n: int, offset: int, at: str) -> None:
    """Income per head exactly at, one fen below and one fen above the standard and the edge line."""
    edge = (standard * multiple).quantize(FEN, rounding=ROUND_HALF_UP)
    target = (standard if at == "standard" else edge) + offset * FEN
    if target < 0:
        return
    members = [Member("本人", target * n)] + [Member("子女", Decimal("0"))] * (n - 1)
    result = categorise(members, standard=standard, edge_multiple=multiple, sudden_event=False)
    assert result.income_per_head == target
    if target < standard:
        assert result.category == "deep"
    elif target < edge:
        assert result.category == "relative"
    else:
        assert result.category == "none"


@given(
    standard=standards,
    multiple=multiples,
    n=st.integers(min_value=1, max_value=6),
    delta=st.sampled_from([-1, 0, 1]),
)
def test_sudden_event_boundary(standard: Decimal, multiple: Decimal, n: int, delta: int) -> None:
    """Income at the edge line; costs leave exactly the edge line a head, a fen a household less
    or more: only strictly below the line is ``sudden``."""
    edge = (standard * multiple).quantize(FEN, rounding=ROUND_HALF_UP)
    total = edge * n
    costs = Decimal("100.00") * n + delta * FEN
    members = [Member("本人", total + Decimal("100.00") * n, illness_costs_monthly=costs)]
    members += [Member("配偶", Decimal("0"))] * (n - 1)
    result = categorise(members, standard=standard, edge_multiple=multiple, sudden_event=True)
    assert result.category == ("sudden" if delta > 0 else "none")
    # the same household without a sudden event is not in hardship
    calm = categorise(members, standard=standard, edge_multiple=multiple, sudden_event=False)
    assert calm.category == "none"


def test_rounding_is_half_up_to_the_fen() -> None:
    # 1000.01 + 1000.00 = 2000.01 / 2 = 1000.005 → 1000.01 (half up, not to even)
    members = [Member("本人", Decimal("1000.01")), Member("配偶", Decimal("1000.00"))]
    result = categorise(
        members, standard=Decimal("1000.01"), edge_multiple=Decimal("1.5"), sudden_event=False
    )
    assert result.income_per_head == Decimal("1000.01")
    assert result.category == "relative"  # not below the standard once rounded
    # edge line 666.67 × 1.5 = 1000.005 → 1000.01
    result = categorise(
        [Member("本人", Decimal("1000.00"))],
        standard=Decimal("666.67"),
        edge_multiple=Decimal("1.50"),
        sudden_event=False,
    )
    assert result.edge_line == Decimal("1000.01")
    assert result.category == "relative"


def test_enclosing_regions() -> None:
    assert enclosing_regions("320111") == ["320111", "320100", "320000"]
    assert enclosing_regions("320100") == ["320100", "320000"]
    assert enclosing_regions("320000") == ["320000"]


# ------------------------------------------------------------------------------ the API
def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def body(region: str = "320111", income: str = "1000.00", **extra: Any) -> dict[str, Any]:
    return {
        "region": region,
        "year": extra.pop("year", 2026),
        "members": [
            {
                "relation": "本人",
                "birth_date": "1980-01-01",
                "monthly_income": income,
                "works": True,
                "illness_costs_monthly": "0",
            },
            {
                "relation": "子女",
                "birth_date": "2012-01-01",
                "monthly_income": "0",
                "works": False,
                "illness_costs_monthly": "0",
            },
        ],
        "sudden_event": False,
        **extra,
    }


@pytest.fixture
def api_standards(db: Any, world: Any) -> None:
    Standard.objects.create(
        region_id="320000", year=2026, monthly_minimum=Decimal("900.00"), source="省"
    )
    Standard.objects.create(
        region_id="320100", year=2026, monthly_minimum=Decimal("1150.00"), source="市"
    )


@pytest.mark.django_db
def test_assess_endpoint_contract(client: Any, world: Any, api_standards: Any) -> None:
    from ..factories import member

    member(world.nobody, world.enterprise_a, "assistance")
    client.force_login(world.nobody)
    r = post(client, "/api/v1/assistance/assess", body(income="1000.00"))
    assert r.status_code == 200, r.content
    data = r.json()
    # 1000.00 / 2 = 500.00 < the city's 1150.00 (the county 320111 has none; the city is nearer
    # than the province)
    assert data == {
        "income_per_head": "500.00",
        "standard": "1150.00",
        "edge_line": "1725.00",
        "category": "deep",
        "reasons": data["reasons"],
    }
    assert len(data["reasons"]) == 1
    # a county with its own standard wins over its city
    Standard.objects.create(
        region_id="320111", year=2026, monthly_minimum=Decimal("300.00"), source="区"
    )
    r = post(client, "/api/v1/assistance/assess", body())
    assert r.json()["standard"] == "300.00" and r.json()["category"] == "none"
    # another city of the province falls back to the province
    r = post(client, "/api/v1/assistance/assess", body(region="320500"))
    assert r.json()["standard"] == "900.00"
    # no standard for the year, or none up the tree: 422 in the error shape
    for payload in (body(year=2020), body(region="440300")):
        r = post(client, "/api/v1/assistance/assess", payload)
        assert r.status_code == 422
        assert r.json()["code"] == "no_standard"
        assert r.json()["details"][0]["field"] == "region"
    # unknown fields and bad money are 422
    assert post(client, "/api/v1/assistance/assess", {**body(), "x": 1}).status_code == 422
    bad = body()
    bad["members"][0]["monthly_income"] = "1.001"
    assert post(client, "/api/v1/assistance/assess", bad).status_code == 422
    bad["members"] = []
    assert post(client, "/api/v1/assistance/assess", bad).status_code == 422


@pytest.mark.django_db
def test_assess_has_no_side_effects(client: Any, world: Any, api_standards: Any) -> None:
    from gongjiang.core.models import AuditEvent

    client.force_login(world.worker_a)  # a worker may check themselves
    before = AuditEvent.objects.count()
    assert post(client, "/api/v1/assistance/assess", body()).status_code == 200
    assert AuditEvent.objects.count() == before
