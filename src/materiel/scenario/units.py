"""Unit strings in scenario files and their conversion factors.

Units are short strings an analyst would write in a spreadsheet header:

* money: ``EUR``, ``USD m``, ``EUR bn``, ``KRW bn`` — a currency code and an optional scale;
* money per time: ``EUR bn/year``, ``USD m per month``;
* a rate: ``shells/year``, ``/month``, ``per day`` — the word before the slash is a label only;
* a duration: ``months``, ``quarters``, ``years``, ``weeks``, ``days``;
* a fraction: empty or ``%``; a fraction per time: ``/year``, ``% per year``.

One calendar for every conversion (docs/scenario.md, "Figures"): a year is 365 days, 12 months or
4 quarters, so a month is 365/12 days, a quarter 365/4 days and a week 7 days. ``DAYS_PER`` and
``YEARS_PER`` state this calendar in days and in years, so a rate converted to days and the same
rate converted to planning periods agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TIME_WORDS: dict[str, str] = {
    "day": "day",
    "days": "day",
    "d": "day",
    "week": "week",
    "weeks": "week",
    "wk": "week",
    "month": "month",
    "months": "month",
    "mo": "month",
    "quarter": "quarter",
    "quarters": "quarter",
    "q": "quarter",
    "year": "year",
    "years": "year",
    "yr": "year",
    "yrs": "year",
    "a": "year",
    "annum": "year",
}
DAYS_PER_YEAR = 365.0
DAYS_PER: dict[str, float] = {
    "day": 1.0,
    "week": 7.0,
    "month": DAYS_PER_YEAR / 12,
    "quarter": DAYS_PER_YEAR / 4,
    "year": DAYS_PER_YEAR,
}
# The same calendar in years, each written as the exact fraction (so 1/12, not 30.42/365).
YEARS_PER: dict[str, float] = {
    "day": 1 / DAYS_PER_YEAR,
    "week": 7 / DAYS_PER_YEAR,
    "month": 1 / 12,
    "quarter": 1 / 4,
    "year": 1.0,
}
SCALES: dict[str, float] = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "b": 1e9,
    "billion": 1e9,
    "tn": 1e12,
    "trillion": 1e12,
}
TIME_HELP = "day, week, month, quarter or year"


class UnitError(ValueError):
    """A unit string that does not fit the field; the message says what would be valid."""


def _split_basis(unit: str) -> tuple[str, str | None]:
    """Split ``'shells/year'`` or ``'EUR bn per year'`` into ``('shells', 'year')``."""
    text = unit.strip()
    m = re.match(r"^(.*?)\s*(?:/|\bper\b)\s*([A-Za-z]+)\s*$", text)
    if not m:
        return text, None
    return m.group(1).strip(), m.group(2).strip().lower()


def _time(word: str | None, unit: str) -> str | None:
    if word is None:
        return None
    if word not in TIME_WORDS:
        raise UnitError(f"unit {unit!r}: {word!r} is not a time basis; use {TIME_HELP}")
    return TIME_WORDS[word]


@dataclass(frozen=True)
class Money:
    """A parsed money unit: currency code, scale factor, optional time basis."""

    currency: str
    scale: float
    per: str | None


def parse_money(unit: str | None, default_currency: str, *, rate: bool) -> Money:
    """Parse a money unit. ``rate`` fields (budgets) may carry a time basis, others may not."""
    if unit is None or not unit.strip():
        return Money(default_currency, 1.0, None)
    head, basis = _split_basis(unit)
    per = None
    if basis is not None:
        if basis in TIME_WORDS:
            if not rate:
                raise UnitError(f"unit {unit!r}: a price or cost takes no time basis; write e.g. 'EUR'")
            per = TIME_WORDS[basis]
        elif rate:
            raise UnitError(f"unit {unit!r}: {basis!r} is not a time basis; use {TIME_HELP}")
    m = re.match(r"^([A-Za-z]{3})\s*([A-Za-z]*)$", head)
    if not m or m.group(2).lower() not in SCALES:
        raise UnitError(
            f"unit {unit!r}: expected a currency code with an optional scale "
            f"(k, m, bn), e.g. 'EUR', 'USD m', 'EUR bn/year'"
        )
    return Money(m.group(1).upper(), SCALES[m.group(2).lower()], per)


def rate_basis(unit: str | None, default: str) -> str:
    """The time basis of a rate unit such as ``'shells/year'``; ``default`` when none is written."""
    if unit is None or not unit.strip():
        return default
    head, basis = _split_basis(unit)
    if basis is None:
        if head.lower() in TIME_WORDS:
            return TIME_WORDS[head.lower()]
        raise UnitError(f"unit {unit!r}: a rate needs a time basis, e.g. '{head or 'units'}/year' ({TIME_HELP})")
    return _time(basis, unit) or default


def duration_months(unit: str | None, default: str = "month") -> float:
    """Months in one unit of a duration such as ``'quarters'``."""
    word = (unit or default).strip().lower()
    if word not in TIME_WORDS:
        raise UnitError(f"unit {unit!r}: a duration is in {TIME_HELP}s")
    return YEARS_PER[TIME_WORDS[word]] * 12


def duration_days(unit: str | None, default: str = "day") -> float:
    """Days in one unit of a duration (a month is 365/12 days, a year 365)."""
    word = (unit or default).strip().lower()
    if word not in TIME_WORDS:
        raise UnitError(f"unit {unit!r}: a duration is in {TIME_HELP}s")
    return DAYS_PER[TIME_WORDS[word]]


def fraction_factor(unit: str | None) -> float:
    """1 for plain fractions, 0.01 for percentages."""
    head = (unit or "").strip()
    if head in ("", "fraction", "share", "1"):
        return 1.0
    if head in ("%", "percent", "pct"):
        return 0.01
    raise UnitError(f"unit {unit!r}: a share is a plain fraction (0.25) or a percentage ('%')")


def fraction_rate(unit: str | None, default: str = "year") -> tuple[float, str]:
    """Scale (1 or 0.01) and time basis of a fraction per time such as ``'% per year'``."""
    if unit is None or not unit.strip():
        return 1.0, default
    head, basis = _split_basis(unit)
    return fraction_factor(head), (_time(basis, unit) if basis else default) or default
