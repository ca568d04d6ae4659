from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.surveys.sampling import age_band, allocate, draw, sample_size


def test_sample_size_known_values() -> None:
    # Cochran: n0 = 1.96² · 0.25 / e² = 1067.1 for ±3 %; the correction brings it under
    assert sample_size(10_000_000, Decimal("0.03")) == 1067
    assert sample_size(10_000, Decimal("0.03")) == 965
    assert sample_size(1_000, Decimal("0.05")) == 278
    assert sample_size(100, Decimal("0.05")) == 80
    assert sample_size(50, Decimal("0.001")) == 50  # never more than everyone
    assert sample_size(10_000, Decimal("0.03"), 0.5) == 1930  # for an expected 50 % response


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.text(max_size=3), st.integers(0, 500), max_size=20), st.integers(0, 5000))
def test_allocation_adds_up_and_stays_within_strata(sizes: dict, n: int) -> None:
    shares = allocate(sizes, n)
    assert sum(shares.values()) == min(n, sum(sizes.values()))
    assert all(0 <= shares[k] <= sizes[k] for k in sizes)


def test_stratified_draw_is_proportional() -> None:
    today = dt.date(2026, 6, 1)
    rows = [
        (i, 1, "p", "320100", "C", dt.date(1990 if i < 300 else 1970, 1, 1), "JUNIOR")
        for i in range(400)
    ]
    sample = draw(rows, ["age_band"], 40, today, random.Random(1))
    bands = Counter(age_band(r[5], today) for r in sample)
    assert bands == {"35_44": 30, "55plus": 10}
    assert len({r[0] for r in sample}) == 40


def test_age_bands() -> None:
    on = dt.date(2026, 6, 1)
    assert age_band(dt.date(2001, 6, 2), on) == "lt25"
    assert age_band(dt.date(2001, 6, 1), on) == "25_34"
    assert age_band(dt.date(1971, 6, 1), on) == "55plus"
    assert age_band(None, on) == ""
