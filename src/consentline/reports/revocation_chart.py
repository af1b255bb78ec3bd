"""The revocation clock's chart: how long opt-out confirmations took, as server-rendered SVG
bars (no script, presentation attributes only, like ``chart.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

# (label, upper bound in seconds or None for "not sent", colour)
BUCKETS: tuple[tuple[str, float | None, str], ...] = (
    ("under 10 s", 10, "#1a7f4b"),
    ("10 to 60 s", 60, "#1a7f4b"),
    ("1 to 5 min", 300, "#b7791f"),
    ("over 5 min", float("inf"), "#b42318"),
    ("not sent", None, "#5b6b7b"),
)
WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def bucket_counts(rows: Iterable[dict[str, Any]]) -> list[int]:
    """Opt-outs per latency bucket; those with no confirmation at all (carrier, SMS Opt-in
    off) are not counted."""
    counts = [0] * len(BUCKETS)
    for row in rows:
        latency = row["confirmation_latency_s"]
        if latency is None:
            if row.get("confirmation_pending"):
                counts[-1] += 1
            continue
        for index, (_, bound, _) in enumerate(BUCKETS[:-1]):
            assert bound is not None
            if latency < bound or bound == float("inf"):
                counts[index] += 1
                break
    return counts


def render_svg(counts: list[int], title: str) -> str:
    peak = max([1, *counts])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(BUCKETS)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="revocation-chart-title" class="chart">',
        f'<title id="revocation-chart-title">{escape(title)}</title>',
    ]
    for index, ((label, _, colour), count) in enumerate(zip(BUCKETS, counts, strict=True)):
        height = plot_h * count / peak
        x = LEFT + slot * index + slot * 0.15
        y = TOP + plot_h - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
            f'fill="{colour}" data-bucket="{escape(label)}" data-count="{count}"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="12" fill="#1f2933">{count}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
            f'font-size="12" fill="#5b6b7b">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
