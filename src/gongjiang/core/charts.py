"""Server-drawn charts: a grouped bar chart as inline SVG, with no JavaScript library and no outside
service. The SVG carries ``role="img"``, a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), scales to its container through its ``viewBox`` (no sideways scroll on a
phone), and every text in it is escaped. The page keeps the table with the same figures next to
it: the chart is a picture of the table, never its only copy.

    bar_chart_svg(
        title="…", desc="…", labels=["2024", "2025"],
        series=[("results", [3, 5]), ("awards", [1, 2])],
    )
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Bootstrap's primary, success, warning, danger, info: told apart also by the legend's order
PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#dc3545", "#0dcaf0")
_ids = count(1)


def _nice_max(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at least ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10.0 * power  # pragma: no cover


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def bar_chart_svg(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | float | Decimal]]],
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """A grouped bar chart: one group per label, one bar per series (at most five series, at
    most 40 labels — more is cut, the table shows all)."""
    labels = [str(x) for x in labels][:40]
    series = [(str(name), [float(v or 0) for v in values][:40]) for name, values in series][:5]
    uid = f"gj-chart-{next(_ids)}"
    left, right, top, bottom = 56, 8, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _n, vs in series for v in vs), default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{uid}-t {uid}-d" class="gj-chart" '
        f'style="max-width:{width}px;height:auto" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
    ]
    # the axis: four steps, thin lines, the figures on the left
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#6c757d">{escape(_number(top_value * i / 4))}</text>'
        )
    if labels and series:
        group = plot_w / len(labels)
        bar = max(min(group * 0.8 / len(series), 40.0), 1.0)
        for li, label in enumerate(labels):
            x0 = left + group * li + (group - bar * len(series)) / 2
            for si, (name, values) in enumerate(series):
                v = values[li] if li < len(values) else 0.0
                h = plot_h * v / top_value
                x = x0 + bar * si
                parts.append(
                    f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                    f'height="{h:.1f}" fill="{PALETTE[si]}"><title>{escape(label)} · '
                    f"{escape(name)}: {escape(_number(v))}</title></rect>"
                )
            parts.append(
                f'<text x="{left + group * li + group / 2:.1f}" y="{height - 10}" '
                f'text-anchor="middle" font-size="11" fill="#212529">{escape(label)}</text>'
            )
    # the legend, in the series' order
    x = left
    for si, (name, _values) in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{PALETTE[si]}"/>'
            f'<text x="{x + 14}" y="17" font-size="11" fill="#212529">{escape(name)}</text>'
        )
        x += 24 + 12 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (built here, every text escaped)
