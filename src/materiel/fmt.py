"""Number formatting shared by messages and reports."""

from __future__ import annotations


def money(value: float, currency: str) -> str:
    """'USD 1.25 bn', 'EUR 3.60 m', 'EUR 3,600'."""
    for scale, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{currency} {value / scale:,.2f} {word}"
    return f"{currency} {value:,.0f}"


def share(value: float | None) -> str:
    """'42 %' or '–' for a missing value."""
    return "–" if value is None or value != value else f"{100 * value:.0f} %"
