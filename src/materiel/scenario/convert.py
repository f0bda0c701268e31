"""Converting one figure to the model's units: base currency and price year, per-period rates,
durations in whole periods, fractions. Each converter records a problem instead of raising, so
that a pass over the scenario reports every bad figure at once."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np

from .bounds import BUDGET, COUNT, DAYS, DURATION, FRACTION, GROWTH, LOSS, RATE, UNIT_MONEY, UPKEEP, Bound
from .errors import Collector, Loc
from .periods import Calendar
from .schema import Milestone, Quantity, Step
from .units import (
    DAYS_PER,
    YEARS_PER,
    UnitError,
    duration_days,
    duration_months,
    fraction_factor,
    fraction_rate,
    parse_money,
    rate_basis,
)


def within(
    q: Quantity, loc: Loc, bound: Bound, what: str, problems: Collector, factor: float = 1.0, unit: str | None = None
) -> bool:
    """Whether ``value``, ``low`` and ``high`` times ``factor`` (to the bound's unit, or ``unit``
    where that names the base currency) all lie in the bound's range; a located problem for each
    that does not."""
    if not math.isfinite(factor):
        return False  # the unit is wrong, which is reported already
    ok = True
    for key in ("value", "low", "high"):
        raw = getattr(q, key)
        if raw is None:
            continue
        why = bound.refusal(raw * factor, what if key == "value" else f"{what} (the {key} end of its range)", unit)
        if why is not None:
            problems.add((*loc, key), f"{why} (got {raw:g})")
            ok = False
    return ok


class Converter:
    """Unit conversion against one scenario's calendar and currency table. Each converter also
    holds the figure, with its ``low`` and ``high``, to the range of its kind (bounds.py)."""

    def __init__(
        self, cal: Calendar, base: str, base_year: int, fx: dict[str, float], inflation: float, problems: Collector
    ) -> None:
        self.cal = cal
        self.base = base
        self.base_year = base_year
        self.fx = fx
        self.inflation = inflation
        self.problems = problems

    def within(self, q: Quantity, loc: Loc, bound: Bound, what: str, factor: float = 1.0) -> bool:
        """Whether the figure lies in the range of its kind (see ``within``)."""
        return within(q, loc, bound, what, self.problems, factor, bound.unit.replace("base currency", self.base))

    # Each converter returns 0 for a figure outside its range (the problem is recorded), so that
    # the rest of the pass computes with finite numbers.
    def count(self, q: Quantity, loc: Loc, what: str) -> float:
        """A number of units, such as a stock or a target."""
        return q.value if self.within(q, loc, COUNT, what) else 0.0

    # -- money ---------------------------------------------------------------------------------
    def _currency_factor(self, currency: str, loc: Loc) -> float:
        if currency == self.base:
            return 1.0
        if currency not in self.fx:
            known = ", ".join([self.base, *sorted(self.fx)])
            self.problems.add(
                (*loc, "unit"), f"currency {currency} has no exchange rate in currency.fx; known: {known}"
            )
            return math.nan
        return self.fx[currency]

    def _money(self, q: Quantity, loc: Loc, rate: bool, what: str, bound: Bound) -> float:
        try:
            m = parse_money(q.unit, self.base, rate=rate)
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return math.nan
        year = q.year if q.year is not None else self.base_year
        deflate = (1 + self.inflation) ** (self.base_year - year)
        per_year = 1 / YEARS_PER[m.per or "year"]
        currency = self._currency_factor(m.currency, loc)
        if not self.within(q, loc, bound, what, m.scale * currency * deflate * per_year):
            return 0.0
        return q.value * m.scale * currency * deflate * per_year

    def money(self, q: Quantity, loc: Loc, what: str, bound: Bound = UNIT_MONEY) -> float:
        """Money in base currency at the base price year."""
        return self._money(q, loc, rate=False, what=what, bound=bound)

    def money_per_year(self, q: Quantity, loc: Loc, what: str = "a budget") -> float:
        """A money rate (a budget) in base currency per year."""
        return self._money(q, loc, rate=True, what=what, bound=BUDGET)

    def upkeep_per_year(self, q: Quantity, loc: Loc) -> float:
        """A cost per unit held per year (upkeep) in base currency; its unit must name the currency,
        since a bare number could be euros or millions."""
        if q.unit is None or not q.unit.strip():
            self.problems.add(
                (*loc, "unit"),
                f"upkeep needs a money unit, e.g. '{self.base} k' or '{self.base} m/year' (per unit held per year)",
            )
            return 0.0
        return self._money(q, loc, rate=True, what="upkeep", bound=UPKEEP)

    # -- quantities ----------------------------------------------------------------------------
    def per_period(self, q: Quantity, loc: Loc, what: str, default: str = "year") -> float:
        """A rate such as 'shells/year' converted to units per planning period."""
        try:
            basis = rate_basis(q.unit, default)
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return math.nan
        if not self.within(q, loc, RATE, what, 1 / YEARS_PER[basis]):
            return 0.0
        return q.value / YEARS_PER[basis] / self.cal.per_year

    def per_day(self, q: Quantity, loc: Loc, what: str, default: str = "day", bound: Bound = RATE) -> float:
        """A rate converted to units per day (``units.DAYS_PER``: a month is 365/12 days); ``bound``
        is RATE (checked per year) or ATTACK_RATE (checked per day)."""
        try:
            basis = rate_basis(q.unit, default)
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return math.nan
        to_bound = DAYS_PER["year"] if bound is RATE else 1.0
        if not self.within(q, loc, bound, what, to_bound / DAYS_PER[basis]):
            return 0.0
        return q.value / DAYS_PER[basis]

    def periods(self, q: Quantity, loc: Loc, default: str = "month", what: str = "a duration") -> int:
        """A duration rounded up to whole planning periods (0 when it is out of range)."""
        try:
            months = q.value * duration_months(q.unit, default)
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return 0
        if not self.within(q, loc, DURATION, what, duration_months(q.unit, default) / 12):
            return 0
        return math.ceil(months / (12 / self.cal.per_year) - 1e-9)

    def days(self, q: Quantity, loc: Loc, default: str = "day", what: str | None = None) -> float:
        """A duration in days (``units.DAYS_PER``: a month is 365/12 days); ``what`` names a figure
        held to the range of a number of days (a lead time is held to the range of durations elsewhere)."""
        try:
            factor = duration_days(q.unit, default)
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return math.nan
        if what is not None and not self.within(q, loc, DAYS, what, factor):
            return 0.0
        return q.value * factor

    def fraction(self, q: Quantity, loc: Loc) -> float:
        """A share in [0, 1] (plain or '%')."""
        try:
            factor = fraction_factor(q.unit)
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return math.nan
        ok = True
        for key in ("value", "low", "high"):
            raw = getattr(q, key)
            if raw is not None and not FRACTION.low <= raw * factor <= FRACTION.high:
                self.problems.add((*loc, key), f"a share must lie between 0 and 1 (0% and 100%), got {raw:g}")
                ok = False
        return q.value * factor if ok else 0.0

    def loss_per_period(self, q: Quantity, loc: Loc) -> float:
        """A loss rate such as 0.05/year converted to the share lost per planning period."""
        try:
            factor, basis = fraction_rate(q.unit)
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return math.nan
        if not self.within(q, loc, LOSS, f"a loss rate per {basis}", factor):
            return 0.0
        periods_per_basis = YEARS_PER[basis] * self.cal.per_year
        return 1 - (1 - q.value * factor) ** (1 / periods_per_basis)

    # -- time profiles -------------------------------------------------------------------------
    def period_index(self, text: str, loc: Loc) -> int | None:
        try:
            return self.cal.index(text)
        except ValueError as exc:
            self.problems.add(loc, str(exc))
            return None

    def _year_of_index(self, idx: int) -> int:
        return int((self.cal.start + idx) // self.cal.per_year)

    def growth_rate(self, q: Quantity, loc: Loc) -> float:
        """A yearly growth rate as a fraction ('3 %', 0.03 or '3 %/year'), at least −100 %."""
        try:
            factor, basis = fraction_rate(q.unit)
            if basis != "year":
                raise UnitError(f"unit {q.unit!r}: a growth rate is yearly; write '%', '%/year' or nothing")
        except UnitError as exc:
            self.problems.add((*loc, "unit"), str(exc))
            return 0.0
        if not self.within(q, loc, GROWTH, "a growth rate (−100 % a year is a fall to zero)", factor):
            return 0.0
        return q.value * factor

    def _growth(self, step: Step, loc: Loc, start_year: int, convert) -> Callable[[np.ndarray], np.ndarray]:
        """The multiplier of a step's value in each calendar year: (1 + growth)^(years since its
        first year), held at its cap; every problem with growth and cap is located."""
        if step.growth is None:
            if step.cap is not None:
                self.problems.add((*loc, "cap"), "a cap is where growth stops: give growth too, or remove cap")
            return np.ones_like
        rates = [self.growth_rate(step.growth, (*loc, "growth"))]
        try:
            factor = fraction_rate(step.growth.unit)[0]
        except UnitError:
            factor = 1.0
        rates += [
            getattr(step.growth, key) * factor for key in ("low", "high") if getattr(step.growth, key) is not None
        ]
        starts = [v for v in (step.value, step.low, step.high) if v is not None]
        cap = step.cap
        if cap is not None:
            if cap < 0:
                self.problems.add((*loc, "cap"), f"a cap cannot be negative (got {cap:g})")
            if max(rates) > 0 and cap < max(starts):
                self.problems.add(
                    (*loc, "cap"),
                    f"when growing, the cap is a ceiling: it must be at least the start value {max(starts):g} "
                    f"(the high end of its range), got {cap:g}",
                )
            if min(rates) < 0 and cap > min(starts):
                self.problems.add(
                    (*loc, "cap"),
                    f"when shrinking, the cap is a floor: it must be at most the start value {min(starts):g} "
                    f"(the low end of its range), got {cap:g}",
                )
        if min(rates) < -1:
            return np.ones_like  # refused above

        def multiplier(years: np.ndarray, rate: float = rates[0], value: float = step.value) -> np.ndarray:
            n = np.maximum(np.asarray(years) - start_year, 0)
            with np.errstate(over="ignore"):
                mult = (1.0 + rate) ** n
            if cap is not None and value != 0:
                mult = np.minimum(mult, cap / value) if rate >= 0 else np.maximum(mult, cap / value)
            return mult

        last = self.cal.years[-1]
        peak = max(starts) * max(float(multiplier(np.array([last]), max(rates), max(starts))[0]), 1.0)
        if peak > max(starts):
            self._check_peak(step, loc, convert, peak, last)
        return multiplier

    def _check_peak(self, step: Step, loc: Loc, convert, peak: float, year: int) -> None:
        """Refuse growth that takes a schedule out of its figure's range within the horizon."""
        probe, saved = Collector(), self.problems
        self.problems = probe
        try:
            convert(step.model_copy(update={"value": peak, "low": None, "high": None}), loc)
        finally:
            self.problems = saved
        for p in probe.problems:
            self.problems.add(
                (*loc, "growth"), f"grown to {peak:.3g} by {year} (the high ends of value and growth): {p.message}"
            )

    def schedule(self, steps: list[Step], loc: Loc, convert, before: str = "zero") -> np.ndarray:
        """Step profile over the horizon. Before the first step: 0, or the first value."""
        out = np.full(self.cal.n, np.nan)
        points: list[tuple[int, float, Callable[[np.ndarray], np.ndarray]]] = []
        for j, step in enumerate(steps):
            start = 0 if step.from_ is None else self.period_index(step.from_, (*loc, j, "from"))
            if start is None:
                continue
            grow = self._growth(step, (*loc, j), self._year_of_index(start), convert)
            points.append((start, convert(step, (*loc, j)), grow))
        points.sort(key=lambda p: p[0])
        if not points:
            return np.zeros(self.cal.n)
        fill = points[0][1] if before == "first" else 0.0
        out[:] = fill
        year_of = self.cal.year_of
        for start, value, grow in points:
            s = max(start, 0)
            out[s:] = value * grow(year_of[s:])
        return out

    def yearly(self, steps: list[Step], loc: Loc, convert) -> np.ndarray:
        """Step profile by calendar year (a budget), scaled for years only partly in the horizon."""
        years = np.array(self.cal.years)
        out = np.zeros(len(years))
        points: list[tuple[int, float, Callable[[np.ndarray], np.ndarray]]] = []
        for j, step in enumerate(steps):
            idx = 0 if step.from_ is None else self.period_index(step.from_, (*loc, j, "from"))
            if idx is None:
                continue
            year = self._year_of_index(idx)
            points.append((year, convert(step, (*loc, j)), self._growth(step, (*loc, j), year, convert)))
        for year, value, grow in sorted(points, key=lambda p: p[0]):
            later = years >= year
            out[later] = value * grow(years[later])
        return out * self.cal.year_fraction()

    def milestones(self, points: list[Milestone], loc: Loc, convert, interpolate: str) -> np.ndarray:
        """Targets: 0 before the first milestone, then linear (or step) between milestones."""
        marks: list[tuple[int, float]] = []
        for j, m in enumerate(points):
            idx = self.period_index(m.by, (*loc, j, "by"))
            if idx is not None:
                marks.append((idx, convert(m, (*loc, j))))
                if idx >= self.cal.n:
                    self.problems.warn(
                        (*loc, j, "by"),
                        f"{m.by} is after the horizon ends in {self.cal.label(self.cal.n - 1)}, "
                        "so the plan never has to reach this milestone",
                    )
        marks.sort(key=lambda p: p[0])
        out = np.zeros(self.cal.n)
        t = np.arange(self.cal.n)
        for (t0, v0), (t1, v1) in itertools.pairwise(marks):
            seg = (t >= t0) & (t < t1)
            if interpolate == "linear" and t1 > t0:
                out[seg] = v0 + (v1 - v0) * (t[seg] - t0) / (t1 - t0)
            else:
                out[seg] = v0
        if marks:
            out[t >= marks[-1][0]] = marks[-1][1]
        return out
