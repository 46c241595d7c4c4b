"""A stacked bar chart as inline SVG, drawn on the server: no chart library, no script."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

#: one colour per status; anything else is grey
COLOURS = {
    "stored": "#2e7d32",
    "parsed": "#66bb6a",
    "received": "#90a4ae",
    "rejected": "#c62828",
    "failed": "#ef6c00",
    "duplicate": "#7e57c2",
    "superseded": "#8d6e63",
}


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    counts: dict[str, int]


def colour(status: str) -> str:
    return COLOURS.get(status, "#9e9e9e")


def stacked_bars(
    per_day: list[tuple[dt.date, dict[str, int]]],
    statuses: list[str],
    label: str,
    width: int = 720,
    height: int = 220,
) -> Markup:
    """Bars per day, stacked by status, with a y-axis maximum and a legend."""
    pad_left, pad_bottom, pad_top = 36, 28, 10
    plot_h = height - pad_bottom - pad_top
    n = max(len(per_day), 1)
    slot = (width - pad_left) / n
    bar_w = max(slot * 0.7, 2)
    peak = max((sum(c.values()) for _, c in per_day), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 24}" '
        f'width="100%" aria-label="{escape(label)}">',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width}" y2="{pad_top + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{pad_left - 4}" y="{pad_top + 10}" text-anchor="end" class="axis">{peak}</text>',
        f'<text x="{pad_left - 4}" y="{pad_top + plot_h}" text-anchor="end" class="axis">0</text>',
    ]
    every = max(1, n // 10)
    for i, (day, counts) in enumerate(per_day):
        x = pad_left + i * slot + (slot - bar_w) / 2
        y = float(pad_top + plot_h)
        for status in statuses:
            count = counts.get(status, 0)
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour(status)}" data-status="{escape(status)}">'
                f"<title>{day.isoformat()} {escape(status)}: {count}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{pad_top + plot_h + 16}" text-anchor="middle" '
                f'class="axis">{day.strftime("%m-%d")}</text>'
            )
    lx = pad_left
    for status in statuses:
        parts.append(
            f'<rect x="{lx}" y="{height + 6}" width="10" height="10" fill="{colour(status)}"/>'
            f'<text x="{lx + 14}" y="{height + 15}" class="axis">{escape(status)}</text>'
        )
        lx += 24 + 8 * len(status)
    parts.append("</svg>")
    return Markup("".join(parts))
