"""Plausible ranges of scenario figures, by kind of figure: the one table that validation applies
and docs/scenario.md lists.

Each range is stated in the model's units (base currency, units per year, years, days), so it
holds whatever unit a figure is written in: ``capacity: {value: 5, unit: bn/day}`` is checked as
1.8 × 10¹² units a year. The ranges are generous enough for any real defence figure; outside them
a figure is a typing or unit mistake, or a magnitude the solver cannot honour (a stock of 10¹⁸ or a
capacity of 10³⁰⁸ makes HiGHS refuse the LP). They apply to a figure's ``low`` and ``high`` as well
as its ``value``, so a sweep, which draws between them, never draws a figure outside its range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FLOOR = 1e-6  # a price or exchange rate below this (but above zero) vanishes under the solver's tolerances


@dataclass(frozen=True)
class Bound:
    """The allowed range of one kind of figure, in ``unit``."""

    kind: str  # what the figure counts, in words
    unit: str  # the unit the range is stated in
    low: float
    high: float
    fields: str  # which fields are of this kind, for the docs
    low_open: bool = False  # ``low`` itself is outside the range
    high_open: bool = False  # ``high`` itself is outside the range
    floor: float = 0.0  # positive figures below this are refused (they act as zero in the LP)

    def refusal(self, value: float, what: str, unit: str | None = None) -> str | None:
        """Why ``value`` (in ``unit``, by default the bound's own) is outside the range, or None
        when it is inside."""
        unit = unit or self.unit
        if not math.isfinite(value):
            return f"{what} must be a finite number"
        if value < self.low or (self.low_open and value == self.low):
            if self.low == 0:
                return f"{what} must be positive" if self.low_open else f"{what} cannot be negative"
            sign = "above" if self.low_open else "at least"
            return f"{what} must be {sign} {_num(self.low)} {unit}"
        if value > self.high or (self.high_open and value == self.high):
            if self.high_open:
                return f"{what} must be below {_num(self.high)} {unit}"
            return f"{what} must be at most {_num(self.high)} {unit}, the limit for {self.kind} (docs/scenario.md)"
        if 0 < value < self.floor:
            return (
                f"{what} of {value:.3g} {unit} is below {_num(self.floor)}, too small for the solver "
                "to tell from zero; write 0 or a larger figure"
            )
        return None

    def range_text(self) -> str:
        """The range as the docs state it."""
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        text = f"{left}{_num(self.low)}, {_num(self.high)}{right}"
        return text + (f"; positive values at least {_num(self.floor)}" if self.floor else "")


def _num(x: float) -> str:
    """A bound as people write it: 0.5, 50, 3,650, 1e11."""
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.0e}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
    return f"{x:,g}"


COUNT = Bound(
    "a count of units",
    "units",
    0,
    1e11,
    "stock, targets, per_brigade, brigades, commitments' quantity, troops, willing, contributors, a drawdown's "
    "stock, a line's stored pool",
)
RATE = Bound(
    "a yearly rate of units",
    "units per year",
    0,
    1e11,
    "capacity (after growth), use, wartime_use, expansion_max, a drawdown's available (a daily or monthly "
    "figure is checked at its yearly total)",
)
PRICE = Bound(
    "a unit price",
    "base currency",
    0,
    1e11,
    "price (after exchange rate and inflation, and after growth)",
    low_open=True,
    floor=FLOOR,
)
UNIT_MONEY = Bound(
    "money per unit",
    "base currency",
    0,
    1e11,
    "capex, cost_per_soldier_year (after exchange rate and inflation)",
    floor=FLOOR,
)
BUDGET = Bound(
    "a budget",
    "base currency per year",
    0,
    1e14,
    "funding budgets, gdp_share.gdp and fixed charges (after exchange rate and inflation, and after growth)",
)
UPKEEP = Bound(
    "a yearly cost per unit",
    "base currency per unit per year",
    0,
    1e11,
    "upkeep (after exchange rate and inflation)",
    floor=FLOOR,
)
DURATION = Bound(
    "a duration",
    "years",
    0,
    50,
    "lead, build, a drawdown's delivery and replacement delay, and the delay of a what-if's shift",
)
DAYS = Bound("a number of days", "days", 0, 3650, "reserve_days, sustainment_goal")
ATTACK_RATE = Bound("an attack rate", "launches per day", 0, 1e5, "threat attack rates")
ATTACK_GROWTH = Bound(
    "yearly growth of an attack rate",
    "(fraction; −1 is −100 %) per year",
    -1,
    10,
    "threat attacks' growth (the rate may fall to zero, not below)",
)
FIRE_RATE = Bound("rounds one system fires a day", "rounds per day", 0, 1e5, "fired_by rate")
PER_ATTACK = Bound("interceptors fired per target", "interceptors", 0, 100, "per_attack", low_open=True)
FX = Bound(
    "an exchange rate",
    "base currency per unit of the other",
    0,
    1e6,
    "currency.fx",
    low_open=True,
    floor=FLOOR,
)
INFLATION = Bound("yearly inflation", "per year", -0.5, 1.0, "currency.inflation", low_open=True)
FRACTION = Bound(
    "a share",
    "(fraction)",
    0,
    1,
    "share, min_spend, phase_in, p_kill, envelope_share, min_coverage, gdp_share.share, contributors' shares",
)
LOSS = Bound(
    "a loss rate",
    "share lost per time unit written (/year, /month)",
    0,
    1,
    "loss (a stock cannot lose all of itself)",
    high_open=True,
)
GROWTH = Bound("a growth rate", "per year", -1, 10, "growth of a schedule's step (−1 is −100 %: a fall to zero)")
NEED = Bound(
    "components per unit of output",
    "units of the component per unit made",
    0,
    1e4,
    "a line's needs",
    low_open=True,
    floor=FLOOR,
)
ROTATION = Bound("a rotation ratio", "soldiers per soldier deployed", 1, 20, "options.reassurance.rotation")

BOUNDS: tuple[Bound, ...] = (
    COUNT,
    RATE,
    PRICE,
    UNIT_MONEY,
    BUDGET,
    UPKEEP,
    DURATION,
    DAYS,
    ATTACK_RATE,
    ATTACK_GROWTH,
    FIRE_RATE,
    PER_ATTACK,
    FX,
    INFLATION,
    FRACTION,
    LOSS,
    GROWTH,
    NEED,
    ROTATION,
)


def bounds_table() -> str:
    """The markdown table of docs/scenario.md."""
    rows = ["| kind of figure | range | unit | fields |", "| --- | --- | --- | --- |"]
    rows += [f"| {b.kind} | {b.range_text()} | {b.unit} | {b.fields} |" for b in BOUNDS]
    return "\n".join(rows)
