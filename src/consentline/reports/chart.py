"""A stacked bar chart as server-rendered SVG: no script, only presentation attributes
(CSP-safe). Every series stays visible however the counts overlap, and the legend carries
each series' total, which is the table's count for that state."""

from __future__ import annotations

from html import escape

from consentline.reports.timeline import Timeline

COLORS = {
    "opted_in": "#1a7f4b",
    "opted_out": "#b42318",
    "pending": "#a15c00",
    "disclaimer_sent": "#1c64b0",
    "none": "#5b6b7b",
}
WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56


def _label(timeline: Timeline, index: int) -> str:
    day = timeline.buckets[index]
    if timeline.unit == "month":
        return day.strftime("%Y-%m")
    return day.strftime("%m-%d")


def _ticks(peak: int) -> list[int]:
    step = max(1, -(-peak // 4))
    return list(range(0, step * 4 + 1, step))


def render_svg(timeline: Timeline, title: str) -> str:
    slots = max(len(timeline.buckets), 1)
    stacked = [
        sum(series[i] for series in timeline.counts.values()) for i in range(len(timeline.buckets))
    ]
    ticks = _ticks(max([1, *stacked]))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot_w = plot_w / slots
    bar_w = max(2.0, min(slot_w * 0.7, 48.0))

    def y(n: float) -> float:
        return TOP + plot_h - plot_h * n / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for value in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#e3e8ee" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#4a5563">{value}</text>'
        )
    if not timeline.buckets:
        parts.append(
            f'<text x="{WIDTH / 2:.0f}" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" '
            'font-size="14" fill="#4a5563">No consent record in this range</text>'
        )
    every = max(1, -(-slots // 12))
    for i in range(0, len(timeline.buckets), every):
        parts.append(
            f'<text x="{LEFT + slot_w * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle" font-size="11" fill="#4a5563">{_label(timeline, i)}</text>'
        )
    base = [0] * len(timeline.buckets)
    for key, series in timeline.counts.items():
        color = COLORS.get(key, COLORS["none"])
        bars = []
        for i, n in enumerate(series):
            if n:
                x = LEFT + slot_w * (i + 0.5) - bar_w / 2
                bars.append(
                    f'<rect x="{x:.1f}" y="{y(base[i] + n):.1f}" width="{bar_w:.1f}" '
                    f'height="{y(base[i]) - y(base[i] + n):.1f}" fill="{color}">'
                    f"<title>{escape(timeline.name(key))}, {_label(timeline, i)}: {n}</title>"
                    "</rect>"
                )
                base[i] += n
        parts.append(f'<g data-series="{key}" data-total="{sum(series)}">{"".join(bars)}</g>')
    legend_x = LEFT
    for key, series in timeline.counts.items():
        color = COLORS.get(key, COLORS["none"])
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 22}" width="12" height="12" fill="{color}"/>'
            f'<text x="{legend_x + 16}" y="{HEIGHT - 12}" font-size="12" fill="#1f2933">'
            f"{escape(timeline.name(key))} ({sum(series)})</text>"
        )
        legend_x += 170
    parts.append("</svg>")
    return "".join(parts)
