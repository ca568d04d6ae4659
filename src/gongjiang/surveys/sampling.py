"""Strata of a worker and the sample design: sample size for a margin of error, proportional
allocation over strata, random draw within each stratum.

Sample size (simple random sampling of a proportion, 95 % confidence, worst case p = 0.5, with the
finite-population correction; Cochran, *Sampling Techniques*, 3rd ed., 1977, eq. 4.1–4.2)::

    n0 = z² · p(1 − p) / e²          z = 1.96, p = 0.5
    n  = n0 / (1 + (n0 − 1) / N)     rounded up

then divided by the expected response rate. Proportional allocation over the strata keeps the
design self-weighting; the shares are rounded by the largest-remainder method so they add up to n.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

Z95 = 1.96
AGE_BANDS = (
    ("lt25", _("under 25"), 0, 25),
    ("25_34", _("25–34"), 25, 35),
    ("35_44", _("35–44"), 35, 45),
    ("45_54", _("45–54"), 45, 55),
    ("55plus", _("55 and over"), 55, 200),
)
AGE_BAND_LABELS = {code: label for code, label, _lo, _hi in AGE_BANDS}

# the worker columns a stratum is read from (one query for a whole audience)
WORKER_COLUMNS = (
    "id",
    "organization_id",
    "organization__path",
    "employer__region_id",
    "employer__industry__section",
    "birth_date",
    "skill_level_id",
)


def age_band(birth: dt.date | None, on: dt.date) -> str:
    if birth is None:
        return ""
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for code, _label, lo, hi in AGE_BANDS:
        if lo <= age < hi:
            return code
    return ""


def city_of(region: str | None) -> str:
    """The city-level code (GB/T 2260) of a region: its first four digits and ``00``."""
    return f"{region[:4]}00" if region and len(region) >= 4 else ""


def strata_of(row: Sequence[Any], on: dt.date) -> dict[str, str]:
    """Strata of one ``WORKER_COLUMNS`` row."""
    return {
        "region": city_of(row[3]),
        "industry": row[4] or "",
        "age_band": age_band(row[5], on),
        "skill_level": row[6] or "",
    }


def sample_size(population: int, margin: Decimal | float, response_rate: float = 1.0) -> int:
    """Invitations needed for ``margin`` (e.g. 0.03) at 95 % confidence in a population."""
    if population <= 0:
        return 0
    e = float(margin)
    if not 0 < e < 1 or not 0 < response_rate <= 1:
        raise ValueError("margin and response rate must lie in (0, 1)")
    n0 = Z95**2 * 0.25 / e**2
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, math.ceil(math.ceil(n - 1e-9) / response_rate - 1e-9))


def allocate(sizes: dict[Any, int], n: int) -> dict[Any, int]:
    """Proportional allocation of ``n`` over strata of the given sizes (largest remainder)."""
    total = sum(sizes.values())
    if total == 0 or n <= 0:
        return dict.fromkeys(sizes, 0)
    n = min(n, total)
    exact = {k: n * s / total for k, s in sizes.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    left = n - sum(out.values())
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], str(k)))[:left]:
        out[k] += 1
    return out


def draw(
    rows: Iterable[Sequence[Any]],
    dims: Sequence[str],
    n: int,
    on: dt.date,
    rng: random.Random | None = None,
) -> list[Sequence[Any]]:
    """A stratified random sample of ``n`` worker rows, proportional over the combinations of
    ``dims`` (no dims: a simple random sample)."""
    rng = rng or random.SystemRandom()
    groups: dict[tuple[str, ...], list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        s = strata_of(row, on)
        groups[tuple(s[d] for d in dims)].append(row)
    shares = allocate({k: len(v) for k, v in groups.items()}, n)
    out: list[Sequence[Any]] = []
    for key in sorted(groups):
        out += rng.sample(groups[key], shares[key])
    return out
