"""What the SVG and PNG charts share: round axis ticks, short number labels and the palette."""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable

DENSITY = 2  # image pixels per layout (CSS) pixel in the PNG charts: print resolution (raster.py)
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


def log_ticks(low: float, high: float) -> tuple[list[float], list[float]]:
    """Ticks for a log axis over [low, high]: (labelled, unlabelled minor). Every decade is labelled,
    and 2 and 5 times it as well while the axis spans at most three decades (more would crowd);
    the minor ticks are the other whole multiples of each decade, all labelled on a short axis."""
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 or high <= low:
        return [low], []
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 3 else (1,)
    labelled, minor = [], []
    for k in range(first, last + 1):
        for m in range(1, 10):
            v = m * 10.0**k
            if low * (1 - 1e-9) <= v <= high * (1 + 1e-9):
                (labelled if m in steps else minor).append(v)
    if len(labelled) < 3:  # less than a decade: label every whole multiple
        return sorted(labelled + minor), []
    return labelled, minor


def log_bounds(low: float, high: float) -> tuple[float, float]:
    """A log axis widened to round ends: 1, 2 or 5 times a power of ten at or outside [low, high]."""

    def rounded(v: float, down: bool) -> float:
        k = math.floor(math.log10(v))
        steps = [m * 10.0**k for m in (1, 2, 5, 10)]
        return max(s for s in steps if s <= v * (1 + 1e-9)) if down else min(s for s in steps if s >= v * (1 - 1e-9))

    return rounded(low, True), rounded(high, False)


# Twenty colours for funds: a fund's colour comes from its id, not from its place in the scenario.
FUND_PALETTE = (
    *PALETTE,
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
)


def fund_colours(ids: Iterable[str]) -> dict[str, str]:
    """A colour for each fund from a stable hash of its id (CRC-32), the same in every run and chart.
    Two funds whose hashes pick the same colour are told apart by taking the next free one, the
    funds taken in order of id, so no two of up to twenty funds share a colour (docs/cli.md, "Charts")."""
    taken: dict[int, str] = {}
    out = {}
    for fund in sorted(set(ids)):
        slot = zlib.crc32(fund.encode("utf-8")) % len(FUND_PALETTE)
        for probe in range(len(FUND_PALETTE)):
            if (slot + probe) % len(FUND_PALETTE) not in taken:
                slot = (slot + probe) % len(FUND_PALETTE)
                break
        taken[slot] = fund
        out[fund] = FUND_PALETTE[slot]
    return out
