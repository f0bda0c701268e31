"""Number formatting shared by messages and reports."""

from __future__ import annotations

import math


def money(value: float, currency: str) -> str:
    """'USD 1.25 bn', 'EUR 3.60 m', 'EUR 3,600'."""
    for scale, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{currency} {value / scale:,.2f} {word}"
    return f"{currency} {value:,.0f}"


def share(value: float | None) -> str:
    """'42 %' or '–' for a missing value."""
    return "–" if value is None or value != value else f"{100 * value:.0f} %"


def probability(value: float | None) -> str:
    """A probability for reading, never rounded to 0 % or 100 % unless it is exactly that:
    '42 %', '99.5 %', '0.4 %', '99.95 %'; '–' for a missing value."""
    if value is None or value != value:
        return "–"
    pct = 100 * value
    for digits in range(0, 6):
        text = f"{pct:.{digits}f}"
        if 0 < value < 1 and float(text) in (0.0, 100.0):
            continue
        return f"{text} %"
    return f"{pct:g} %"


NEVER_RUNS_OUT = "never runs out"


def days(value: float | None, unit: str = "") -> str:
    """Days of war for reading: 'never runs out' for an infinite number, '–' for a missing one,
    else '1,234' followed by ``unit`` (e.g. ' days of war')."""
    if value is None or value != value or value == -math.inf:
        return "–"
    if value == math.inf:
        return NEVER_RUNS_OUT
    return f"{value:,.0f}{unit}"


def clip(text: str, longest: int) -> str:
    """``text`` cut to at most ``longest`` characters, the last being '…' when cut."""
    return text if len(text) <= longest else text[: longest - 1] + "…"
