"""Charts for the dashboards, drawn on the server as plain SVG (no JavaScript, no CDN).

Each bar is a link (its drill-down) and carries a <title> tooltip; the charts scale to their
container through `viewBox`. Colours and fonts come from the page's CSS classes (`.chart-*`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float
    href: str = ""
    sublabel: str = ""  # a second line under a column (the year under January)


def fmt(value: int | float | None) -> str:
    """A number for the reader's language, with thousands separators; "—" when undefined."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)
    return number_format(int(value), use_l10n=True, force_grouping=True)


def nice_max(value: float, ticks: int = 4) -> float:
    """The top of an axis of `ticks` equal, round, whole steps that covers `value`."""
    if value <= ticks:
        return ticks
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = multiple * power
        if raw <= step and float(step).is_integer():
            return step * ticks
    return 10 * power * ticks  # pragma: no cover


def _link(href: str, body: str, title: str) -> str:
    tooltip = f"<title>{escape(title)}</title>"
    if not href:
        return f"<g>{tooltip}{body}</g>"
    return f'<a href="{escape(href)}" class="chart-link">{tooltip}{body}</a>'


def column_chart(
    bars: list[Bar], *, label: str, height: int = 220, width: int = 760, show_values: bool = True
) -> SafeString:
    """Vertical bars over time (one per month), with a light grid and the value above each bar."""
    left, right, top, bottom = 48, 8, 18, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_max(max((b.value for b in bars), default=0))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
    ]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(top_value * i / 4))}</text>"
        )
    slot = plot_w / max(len(bars), 1)
    bar_w = max(min(slot * 0.68, 48), 2)
    values_fit = show_values and slot >= 26
    for index, bar in enumerate(bars):
        value = max(bar.value, 0)
        h = plot_h * value / top_value
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h - h
        centre = x + bar_w / 2
        body = (
            f'<rect class="chart-hit" x="{left + slot * index:.1f}" y="{top}" '
            f'width="{slot:.1f}" height="{plot_h}"/>'
            f'<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
            f'height="{max(h, 0):.1f}" rx="2"/>'
        )
        if values_fit and bar.value:
            body += (
                f'<text class="chart-value" x="{centre:.1f}" y="{y - 4:.1f}" '
                f'text-anchor="middle">{escape(fmt(bar.value))}</text>'
            )
        title = f"{bar.label} {bar.sublabel}".strip() + f": {fmt(bar.value)}"
        parts.append(_link(bar.href, body, title))
        if slot >= 22 or index % max(math.ceil(22 / slot), 1) == 0:
            parts.append(
                f'<text class="chart-axis" x="{centre:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
        if bar.sublabel:
            parts.append(
                f'<text class="chart-axis chart-sub" x="{centre:.1f}" y="{top + plot_h + 31}" '
                f'text-anchor="middle">{escape(bar.sublabel)}</text>'
            )
    parts.append(
        f'<line class="chart-baseline" x1="{left}" x2="{width - right}" '
        f'y1="{top + plot_h}" y2="{top + plot_h}"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def hbar_chart(bars: list[Bar], *, label: str, width: int = 420) -> SafeString:
    """Horizontal bars for a breakdown: the label on the left, the bar, the value at its end."""
    row_h, label_w, value_w = 28, 150, 64
    height = row_h * max(len(bars), 1) + 4
    plot_w = width - label_w - value_w
    top_value = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    for index, bar in enumerate(bars):
        y = 2 + row_h * index
        w = plot_w * max(bar.value, 0) / top_value
        text = bar.label if len(bar.label) <= 22 else bar.label[:21] + "…"
        body = (
            f'<rect class="chart-hit" x="0" y="{y}" width="{width}" height="{row_h}"/>'
            f'<text class="chart-label" x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(text)}</text>'
            f'<rect class="chart-track" x="{label_w}" y="{y + 6}" width="{plot_w}" '
            f'height="{row_h - 12}" rx="3"/>'
            f'<rect class="chart-bar" x="{label_w}" y="{y + 6}" width="{w:.1f}" '
            f'height="{row_h - 12}" rx="3"/>'
            f'<text class="chart-value" x="{width - 4}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(fmt(bar.value))}</text>'
        )
        parts.append(_link(bar.href, body, f"{bar.label}: {fmt(bar.value)}"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
