"""What the SVG and PNG charts share: round axis ticks, short number labels and the palette."""

from __future__ import annotations

import math

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def nice_ticks(low: float, high: float, n: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × a power of ten) within [low, high], about ``n``."""
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return [low]
    raw = (high - low) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(low / step - 1e-9) * step
    return [start + k * step for k in range(int((high - start) / step + 1e-9) + 1)]


def nice_top(value: float, n: int = 5) -> float:
    """The smallest round tick at or above ``value`` (1 when there is nothing to show)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    ticks = nice_ticks(0.0, value, n)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else value
    top = ticks[-1]
    return top if top >= value - 1e-12 else top + step


def tick_label(v: float) -> str:
    """1.5k, 2m, 0.25: short labels for tick values."""
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}m"
    if abs(v) >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"
