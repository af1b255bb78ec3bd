"""A line chart as server-rendered SVG: no script, only presentation attributes (CSP-safe)."""

from __future__ import annotations

from html import escape

from consentline.reports.timeline import SERIES, Timeline

COLORS = {"opted_in": "#1a7f4b", "opted_out": "#b42318", "pending": "#b7791f"}
WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56


def _label(timeline: Timeline, index: int) -> str:
    day = timeline.buckets[index]
    return day.strftime("%Y-%m") if timeline.unit == "month" else day.strftime("%m-%d")


def render_svg(timeline: Timeline, title: str) -> str:
    slots = max(len(timeline.buckets), 1)
    peak = max([1, *(n for series in timeline.counts.values() for n in series)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / slots)

    def y(n: int) -> float:
        return TOP + plot_h - plot_h * n / peak

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for step in range(5):
        value = round(peak * step / 4)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#e3e8ee" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6b7b">{value}</text>'
        )
    every = max(1, slots // 10)
    for i in range(0, len(timeline.buckets), every):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="#5b6b7b">{_label(timeline, i)}</text>'
        )
    for key, series in timeline.counts.items():
        points = " ".join(f"{x(i):.1f},{y(n):.1f}" for i, n in enumerate(series))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{COLORS[key]}" stroke-width="2" '
            f'data-series="{key}" data-total="{sum(series)}"/>'
        )
    legend_x = LEFT
    for key, name in SERIES.items():
        total = sum(timeline.counts.get(key, []))
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 22}" width="12" height="12" fill="{COLORS[key]}"/>'
            f'<text x="{legend_x + 16}" y="{HEIGHT - 12}" font-size="12" fill="#1f2933">'
            f"{escape(name)} ({total})</text>"
        )
        legend_x += 190
    parts.append("</svg>")
    return "".join(parts)
