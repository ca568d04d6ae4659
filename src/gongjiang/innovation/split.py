"""Exact splits of money to the fen, and the statutory minimums of revenue sharing.

Pure functions, no database: the revenue-sharing preview (``POST /api/v1/innovation/revenue-shares/
preview``), the revenue-sharing years and the reward-fund payments all split through
:func:`split_by_contribution`, so every split in the system follows one rule.

Rounding rule (stated in docs/innovation.md): the pool is ``amount × share`` rounded half up to the
fen. Each member's exact part ``pool × contribution / 100`` is cut down to the fen; the fen left over
(fewer than the number of members) go one each to the members with the largest cut-off remainders
(largest-remainder method, Hamilton); equal remainders go first to the larger contribution, then to
the smaller worker code. The parts therefore always add up to the pool exactly.

Statutory minimums: 《中华人民共和国促进科技成果转化法》(2015 revision) art. 45 — when neither a rule
of the unit nor an agreement with the team sets the reward, the unit shall give at least 50 % of the
net income of a transfer or licence (item 1), at least 50 % of the shares or capital contribution of
an investment (item 2), and, when it implements the result itself or with others, at least 5 % of
the operating profit of the result each year for three to five years after it succeeds (item 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjiang.core.errors import ApplicationError

FEN = Decimal("0.01")
HUNDRED = Decimal("100")
MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class StatutoryDefault:
    mode: str
    label: str
    minimum: Decimal  # fraction of the base
    base: str  # what the share is taken from
    source: str
    years: tuple[int, int] | None = None  # (min, max) years for own use


# The statutory defaults (art. 45 of the law on promoting the transformation of scientific and
# technological achievements). A share agreed between the unit and the team may be larger, never
# smaller, in this system: the preview refuses a share below the minimum.
STATUTORY_DEFAULTS: dict[str, StatutoryDefault] = {
    "transfer": StatutoryDefault(
        "transfer",
        gettext_lazy("transfer"),
        Decimal("0.50"),
        gettext_lazy("net income of the transfer"),
        "《促进科技成果转化法》第四十五条第一款第（一）项",
    ),
    "licence": StatutoryDefault(
        "licence",
        gettext_lazy("licence"),
        Decimal("0.50"),
        gettext_lazy("net income of the licence"),
        "《促进科技成果转化法》第四十五条第一款第（一）项",
    ),
    "equity": StatutoryDefault(
        "equity",
        gettext_lazy("investment as equity"),
        Decimal("0.50"),
        gettext_lazy("shares or capital contribution formed by the result"),
        "《促进科技成果转化法》第四十五条第一款第（二）项",
    ),
    "own_use": StatutoryDefault(
        "own_use",
        gettext_lazy("used by the enterprise itself"),
        Decimal("0.05"),
        gettext_lazy("yearly operating profit from the result"),
        "《促进科技成果转化法》第四十五条第一款第（三）项",
        years=(3, 5),
    ),
}
MODES = tuple(STATUTORY_DEFAULTS)


@dataclass(frozen=True)
class Part:
    worker: str
    contribution: Decimal
    amount: Decimal
    exact: Decimal  # the unrounded part (for the line-by-line page)
    extra_fen: bool  # received one of the left-over fen


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def check_contributions(contributions: Sequence[Decimal], field: str = "members") -> None:
    """Each share above zero with at most two decimals, and all together exactly 100 %."""
    if not contributions:
        raise ApplicationError(
            _("The team needs at least one member."),
            code="no_members",
            status=422,
            details=[{"field": field, "error": _("at least one member")}],
        )
    for i, c in enumerate(contributions):
        if not c.is_finite() or c <= 0 or c > HUNDRED or c != c.quantize(FEN):
            raise ApplicationError(
                _("A contribution is a percentage above 0 and at most 100, to two decimals."),
                code="invalid_contribution",
                status=422,
                details=[{"field": f"{field}.{i}.contribution", "error": str(c)}],
            )
    total = sum(contributions, Decimal(0))
    if total != HUNDRED:
        raise ApplicationError(
            _("The contributions add up to %(total)s %%, not 100 %%.") % {"total": total},
            code="contributions_not_100",
            status=422,
            details=[{"field": field, "error": _("sum is %(total)s") % {"total": total}}],
        )


def split_by_contribution(total: Decimal, members: Sequence[tuple[str, Decimal]]) -> list[Part]:
    """Split ``total`` (yuan, to the fen) by contribution percentages, exactly (see the module doc).

    ``members`` is a sequence of (worker code, contribution percent); the answer keeps its order.
    """
    if total != total.quantize(FEN) or total < 0:
        raise ValueError("total must be a non-negative amount to the fen")
    codes = [code for code, _c in members]
    if len(set(codes)) != len(codes):
        raise ApplicationError(
            _("A worker appears twice in the team."),
            code="duplicate_member",
            status=422,
            details=[{"field": "members", "error": _("duplicate worker")}],
        )
    check_contributions([c for _code, c in members])
    total_fen = int(total * 100)
    floors: list[int] = []
    remainders: list[Decimal] = []
    for _code, contribution in members:
        exact_fen = Decimal(total_fen) * contribution / HUNDRED
        floor = int(exact_fen.to_integral_value(rounding=ROUND_DOWN))
        floors.append(floor)
        remainders.append(exact_fen - floor)
    left = total_fen - sum(floors)
    order = sorted(
        range(len(members)),
        key=lambda i: (-remainders[i], -members[i][1], members[i][0]),
    )
    lucky = set(order[:left])
    return [
        Part(
            worker=code,
            contribution=contribution,
            amount=Decimal(floors[i] + (1 if i in lucky else 0)) / 100,
            exact=total * contribution / HUNDRED,
            extra_fen=i in lucky,
        )
        for i, (code, contribution) in enumerate(members)
    ]


def parse_money(value: Decimal, field: str = "amount") -> Decimal:
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or value != value.quantize(FEN):
        raise ApplicationError(
            _("An amount is in yuan, at least 0, to the fen."),
            code="invalid_amount",
            status=422,
            details=[{"field": field, "error": str(value)}],
        )
    return value.quantize(FEN)


def resolve_share(mode: str, share: Decimal | None) -> Decimal:
    """The share to apply: the statutory minimum when ``share`` is None; refused below it or above 1."""
    rule = STATUTORY_DEFAULTS[mode]
    if share is None:
        return rule.minimum
    if not share.is_finite() or share > 1 or share != share.quantize(Decimal("0.0001")):
        raise ApplicationError(
            _("A share is a fraction between 0 and 1 with at most four decimals."),
            code="invalid_share",
            status=422,
            details=[{"field": "share", "error": str(share)}],
        )
    if share < rule.minimum:
        raise ApplicationError(
            _("The share %(share)s is below the statutory minimum %(minimum)s (%(source)s).")
            % {"share": share, "minimum": rule.minimum, "source": rule.source},
            code="below_statutory_minimum",
            status=422,
            details=[{"field": "share", "error": _("at least %(m)s") % {"m": rule.minimum}}],
        )
    return share


def share_text(share: Decimal) -> str:
    """A share as text with at least two decimals: 0.5 → "0.50", 0.125 → "0.125"."""
    normal = share.normalize()
    exponent = normal.as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return f"{share:.{places}f}"


@dataclass(frozen=True)
class Preview:
    mode: str
    amount: Decimal
    share: Decimal
    pool: Decimal
    parts: list[Part]


def revenue_share_preview(
    *, mode: str, amount: Decimal, share: Decimal | None, members: Sequence[tuple[str, Decimal]]
) -> Preview:
    """The pool for the team (``amount × share``, half up to the fen) and each member's part."""
    if mode not in STATUTORY_DEFAULTS:
        raise ApplicationError(
            _("Unknown mode."),
            code="invalid_mode",
            status=422,
            details=[{"field": "mode", "error": mode}],
        )
    amount = parse_money(amount)
    applied = resolve_share(mode, share)
    pool = _fen(amount * applied)
    parts = split_by_contribution(pool, members)
    return Preview(mode=mode, amount=amount, share=applied, pool=pool, parts=parts)
