"""Small inline SVG charts for the HTML report.

The report's assessment and comparison charts are drawn here as SVG text: no plotting library to
import, crisp at any zoom, and a few kilobytes each. The plan's standard charts are PNG files
(``charts``, drawn with Pillow), so they can be opened and pasted on their own.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from .axes import PALETTE, nice_ticks, tick_label

W, H = 860, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 190, 34, 46


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _frame(title: str, y_label: str, body: list[str], legend: Sequence[tuple[str, str, str]]) -> str:
    items = []
    for n, (name, colour, dash) in enumerate(legend):
        y = TOP + 8 + 16 * n
        items.append(
            f'<line x1="{W - RIGHT + 12}" y1="{y}" x2="{W - RIGHT + 32}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{W - RIGHT + 38}" y="{y + 4}" font-size="11">{_esc(name)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'font-family="sans-serif" role="img" aria-label="{_esc(title)}">'
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>'
        f'<text transform="translate(14,{(TOP + H - BOTTOM) / 2}) rotate(-90)" text-anchor="middle" '
        f'font-size="11">{_esc(y_label)}</text>' + "".join(body) + "".join(items) + "</svg>"
    )


def line_chart(
    x_labels: Sequence[str],
    series: dict[str, Sequence[float]],
    title: str,
    y_label: str,
    y_min: float | None = None,
    y_max: float | None = None,
    log: bool = False,
    hlines: Sequence[tuple[float, str]] = (),
    vline: tuple[int, str] | None = None,
    bands: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
) -> str:
    """Lines over labelled x positions; optional reference lines and shaded bands (fan charts)."""
    values = [v for s in series.values() for v in s if v is not None and math.isfinite(v)]
    values += [v for _, lo, hi in bands for v in (*lo, *hi) if math.isfinite(v)]
    values += [y for y, _ in hlines]
    lo = y_min if y_min is not None else min(values, default=0.0)
    hi = y_max if y_max is not None else max(values, default=1.0)
    if log:
        lo = max(lo, min((v for v in values if v > 0), default=1.0), 1e-9)
        hi = max(hi, lo * 10)
    if hi <= lo:
        hi = lo + 1
    n = max(len(x_labels), 2)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(i: float) -> float:
        return LEFT + pw * i / (n - 1)

    def sy(v: float) -> float:
        if log:
            v = max(v, lo)
            return TOP + ph * (1 - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))
        return TOP + ph * (1 - (min(max(v, lo), hi) - lo) / (hi - lo))

    body = [f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    ticks = (
        [10.0**k for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
        if log
        else nice_ticks(lo, hi)
    )
    for t in ticks:
        if lo <= t <= hi:
            y = sy(t)
            body.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#eee"/>'
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick_label(t)}</text>'
            )
    step = max(1, len(x_labels) // 8)
    for i in range(0, len(x_labels), step):
        body.append(
            f'<text x="{sx(i):.1f}" y="{TOP + ph + 16}" font-size="10" text-anchor="middle">{_esc(x_labels[i])}</text>'
        )
    legend: list[tuple[str, str, str]] = []
    for k, (name, lower, upper) in enumerate(bands):
        pts = [f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(upper)]
        pts += [f"{sx(i):.1f},{sy(v):.1f}" for i, v in reversed(list(enumerate(lower)))]
        body.append(f'<polygon points="{" ".join(pts)}" fill="#1f77b4" fill-opacity="{0.15 + 0.1 * k}" stroke="none"/>')
        legend.append((name, "#9ec5e8", ""))
    for k, (name, ys) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        segments, current = [], []
        for i, v in enumerate(ys):
            if v is None or not math.isfinite(v):
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{sx(i):.1f},{sy(v):.1f}")
        if current:
            segments.append(current)
        for seg in segments:
            body.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        legend.append((name, colour, ""))
    for y, label in hlines:
        body.append(
            f'<line x1="{LEFT}" y1="{sy(y):.1f}" x2="{LEFT + pw}" y2="{sy(y):.1f}" stroke="#000" stroke-dasharray="4 3"/>'
        )
        legend.append((label, "#000", "4 3"))
    if vline is not None:
        x = sx(vline[0])
        body.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ph}" stroke="#2ca02c" stroke-dasharray="6 3"/>'
        )
        legend.append((vline[1], "#2ca02c", "6 3"))
    return _frame(title, y_label, body, legend)


def bar_chart(labels: Sequence[str], stacks: dict[str, Sequence[float]], title: str, x_label: str) -> str:
    """Horizontal stacked bars, one per label."""
    n = max(len(labels), 1)
    total = [sum(s[i] for s in stacks.values()) for i in range(len(labels))]
    hi = max([*total, 1e-9])
    pw = W - 200 - RIGHT
    row = (H - TOP - BOTTOM) / n
    body = []
    for i, label in enumerate(labels):
        y = TOP + row * i
        body.append(f'<text x="196" y="{y + row / 2 + 4:.1f}" font-size="11" text-anchor="end">{_esc(label)}</text>')
        x = 200.0
        for k, values in enumerate(stacks.values()):
            w = pw * values[i] / hi
            body.append(
                f'<rect x="{x:.1f}" y="{y + row * 0.15:.1f}" width="{max(w, 0):.1f}" height="{row * 0.7:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"/>'
            )
            x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + row / 2 + 4:.1f}" font-size="10">{tick_label(total[i])}</text>')
    body.append(f'<text x="{200 + pw / 2}" y="{H - 12}" font-size="11" text-anchor="middle">{_esc(x_label)}</text>')
    legend = [(name, PALETTE[k % len(PALETTE)], "") for k, name in enumerate(stacks)]
    return _frame(title, "", body, legend)


def diverging_bars(labels: Sequence[str], values: Sequence[float], title: str, x_label: str) -> str:
    """A tornado: one bar per label from zero, to the right if positive, to the left if negative."""
    n = max(len(labels), 1)
    reach = max([abs(v) for v in values] + [1e-9])
    label_w = 330
    pw = W - label_w - 40
    mid = label_w + pw / 2
    row = (H - TOP - BOTTOM) / n
    body = [f'<line x1="{mid}" y1="{TOP}" x2="{mid}" y2="{H - BOTTOM}" stroke="#555"/>']
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = TOP + row * i
        w = (pw / 2) * abs(v) / reach
        x = mid if v >= 0 else mid - w
        colour = "#d62728" if v > 0 else "#1f77b4"
        body.append(
            f'<text x="{label_w - 6}" y="{y + row / 2 + 4:.1f}" font-size="10" text-anchor="end">{_esc(label[-52:])}</text>'
            f'<rect x="{x:.1f}" y="{y + row * 0.15:.1f}" width="{w:.1f}" height="{row * 0.7:.1f}" fill="{colour}"/>'
            f'<text x="{(x + w + 4) if v >= 0 else (x - 4):.1f}" y="{y + row / 2 + 4:.1f}" font-size="10" '
            f'text-anchor="{"start" if v >= 0 else "end"}">{v:+.2f}</text>'
        )
    body.append(f'<text x="{mid}" y="{H - 12}" font-size="11" text-anchor="middle">{_esc(x_label)}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'font-family="sans-serif" role="img" aria-label="{_esc(title)}">'
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>' + "".join(body) + "</svg>"
    )
