"""Small inline SVG charts for the HTML report.

The report's assessment and comparison charts are drawn here as SVG text: no plotting library to
import, crisp at any zoom, and a few kilobytes each. The plan's standard charts are PNG files
(``charts``, drawn with Pillow), so they can be opened and pasted on their own.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from .axes import PALETTE, log_bounds, log_ticks, nice_ticks, nice_top, tick_label

W, H = 860, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 190, 34, 46


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# Each series gets a colour, a dash pattern and a marker, so lines stay apart in grey print and
# where they overlap; the legend draws each with the same three.
DASHES = ("", "6 3", "2 2", "8 3 2 3", "4 4", "1 3")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "triangle-down")


def marker(shape: str, x: float, y: float, colour: str, r: float = 2.6) -> str:
    """A small marker centred on (x, y), as an SVG element."""
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
    if shape == "cross":
        return (
            f'<path d="M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x - r:.1f},{y + r:.1f}L{x + r:.1f},{y - r:.1f}" '
            f'stroke="{colour}" stroke-width="1.6"/>'
        )
    corners = {
        "triangle": ((0, -1.2), (1.1, 0.9), (-1.1, 0.9)),
        "triangle-down": ((0, 1.2), (1.1, -0.9), (-1.1, -0.9)),
        "diamond": ((0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)),
    }[shape]
    points = " ".join(f"{x + r * dx:.1f},{y + r * dy:.1f}" for dx, dy in corners)
    return f'<polygon points="{points}" fill="{colour}"/>'


def _frame(
    title: str, y_label: str, body: list[str], legend: Sequence[tuple[str, str, str, str]], note: str = ""
) -> str:
    """The chart: title (also as ``<title>``, for screen readers and tests), y label, body, legend
    entries (label, colour, dash, marker or "box" or "") and a note below the plot."""
    items = []
    y = TOP + 8 - 16
    for name, colour, dash, mark in legend:
        y += 16
        symbol = (
            f'<rect x="{W - RIGHT + 15}" y="{y - 5}" width="14" height="10" fill="{colour}"/>'
            if mark == "box"
            else f'<line x1="{W - RIGHT + 10}" y1="{y}" x2="{W - RIGHT + 34}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="{dash}"/>' + (marker(mark, W - RIGHT + 22, y, colour) if mark else "")
        )
        lines = legend_lines(name)
        text = f'<tspan x="{W - RIGHT + 38}" dy="13">'.join(
            _esc(line) + ("</tspan>" if k else "") for k, line in enumerate(lines)
        )
        items.append(symbol + f'<text x="{W - RIGHT + 38}" y="{y + 4}" font-size="11">{text}</text>')
        y += 13 * (len(lines) - 1)
    foot = f'<text x="{LEFT}" y="{H - 6}" font-size="10" fill="#444">{_esc(note)}</text>' if note else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'font-family="sans-serif" role="img" aria-label="{_esc(title)}" class="chart"><title>{_esc(title)}</title>'
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>'
        f'<text transform="translate(14,{(TOP + H - BOTTOM) / 2}) rotate(-90)" text-anchor="middle" '
        f'font-size="11">{_esc(y_label)}</text>' + "".join(body) + "".join(items) + foot + "</svg>"
    )


LEGEND_CHARS = 24  # about what fits beside the plot at 11 px (RIGHT less the key's 38 px)


def legend_lines(label: str, width: int = LEGEND_CHARS) -> list[str]:
    """A legend label in lines of at most ``width`` characters where it has spaces to break at
    (a word longer than that stays whole)."""
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def coinciding(series: dict[str, Sequence[float]], tolerance: float) -> dict[str, str]:
    """Each series that matches an earlier one at every point (within ``tolerance``): name -> the
    earlier one's name. Such lines lie on top of each other; the chart says so."""
    same: dict[str, str] = {}
    names = list(series)
    for k, name in enumerate(names):
        for other in names[:k]:
            if other in same:
                continue
            a, b = series[name], series[other]
            if len(a) == len(b) and all(_close(x, y, tolerance) for x, y in zip(a, b, strict=True)):
                same[name] = other
                break
    return same


def _close(x: float | None, y: float | None, tolerance: float) -> bool:
    finite_x = x is not None and math.isfinite(x)
    finite_y = y is not None and math.isfinite(y)
    if not (finite_x and finite_y):
        return finite_x == finite_y
    return abs(x - y) <= tolerance


def label_step(count: int, most: int = 10) -> int:
    """Label every ``step``-th x position, at most ``most`` labels; steps of whole years (4 quarters,
    12 months) where periods are quarters or months, so the labels fall on the same period each year."""
    return next(step for step in (1, 2, 3, 4, 6, 8, 12, 24, 48, 10**9) if -(-count // step) <= most)


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
        lo, hi = log_bounds(lo, max(hi, lo * 10))
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
    ticks, minor = log_ticks(lo, hi) if log else (nice_ticks(lo, hi), [])
    for t in minor:
        y = sy(t)
        body.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#f4f4f4"/>'
            f'<line x1="{LEFT - 3}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#999"/>'
        )
    for t in ticks:
        if lo - 1e-9 * abs(lo) <= t <= hi + 1e-9 * abs(hi):
            y = sy(t)
            body.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#e4e4e4"/>'
                f'<line x1="{LEFT - 5}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#666"/>'
                f'<text class="tick y" x="{LEFT - 7}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick_label(t)}</text>'
            )
    step = label_step(len(x_labels))
    for i in range(0, len(x_labels), step):
        body.append(
            f'<line x1="{sx(i):.1f}" y1="{TOP + ph}" x2="{sx(i):.1f}" y2="{TOP + ph + 4}" stroke="#666"/>'
            f'<text class="tick x" x="{sx(i):.1f}" y="{TOP + ph + 16}" font-size="10" text-anchor="middle">'
            f"{_esc(x_labels[i])}</text>"
        )
    legend: list[tuple[str, str, str, str]] = []
    for k, (name, lower, upper) in enumerate(bands):
        pts = [f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(upper)]
        pts += [f"{sx(i):.1f},{sy(v):.1f}" for i, v in reversed(list(enumerate(lower)))]
        opacity = 0.15 + 0.1 * k
        body.append(f'<polygon points="{" ".join(pts)}" fill="#1f77b4" fill-opacity="{opacity}" stroke="none"/>')
        legend.append((name, f"rgba(31,119,180,{opacity})", "", "box"))
    same = coinciding(series, 1e-6 * (hi - lo)) if len(series) > 1 else {}
    every = max(1, len(x_labels) // 12)
    for k, (name, ys) in enumerate(series.items()):
        colour, dash, mark = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)], MARKERS[k % len(MARKERS)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(ys):
            if v is None or not math.isfinite(v):
                segments.append([])
            else:
                segments[-1].append((sx(i), sy(v)))
        for seg in segments:
            if seg:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
                body.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.8" '
                    f'stroke-dasharray="{dash}"/>'
                )
        offset = k % every  # markers of different series at different points, where there are many
        body += [
            marker(mark, x, y, colour)
            for i, (x, y) in enumerate(p for seg in segments for p in seg)
            if i % every == offset
        ]
        legend.append((f"{name} (= {same[name]})" if name in same else name, colour, dash, mark))
    for y, label in hlines:
        body.append(
            f'<line x1="{LEFT}" y1="{sy(y):.1f}" x2="{LEFT + pw}" y2="{sy(y):.1f}" stroke="#000" stroke-dasharray="4 3"/>'
        )
        legend.append((label, "#000", "4 3", ""))
    if vline is not None:
        x = sx(vline[0])
        body.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ph}" stroke="#2ca02c" stroke-dasharray="6 3"/>'
        )
        legend.append((vline[1], "#2ca02c", "6 3", ""))
    note = "; ".join(f"{name} coincides with {other}" for name, other in same.items())
    return _frame(title, y_label, body, legend, f"Lines on top of each other: {note}." if note else "")


def _x_ticks(ticks: Sequence[float], sx: Callable[[float], float], top: float, bottom: float) -> list[str]:
    """Vertical grid lines with labelled ticks below the plot, for the bar charts' value axis."""
    return [
        f'<line x1="{sx(t):.1f}" y1="{top}" x2="{sx(t):.1f}" y2="{bottom + 4}" stroke="#e4e4e4"/>'
        f'<text class="tick x" x="{sx(t):.1f}" y="{bottom + 15}" font-size="10" text-anchor="middle">{tick_label(t)}</text>'
        for t in ticks
    ]


def bar_chart(labels: Sequence[str], stacks: dict[str, Sequence[float]], title: str, x_label: str) -> str:
    """Horizontal stacked bars, one per label."""
    n = max(len(labels), 1)
    total = [sum(s[i] for s in stacks.values()) for i in range(len(labels))]
    pw = W - 200 - RIGHT
    row = (H - TOP - BOTTOM) / n
    hi = nice_top(max([*total, 1e-9]) * 1.02)
    ticks = nice_ticks(0.0, hi, 5)
    body = _x_ticks(ticks, lambda v: 200 + pw * v / hi, TOP, H - BOTTOM)
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
    legend = [(name, PALETTE[k % len(PALETTE)], "", "box") for k, name in enumerate(stacks)]
    return _frame(title, "", body, legend)


def diverging_bars(labels: Sequence[str], values: Sequence[float], title: str, x_label: str) -> str:
    """A tornado: one bar per label from zero, to the right if positive, to the left if negative."""
    n = max(len(labels), 1)
    reach = max([abs(v) for v in values] + [1e-9])
    label_w = 330
    pw = W - label_w - 40
    mid = label_w + pw / 2
    row = (H - TOP - BOTTOM) / n
    step = [t for t in nice_ticks(0.0, reach, 3) if t > 0]
    ticks = [-t for t in reversed(step)] + [0.0] + step
    body = _x_ticks(ticks, lambda v: mid + (pw / 2) * v / reach, TOP, H - BOTTOM)
    body.append(f'<line x1="{mid}" y1="{TOP}" x2="{mid}" y2="{H - BOTTOM}" stroke="#555"/>')
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
        f'font-family="sans-serif" role="img" aria-label="{_esc(title)}" class="chart"><title>{_esc(title)}</title>'
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>' + "".join(body) + "</svg>"
    )
