"""The exact split (largest remainder to the fen) and the statutory defaults of art. 45."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjiang.core.errors import ApplicationError
from gongjiang.innovation.split import (
    STATUTORY_DEFAULTS,
    revenue_share_preview,
    share_text,
    split_by_contribution,
)

D = Decimal


@st.composite
def contributions(draw: st.DrawFn) -> list[Decimal]:
    """1–12 positive percentages in fen-like steps (0.01 %) adding up to exactly 100."""
    n = draw(st.integers(1, 12))
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 10000]
    return [D(bounds[i + 1] - bounds[i]) / 100 for i in range(n)]


@settings(max_examples=300, deadline=None)
@given(total_fen=st.integers(0, 10**14 - 1), shares=contributions())
def test_parts_always_add_up_to_the_total(total_fen: int, shares: list[Decimal]) -> None:
    total = D(total_fen) / 100
    members = [(f"W{i:03d}", s) for i, s in enumerate(shares)]
    parts = split_by_contribution(total, members)
    assert sum(p.amount for p in parts) == total  # no fen lost, none invented
    for p in parts:
        assert p.amount == p.amount.quantize(D("0.01"))
        assert abs(p.amount - p.exact) < D("0.01")  # each part within a fen of its exact share
        assert p.amount >= 0


@settings(max_examples=200, deadline=None)
@given(
    amount_fen=st.integers(0, 10**13),
    shares=contributions(),
    mode=st.sampled_from(sorted(STATUTORY_DEFAULTS)),
)
def test_preview_pool_is_split_exactly(amount_fen: int, shares: list[Decimal], mode: str) -> None:
    preview = revenue_share_preview(
        mode=mode,
        amount=D(amount_fen) / 100,
        share=None,
        members=[(f"W{i}", s) for i, s in enumerate(shares)],
    )
    assert preview.share == STATUTORY_DEFAULTS[mode].minimum
    assert sum(p.amount for p in preview.parts) == preview.pool


def test_largest_remainder_and_ties() -> None:
    # 0.10 among three equal members: 3.333… fen each, one extra fen to the smallest code
    parts = split_by_contribution(
        D("0.10"), [("B", D("33.34")), ("A", D("33.33")), ("C", D("33.33"))]
    )
    # exact: B 3.334, A 3.333, C 3.333 → floors 3/3/3, one fen left → largest remainder is B
    assert [p.amount for p in parts] == [D("0.04"), D("0.03"), D("0.03")]
    # equal remainders: the larger contribution first, then the smaller worker code
    parts = split_by_contribution(D("0.01"), [("Z", D("50")), ("A", D("50"))])
    assert {p.worker: p.amount for p in parts} == {"A": D("0.01"), "Z": D("0.00")}
    parts = split_by_contribution(D("0.03"), [("A", D("25")), ("B", D("25")), ("C", D("50"))])
    # exact 0.75, 0.75, 1.5 fen: floors 0,0,1; two left; remainders .75,.75,.5 → A and B
    assert [p.amount for p in parts] == [D("0.01"), D("0.01"), D("0.01")]
    parts = split_by_contribution(D("0.05"), [("A", D("10")), ("B", D("90"))])
    # exact 0.5 and 4.5 fen: equal remainders, the larger contribution (B) gets the fen
    assert [p.amount for p in parts] == [D("0.00"), D("0.05")]


def test_contributions_must_add_up_to_exactly_100() -> None:
    with pytest.raises(ApplicationError) as exc:
        split_by_contribution(D("10"), [("A", D("50")), ("B", D("49.99"))])
    assert exc.value.code == "contributions_not_100" and exc.value.status == 422
    with pytest.raises(ApplicationError):
        split_by_contribution(D("10"), [("A", D("50")), ("B", D("50.01"))])
    with pytest.raises(ApplicationError) as exc:
        split_by_contribution(D("10"), [("A", D("50")), ("A", D("50"))])
    assert exc.value.code == "duplicate_member"
    with pytest.raises(ApplicationError) as exc:
        split_by_contribution(D("10"), [("A", D("100.001")), ("B", D("-0.001"))])
    assert exc.value.code == "invalid_contribution"
    assert len(split_by_contribution(D("10"), [("A", D("100"))])) == 1


@pytest.mark.parametrize(
    ("mode", "minimum"),
    [("transfer", "0.50"), ("licence", "0.50"), ("equity", "0.50"), ("own_use", "0.05")],
)
def test_each_statutory_default_at_its_boundary(mode: str, minimum: str) -> None:
    members = [("A", D("100"))]
    # null share: the statutory minimum
    default = revenue_share_preview(mode=mode, amount=D("1000.00"), share=None, members=members)
    assert default.share == D(minimum)
    assert default.pool == D("1000.00") * D(minimum)
    # exactly the minimum is accepted
    at = revenue_share_preview(mode=mode, amount=D("1000.00"), share=D(minimum), members=members)
    assert at.pool == default.pool
    # one step (0.0001) below is refused with 422
    with pytest.raises(ApplicationError) as exc:
        revenue_share_preview(
            mode=mode, amount=D("1000.00"), share=D(minimum) - D("0.0001"), members=members
        )
    assert exc.value.code == "below_statutory_minimum" and exc.value.status == 422
    # one step above is accepted
    above = revenue_share_preview(
        mode=mode, amount=D("1000.00"), share=D(minimum) + D("0.0001"), members=members
    )
    assert above.pool == (D("1000.00") * (D(minimum) + D("0.0001"))).quantize(D("0.01"))


def test_the_pool_rounds_half_up_to_the_fen() -> None:
    p = revenue_share_preview(
        mode="own_use", amount=D("0.10"), share=None, members=[("A", D("100"))]
    )
    assert p.pool == D("0.01")  # 0.005 → 0.01
    p = revenue_share_preview(
        mode="own_use", amount=D("0.09"), share=None, members=[("A", D("100"))]
    )
    assert p.pool == D("0.00")  # 0.0045 → 0.00


def test_share_text() -> None:
    assert share_text(D("0.5")) == "0.50"
    assert share_text(D("0.05")) == "0.05"
    assert share_text(D("0.125")) == "0.125"
    assert share_text(D("1")) == "1.00"
