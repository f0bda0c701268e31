"""Planning periods: parsing labels such as ``2026``, ``2026Q3`` or ``2026-07`` and the horizon.

A period is stored as an integer count of periods since year 0 at the horizon's frequency, so
arithmetic (lead times, build times) is plain integer addition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import numpy as np

from .units import DAYS_PER_YEAR


class Frequency(StrEnum):
    """Length of one planning period."""

    month = "month"
    quarter = "quarter"
    year = "year"

    @property
    def per_year(self) -> int:
        return {"month": 12, "quarter": 4, "year": 1}[self.value]


_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,2})\s*$")

PERIOD_FORMS = "a year (2027), a quarter (2027Q3) or a month (2027-07)"


def parse_period(text: object, freq: Frequency) -> int:
    """Return the absolute index of ``text`` at frequency ``freq``.

    A coarser label maps to its first finer period (``2027`` is ``2027Q1``); a finer label maps to
    the period containing it (``2027-08`` is ``2027Q3``). Raises ``ValueError`` otherwise.
    """
    if isinstance(text, bool):
        raise ValueError(f"expected {PERIOD_FORMS}, got {text!r}")
    if isinstance(text, int):
        text = str(text)
    if not isinstance(text, str):
        raise ValueError(f"expected {PERIOD_FORMS}, got {text!r}")
    month: int
    if m := _YEAR.match(text):
        year, month = int(m.group(1)), 1
    elif m := _QUARTER.match(text):
        year, month = int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1
    elif m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 01..12 in {text!r}")
    else:
        raise ValueError(f"expected {PERIOD_FORMS}, got {text!r}")
    months_per_period = 12 // freq.per_year
    return year * freq.per_year + (month - 1) // months_per_period


def period_label(index: int, freq: Frequency) -> str:
    """The canonical label of an absolute period index."""
    year, sub = divmod(index, freq.per_year)
    if freq is Frequency.year:
        return f"{year}"
    if freq is Frequency.quarter:
        return f"{year}Q{sub + 1}"
    return f"{year}-{sub + 1:02d}"


@dataclass(frozen=True)
class Calendar:
    """The horizon: ``n`` consecutive periods of ``freq`` starting at absolute index ``start``."""

    start: int
    n: int
    freq: Frequency

    @property
    def per_year(self) -> int:
        return self.freq.per_year

    @cached_property
    def labels(self) -> list[str]:
        return [period_label(self.start + t, self.freq) for t in range(self.n)]

    @cached_property
    def year_of(self) -> np.ndarray:
        """Calendar year of each period (length ``n``)."""
        return (self.start + np.arange(self.n)) // self.per_year

    @cached_property
    def years(self) -> list[int]:
        return sorted(set(self.year_of.tolist()))

    @cached_property
    def year_ends(self) -> list[int]:
        """Position of the last period of each year inside the horizon, one per entry of ``years``
        (for a horizon that stops mid-year, that year's last period in the horizon)."""
        y = self.year_of
        return [t for t in range(self.n) if t == self.n - 1 or y[t + 1] != y[t]]

    @property
    def days_per_period(self) -> float:
        """Length of one period in days on the one calendar (a quarter is 365/4 days)."""
        return DAYS_PER_YEAR / self.per_year

    def index(self, text: object) -> int:
        """Position of ``text`` within the horizon (may be negative or ``>= n`` if outside)."""
        return parse_period(text, self.freq) - self.start

    def label(self, t: int) -> str:
        return period_label(self.start + t, self.freq)

    def year_fraction(self) -> np.ndarray:
        """Share of each year covered by the horizon (1.0 for whole years), indexed like ``years``."""
        counts = np.bincount(self.year_of - self.years[0])
        return counts[counts > 0] / self.per_year
